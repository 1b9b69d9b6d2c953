package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.internal.remote.MixedKeys;
import dev.cachet.internal.remote.MixedKeys.Alert;
import dev.cachet.internal.remote.MixedKeys.Colour;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The default key encoder is injective: keys that differ (by {@code equals}) never share a remote entry, a near entry
 * or an invalidation message, whatever their types. Each cache with its own registry stands for one process.
 */
class DefaultKeyEncodingTest {
    private static final long SEED = 20_261_202L;

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    private Cache<Object, String> remoteProcess() {
        return Cachet.builder("ids")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
    }

    private Cache<Object, String> nearProcess() {
        return Cachet.builder("ids")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(10_000, Duration.ofMinutes(1))
                .build();
    }

    @Test
    void stringIntegerAndLongOneAreThreeRemoteEntries() {
        assertThreeEntries(remoteProcess(), remoteProcess(), List.of("1", 1, 1L));
    }

    @Test
    void stringIntegerAndLongOneAreThreeNearEntries() {
        assertThreeEntries(nearProcess(), nearProcess(), List.of("1", 1, 1L));
    }

    @Test
    void booleanAndItsSpellingAreTwoRemoteEntries() {
        assertThreeEntries(remoteProcess(), remoteProcess(), List.of("true", true, "false"));
    }

    @Test
    void booleanAndItsSpellingAreTwoNearEntries() {
        assertThreeEntries(nearProcess(), nearProcess(), List.of(true, "true", false));
    }

    @Test
    void sameNamedConstantsOfTwoEnumsAreTwoRemoteEntries() {
        assertThreeEntries(remoteProcess(), remoteProcess(), List.of(Colour.RED, Alert.RED, "RED"));
    }

    @Test
    void sameNamedConstantsOfTwoEnumsAreTwoNearEntries() {
        assertThreeEntries(nearProcess(), nearProcess(), List.of(Alert.RED, Colour.RED, "RED"));
    }

    /**
     * Loads, puts, reads and invalidations of three distinct keys, in one process and across two: each key keeps its
     * own value, and invalidating one (which, for near caches, sends a message to the other process) leaves the others.
     */
    private static void assertThreeEntries(Cache<Object, String> a, Cache<Object, String> b, List<Object> keys) {
        AtomicInteger loads = new AtomicInteger();
        for (Object key : keys) {
            assertThat(a.get(key, k -> describe(k) + "#" + loads.incrementAndGet()))
                    .as("load of %s", describe(key))
                    .startsWith(describe(key));
        }
        assertThat(loads.get()).as("one load per distinct key").isEqualTo(keys.size());
        for (Object key : keys) {
            assertThat(a.get(key, k -> "reloaded")).as("a, %s", describe(key)).startsWith(describe(key));
            assertThat(b.get(key, k -> "reloaded")).as("b, %s", describe(key)).startsWith(describe(key));
        }

        for (Object key : keys) {
            a.put(key, "put " + describe(key));
        }
        for (Object key : keys) {
            assertThat(a.getIfPresent(key)).as("a, %s", describe(key)).isEqualTo("put " + describe(key));
            assertThat(b.getIfPresent(key)).as("b, %s", describe(key)).isEqualTo("put " + describe(key));
        }

        Object invalidated = keys.get(1);
        a.invalidate(invalidated);
        for (Object key : keys) {
            String expected = key.equals(invalidated) ? null : "put " + describe(key);
            assertThat(a.getIfPresent(key))
                    .as("a after invalidating %s: %s", describe(invalidated), describe(key))
                    .isEqualTo(expected);
            assertThat(b.getIfPresent(key))
                    .as("b after invalidating %s: %s", describe(invalidated), describe(key))
                    .isEqualTo(expected);
        }
    }

    /**
     * Property-style: a few thousand distinct keys of mixed types (random ones, and ones chosen to look like one
     * another or like an encoding) each keep their own value in one cache.
     */
    @Test
    void distinctKeysOfMixedTypesNeverShareAnEntry() {
        List<Object> keys = MixedKeys.distinct(new Random(SEED), 3_000);
        Cache<Object, String> cache = remoteProcess();
        for (int i = 0; i < keys.size(); i++) {
            cache.put(keys.get(i), Integer.toString(i));
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(cache.getIfPresent(keys.get(i)))
                    .as("seed %d: the entry of %s", SEED, describe(keys.get(i)))
                    .isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void distinctKeysOfMixedTypesNeverShareANearEntry() {
        List<Object> keys = MixedKeys.distinct(new Random(SEED + 1), 1_000);
        Cache<Object, String> a = nearProcess();
        Cache<Object, String> b = nearProcess();
        for (int i = 0; i < keys.size(); i++) {
            a.put(keys.get(i), Integer.toString(i));
            assertThat(b.get(keys.get(i), k -> "unused")).isEqualTo(Integer.toString(i));
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(a.getIfPresent(keys.get(i)))
                    .as("seed %d: a's entry of %s", SEED + 1, describe(keys.get(i)))
                    .isEqualTo(Integer.toString(i));
            assertThat(b.getIfPresent(keys.get(i)))
                    .as("seed %d: b's entry of %s", SEED + 1, describe(keys.get(i)))
                    .isEqualTo(Integer.toString(i));
        }
    }

    private static String describe(Object key) {
        return key.getClass().getSimpleName() + " " + key;
    }
}
