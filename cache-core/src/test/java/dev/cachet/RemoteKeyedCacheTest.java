package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The keys a proxy gives a cache with a remote tier: different method keys stay different strings. */
class RemoteKeyedCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    @SuppressWarnings("unchecked")
    private RemoteKeyedCache view() {
        Cache<Object, Object> cache = (Cache<Object, Object>) (Cache<?, ?>) Cachet.builder("keys")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
        return new RemoteKeyedCache(cache, null);
    }

    private static Object key(Optional<String> prefix, Object... arguments) {
        List<Integer> parameters =
                java.util.stream.IntStream.range(0, arguments.length).boxed().toList();
        return ArgumentKeys.of(parameters, arguments, prefix);
    }

    @Test
    void keysThatDifferAsMethodKeysGetDifferentRemoteKeys() {
        RemoteKeyedCache view = view();
        List<Object> keys = Arrays.asList(
                key(Optional.empty()),
                key(Optional.empty(), "a"),
                key(Optional.empty(), (Object) null),
                key(Optional.empty(), "a", "b"),
                key(Optional.empty(), "a|1:s:b"),
                key(Optional.empty(), "a", null),
                key(Optional.empty(), null, "a"),
                key(Optional.empty(), "-", "a"),
                key(Optional.empty(), "a", "b", "c"),
                key(Optional.empty(), "a|5:s:b", "c"),
                key(Optional.empty(), 1, 1L),
                key(Optional.empty(), 1L, 1),
                key(Optional.of("m"), "a"),
                key(Optional.of("m"), "a", "b"),
                key(Optional.of("m(a)"), "b"),
                key(Optional.of("n"), "a"),
                key(Optional.of("m")));
        Set<Object> remoteKeys = new HashSet<>();
        for (Object key : keys) {
            remoteKeys.add(view.remoteKey(key));
        }
        assertThat(remoteKeys).hasSameSizeAs(keys);
        assertThat(view.remoteKey(key(Optional.empty(), "AAPL")))
                .as("one argument is the key itself")
                .isEqualTo("AAPL");
        assertThat(view.remoteKey(key(Optional.empty(), "AAPL", 7))).isEqualTo("cachet:a2|6:s:AAPL|3:i:7");
        assertThat(view.remoteKey(key(Optional.of("P.q(java.lang.String)"), "AAPL")))
                .isEqualTo("cachet:m21:P.q(java.lang.String)a1|6:s:AAPL");
    }

    @Test
    void equalMethodKeysGetEqualRemoteKeys() {
        RemoteKeyedCache view = view();
        UUID id = UUID.randomUUID();
        assertThat(view.remoteKey(key(Optional.empty(), "a", id, 2.5)))
                .isEqualTo(view.remoteKey(key(Optional.empty(), "a", UUID.fromString(id.toString()), 2.5)));
    }

    @Test
    void aRefusedKeyFailsNamingTheCacheAndTypeAndTouchesNothing() {
        RemoteKeyedCache view = view();
        int calls = tier.calls();

        assertThatThrownBy(() -> view.get(LocalDate.of(2026, 1, 2), k -> "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cache 'keys' has a remote tier whose key encoder cannot encode a key argument"
                        + " of type java.time.LocalDate");
        assertThatThrownBy(() -> view.invalidate(key(Optional.empty(), "a", LocalDate.of(2026, 1, 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.time.LocalDate");
        assertThat(tier.calls()).isEqualTo(calls);
    }

    @Test
    void bulkReadsTranslateKeysBothWays() {
        RemoteKeyedCache view = view();
        Object two = key(Optional.empty(), "a", 2);
        view.put("one", "1");

        Map<Object, Object> values = view.getAll(List.of("one", two), missing -> {
            List<Object> asked = List.copyOf(missing);
            assertThat(asked).containsExactly(two);
            return Map.of(two, "2");
        });

        assertThat(values).containsExactly(Map.entry("one", "1"), Map.entry(two, "2"));
        assertThat(view.getIfPresent(two)).isEqualTo("2");
    }

    @Test
    void theDefaultEncodersTypesAreKnownInAdvance() {
        for (Class<?> type : List.of(
                String.class,
                Integer.class,
                Object.class,
                Number.class,
                CharSequence.class,
                Comparable.class,
                Enum.class,
                java.util.concurrent.TimeUnit.class,
                UUID.class)) {
            assertThat(RemoteKeyedCache.defaultEncoderMayTake(type))
                    .as(type.getName())
                    .isTrue();
        }
        for (Class<?> type : List.of(
                LocalDate.class, String[].class, int[].class, List.class, Set.class, Map.class, StringBuilder.class)) {
            assertThat(RemoteKeyedCache.defaultEncoderMayTake(type))
                    .as(type.getName())
                    .isFalse();
        }
    }
}
