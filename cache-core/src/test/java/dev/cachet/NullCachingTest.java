package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.internal.NullCaching;
import dev.cachet.internal.remote.DefaultKeyEncoder;
import dev.cachet.internal.remote.Envelope;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code cacheNulls}: a loader's {@code null} remembered for its own TTL, in memory, on the remote and near tiers. */
class NullCachingTest {
    private static final Duration NULL_TTL = Duration.ofSeconds(30);

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final AtomicInteger loads = new AtomicInteger();

    /** A loader that counts its calls and finds nothing. */
    private @Nullable String nothing(String key) {
        loads.incrementAndGet();
        return null;
    }

    private CacheBuilder<Object, Object> builder(String name) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .ticker(clock)
                .executor(Runnable::run);
    }

    @Nested
    class Builder {
        @Test
        void rejectsANullZeroOrNegativeTtlNamingTheOptionTheValueAndTheCache() {
            assertThatThrownBy(() -> Cachet.builder("users").cacheNulls(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cacheNulls must be positive, was PT0S (cache 'users')");
            assertThatThrownBy(() -> Cachet.builder("users").cacheNulls(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cacheNulls must be positive, was PT-1S (cache 'users')");
            assertThatThrownBy(() -> Cachet.builder("users").cacheNulls(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("cacheNulls");
        }

        @Test
        void isSetOnce() {
            CacheBuilder<Object, Object> builder = Cachet.builder("users").cacheNulls(NULL_TTL);
            assertThatThrownBy(() -> builder.cacheNulls(Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cacheNulls was already set to PT30S (cache 'users'); set each option once");
        }

        @Test
        void isPartOfTheConfigAndOfTheRegistrysFingerprint() {
            Cache<Object, Object> cache = builder("users").cacheNulls(NULL_TTL).build();
            assertThat(cache.config().cacheNulls()).contains(NULL_TTL);
            assertThat(builder("users").cacheNulls(NULL_TTL).build()).isSameAs(cache);
            assertThatThrownBy(() -> builder("users").build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cacheNulls");
            assertThat(builder("plain").build().config().cacheNulls()).isEmpty();
        }
    }

    @Nested
    class InMemory {
        @Test
        void aNullIsNotCachedByDefault() {
            Cache<String, String> cache = builder("users").build();
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(loads).hasValue(2);
            assertThat(((NullCaching<String>) cache).cachesNulls()).isFalse();
            assertThatThrownBy(() -> ((NullCaching<String>) cache).putNull("k"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'users' does not cache nulls");
        }

        @Test
        void aCachedNullIsReturnedWithoutLoadingUntilItsTtlHasPassed() {
            Cache<String, String> cache = builder("users")
                    .expireAfterWrite(Duration.ofHours(1))
                    .cacheNulls(NULL_TTL)
                    .build();
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isNull();
            clock.advance(NULL_TTL.minusNanos(1));
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(cache.getIfPresent("k")).isNull();
            assertThat(((NullCaching<String>) cache).lookupOrCachedNull("k")).isSameAs(NullCaching.CACHED_NULL);
            assertThat(loads).hasValue(1);
            assertThat(cache.stats().hitCount()).as("a cached null is a hit").isEqualTo(3);
            assertThat(cache.stats().missCount()).isEqualTo(1);

            clock.advance(Duration.ofNanos(1));
            assertThat(((NullCaching<String>) cache).lookupOrCachedNull("k")).isNull();
            assertThat(cache.get("k", key -> "found")).isEqualTo("found");
            assertThat(cache.stats().hitCount())
                    .as("an expired null is a miss, not a hit")
                    .isEqualTo(3);
            assertThat(cache.stats().missCount()).isEqualTo(3);
        }

        @Test
        void aCachedNullLivesNoLongerThanAValue() {
            Cache<String, String> cache = builder("users")
                    .expireAfterWrite(Duration.ofSeconds(5))
                    .cacheNulls(NULL_TTL)
                    .build();
            cache.get("k", NullCachingTest.this::nothing);
            clock.advance(Duration.ofSeconds(5));
            cache.get("k", NullCachingTest.this::nothing);
            assertThat(loads).hasValue(2);
        }

        @Test
        void putReplacesACachedNullAndInvalidateRemovesIt() {
            Cache<String, String> cache = builder("users").cacheNulls(NULL_TTL).build();
            cache.get("k", NullCachingTest.this::nothing);
            cache.put("k", "v");
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isEqualTo("v");

            cache.get("gone", NullCachingTest.this::nothing);
            cache.invalidate("gone");
            assertThat(cache.get("gone", key -> "back")).isEqualTo("back");
            assertThat(loads).hasValue(2);
        }

        @Test
        void putNullCachesANullWithoutALoader() {
            Cache<String, String> cache = builder("users").cacheNulls(NULL_TTL).build();
            cache.put("k", "v");
            ((NullCaching<String>) cache).putNull("k");
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(loads).hasValue(0);
        }

        @Test
        void getAllTreatsACachedNullAsPresentWithoutAValue() {
            Cache<String, String> cache = builder("users").cacheNulls(NULL_TTL).build();
            cache.get("none", NullCachingTest.this::nothing);
            cache.put("one", "1");
            List<Set<? extends String>> asked = new ArrayList<>();
            Map<String, String> all = cache.getAll(List.of("none", "one", "two"), keys -> {
                asked.add(Set.copyOf(keys));
                return Map.of("two", "2");
            });
            assertThat(all).containsExactly(Map.entry("one", "1"), Map.entry("two", "2"));
            assertThat(asked).containsExactly(Set.of("two"));
        }

        @Test
        void copiersWeighersAndRemovalListenersNeverSeeTheMarker() {
            List<Object> seen = new ArrayList<>();
            Cache<String, String> cache = builder("users")
                    .cacheNulls(NULL_TTL)
                    .copier((String value) -> {
                        seen.add(value);
                        return new String(value);
                    })
                    .maximumWeight(100, (String key, String value) -> {
                        seen.add(value);
                        return 1;
                    })
                    .removalListener((key, value, cause) -> seen.add(value))
                    .build();
            cache.get("k", NullCachingTest.this::nothing);
            cache.get("k", NullCachingTest.this::nothing);
            cache.getIfPresent("k");
            cache.put("k", "v");
            cache.invalidate("k");
            cache.get("j", NullCachingTest.this::nothing);
            clock.advance(NULL_TTL);
            cache.getIfPresent("j");
            cache.cleanUp();
            assertThat(seen).allMatch(String.class::isInstance).contains("v");
        }

        @Test
        void aLoadingCacheCachesItsLoadersNull() {
            LoadingCache<String, String> cache =
                    builder("users").cacheNulls(NULL_TTL).build(this::load);
            assertThat(cache.get("k")).isNull();
            assertThat(cache.get("k")).isNull();
            assertThat(loads).hasValue(1);
        }

        private @Nullable String load(String key) {
            return nothing(key);
        }

        @Test
        void callersWaitingForALoadThatReturnsNullShareItAndTheNextCallLoadsNothing() throws Exception {
            Cache<String, String> cache = builder("users").cacheNulls(NULL_TTL).build();
            CountDownLatch loading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<@Nullable String> first = CompletableFuture.supplyAsync(() -> cache.get("k", key -> {
                loading.countDown();
                await(release);
                return nothing(key);
            }));
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<@Nullable String> second =
                    CompletableFuture.supplyAsync(() -> cache.get("k", NullCachingTest.this::nothing));
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(second.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(cache.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(loads).hasValue(1);
        }
    }

    @Nested
    class Remote {
        private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        private final String rawKey = DefaultKeyEncoder.encode("k");

        /** A process of its own: a registry of its own over the shared tier. */
        private Cache<String, String> process(boolean cacheNulls) {
            CacheBuilder<Object, Object> builder = Cachet.builder("users")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(5))
                    .ticker(clock)
                    .executor(Runnable::run);
            if (cacheNulls) {
                builder.cacheNulls(NULL_TTL);
            }
            return builder.remote(tier, Utf8Codec.INSTANCE).build();
        }

        @Test
        void aNullLoadedInOneProcessIsCachedForEveryOtherUntilItsTtl() {
            Cache<String, String> a = process(true);
            Cache<String, String> b = process(true);
            assertThat(a.get("k", NullCachingTest.this::nothing)).isNull();
            Envelope stored = Envelope.parse(tier.raw("users", rawKey), Utf8Codec.INSTANCE.id());
            assertThat(stored.isNullMarker()).isTrue();
            assertThat(stored.payload()).isEmpty();

            assertThat(b.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(b.getIfPresent("k")).isNull();
            assertThat(((NullCaching<String>) b).lookupOrCachedNull("k")).isSameAs(NullCaching.CACHED_NULL);
            assertThat(loads).hasValue(1);
            assertThat(b.stats().hitCount()).isEqualTo(3);

            clock.advance(NULL_TTL.minusNanos(1));
            assertThat(b.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(loads).hasValue(1);
            clock.advance(Duration.ofNanos(1));
            assertThat(b.get("k", key -> "found"))
                    .as("the tier's TTL is the null TTL")
                    .isEqualTo("found");
        }

        @Test
        void withoutCacheNullsNothingIsWritten() {
            Cache<String, String> a = process(false);
            assertThat(a.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(tier.raw("users", rawKey)).isNull();
            assertThat(a.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(loads).hasValue(2);
        }

        @Test
        void putReplacesACachedNullAndInvalidateRemovesItInEveryProcess() {
            Cache<String, String> a = process(true);
            Cache<String, String> b = process(true);
            a.get("k", NullCachingTest.this::nothing);
            b.put("k", "v");
            assertThat(a.get("k", NullCachingTest.this::nothing)).isEqualTo("v");
            ((NullCaching<String>) a).putNull("k");
            assertThat(b.get("k", key -> "unused")).isNull();
            b.invalidate("k");
            assertThat(a.get("k", key -> "back")).isEqualTo("back");
            assertThat(loads).hasValue(1);
        }

        @Test
        void getAllTreatsACachedNullAsPresentWithoutAValue() {
            Cache<String, String> a = process(true);
            a.get("k", NullCachingTest.this::nothing);
            List<Set<? extends String>> asked = new ArrayList<>();
            Map<String, String> all = a.getAll(List.of("k", "other"), keys -> {
                asked.add(Set.copyOf(keys));
                return Map.of("other", "o");
            });
            assertThat(all).containsExactly(Map.entry("other", "o"));
            assertThat(asked).containsExactly(Set.of("other"));
        }

        @Test
        void aProcessWaitingForAnotherProcesssLoadTakesItsNullWithoutLoading() throws Exception {
            Cache<String, String> a = process(true);
            Cache<String, String> b = process(true);
            CountDownLatch loading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<@Nullable String> first = CompletableFuture.supplyAsync(() -> a.get("k", key -> {
                loading.countDown();
                await(release);
                return nothing(key);
            }));
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            // b finds the key locked by a and polls for its value; the fake clock keeps its wait from running out.
            CompletableFuture<@Nullable String> second =
                    CompletableFuture.supplyAsync(() -> b.get("k", NullCachingTest.this::nothing));
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(second.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(loads).hasValue(1);
        }

        @Test
        void aVersion1EnvelopeOfAnOlderProcessIsStillRead() {
            Cache<String, String> a = process(true);
            tier.corrupt("users", rawKey, version1Envelope("from the previous release"));
            assertThat(a.get("k", NullCachingTest.this::nothing)).isEqualTo("from the previous release");
            assertThat(loads).hasValue(0);
        }

        /** The layout of envelope version 1: no flags byte. */
        private byte[] version1Envelope(String text) {
            byte[] id = Utf8Codec.INSTANCE.id().getBytes(StandardCharsets.UTF_8);
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(4 + id.length + 16 + payload.length)
                    .put((byte) 0xCA)
                    .put((byte) 0x5E)
                    .put((byte) 1)
                    .put((byte) id.length)
                    .put(id)
                    .putLong(1)
                    .putLong(System.currentTimeMillis() + Duration.ofHours(1).toMillis())
                    .put(payload)
                    .array();
        }

        @Test
        void anEnvelopeWithAFlagThisVersionDoesNotKnowIsLeftAlone() {
            Cache<String, String> a = process(true);
            byte[] bytes = new Envelope(Utf8Codec.INSTANCE.id(), 1, Long.MAX_VALUE, new byte[] {1, 2}).toBytes();
            bytes[3] = 0x04; // a later feature's flag bit, after magic and version
            tier.corrupt("users", rawKey, bytes);
            assertThat(a.get("k", key -> "loaded")).isEqualTo("loaded");
            assertThat(tier.raw("users", rawKey))
                    .as("neither deleted nor replaced")
                    .isEqualTo(bytes);
            assertThatThrownBy(() -> Envelope.parse(bytes, Utf8Codec.INSTANCE.id()))
                    .isInstanceOf(Envelope.ForeignEnvelopeException.class)
                    .hasMessageContaining("flags 0x4");
        }
    }

    @Nested
    class Near {
        private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

        private Cache<String, String> process() {
            return Cachet.builder("users")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(5))
                    .ticker(clock)
                    .executor(Runnable::run)
                    .cacheNulls(NULL_TTL)
                    .remote(tier, Utf8Codec.INSTANCE)
                    .nearCache(100, Duration.ofMinutes(1))
                    .build();
        }

        @Test
        void aCachedNullIsHeldNearAndExpiresWithItsTtl() {
            Cache<String, String> a = process();
            assertThat(a.get("k", NullCachingTest.this::nothing)).isNull();
            int calls = tier.calls();
            assertThat(a.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(a.getIfPresent("k")).isNull();
            assertThat(((NullCaching<String>) a).lookupOrCachedNull("k")).isSameAs(NullCaching.CACHED_NULL);
            assertThat(tier.calls()).as("near hits never reach the tier").isEqualTo(calls);
            assertThat(loads).hasValue(1);

            clock.advance(NULL_TTL);
            assertThat(a.get("k", key -> "found")).isEqualTo("found");
        }

        @Test
        void anotherProcessReadsTheNullFromTheTierAndHoldsItNear() {
            Cache<String, String> a = process();
            Cache<String, String> b = process();
            a.get("k", NullCachingTest.this::nothing);
            assertThat(((NullCaching<String>) b).lookupOrCachedNull("k")).isSameAs(NullCaching.CACHED_NULL);
            int calls = tier.calls();
            assertThat(b.get("k", NullCachingTest.this::nothing)).isNull();
            assertThat(tier.calls()).isEqualTo(calls);
            assertThat(loads).hasValue(1);
        }

        @Test
        void aCachedNullIsInvalidatedNearLikeAValue() {
            Cache<String, String> a = process();
            Cache<String, String> b = process();
            a.get("k", NullCachingTest.this::nothing);
            b.get("k", NullCachingTest.this::nothing);
            a.put("k", "v");
            assertThat(b.get("k", NullCachingTest.this::nothing)).isEqualTo("v");
            ((NullCaching<String>) a).putNull("k");
            assertThat(b.get("k", key -> "unused")).isNull();
            a.invalidate("k");
            assertThat(b.get("k", key -> "back")).isEqualTo("back");
            assertThat(loads).hasValue(1);
        }

        @Test
        void getAllTreatsANearCachedNullAsPresentWithoutAValue() {
            Cache<String, String> a = process();
            a.get("k", NullCachingTest.this::nothing);
            Map<String, String> all = a.getAll(List.of("k", "other"), keys -> {
                assertThat(Set.<String>copyOf(keys)).containsExactly("other");
                return Map.of("other", "o");
            });
            assertThat(all).containsExactly(Map.entry("other", "o"));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
