package dev.cachet.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheConfig;
import dev.cachet.CacheStats;
import dev.cachet.Cachet;
import dev.cachet.RemoteStats;
import dev.cachet.internal.LoadTracking;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each invariant fails on a cache broken in just that way, and a healthy cache passes them all. */
class CacheInvariantsTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    @Test
    void aHealthyCachePassesAgainAndAgain() {
        Cache<String, String> cache = Cachet.builder("healthy")
                .maximumSize(2)
                .registry(invariants.registry())
                .<String, String>build();
        for (int i = 0; i < 10; i++) {
            cache.get("k" + i, k -> "v");
            cache.getIfPresent("k" + i);
            CacheInvariants.check(cache);
        }

        assertThat(CacheInvariants.loadsInFlight(cache)).isZero();
        assertThat(invariants.registry().caches()).contains(cache); // and the extension checks it after the test
    }

    @Test
    void aFakeCacheThatBreaksNothingPasses() {
        FakeCache cache = new FakeCache("fine");

        assertThatCode(() -> CacheInvariants.check(cache)).doesNotThrowAnyException();
        assertThatCode(() -> CacheInvariants.check(cache)).doesNotThrowAnyException();
    }

    @Test
    void sizeAboveTheBoundAfterCleanUpFails() {
        FakeCache cache = new FakeCache("oversized");
        cache.size = 11;

        assertThatThrownBy(() -> CacheInvariants.check(cache))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("cache 'oversized'")
                .hasMessageContaining("size 11 is above maximumSize 10 after cleanUp()");
    }

    @Test
    void aNegativeSizeFails() {
        FakeCache cache = new FakeCache("negative");
        cache.size = -1;

        assertThatThrownBy(() -> CacheInvariants.check(cache)).hasMessageContaining("estimated size is negative: -1");
    }

    @Test
    void aLoadLeftInFlightFails() {
        FakeCache cache = new FakeCache("stuck");
        cache.loadsInFlight = 2;

        assertThatThrownBy(() -> CacheInvariants.check(cache)).hasMessageContaining("2 load(s) left in flight");
        assertThat(CacheInvariants.loadsInFlight(cache)).isEqualTo(2);
    }

    @Test
    void aCounterThatGoesDownBetweenChecksFails() {
        FakeCache cache = new FakeCache("forgetful");
        cache.stats = stats(5, 3);
        CacheInvariants.check(cache);
        cache.stats = stats(4, 3);

        assertThatThrownBy(() -> CacheInvariants.check(cache))
                .hasMessageContaining("hitCount went down since the previous check: 5 -> 4");
    }

    @Test
    void aCounterThatGoesDownInMaintenanceFails() {
        FakeCache cache = new FakeCache("resets-on-cleanup");
        cache.stats = stats(5, 3);
        cache.statsAfterCleanUp = CacheStats.empty();

        assertThatThrownBy(() -> CacheInvariants.check(cache))
                .hasMessageContaining("hitCount went down across cleanUp(): 5 -> 0")
                .hasMessageContaining("missCount went down across cleanUp(): 3 -> 0");
    }

    @Test
    void aNegativeRemoteCounterFails() {
        FakeCache cache = new FakeCache("remote");
        cache.remoteStats = new RemoteStats(1, 1, -1, 0, 0, 0, 0, 0);

        assertThatThrownBy(() -> CacheInvariants.check(cache)).hasMessageContaining("remote.errors is negative: -1");
    }

    @Test
    void loadsInFlightRejectsACacheThatDoesNotTrackThem() {
        FakeCache tracked = new FakeCache("untracked");
        Cache<String, String> untracked = new ForwardingCache(tracked);

        assertThatThrownBy(() -> CacheInvariants.loadsInFlight(untracked))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cache 'untracked'");
        assertThatCode(() -> CacheInvariants.check(untracked)).doesNotThrowAnyException();
    }

    private static CacheStats stats(long hits, long misses) {
        return new CacheStats(hits, misses, 0, 0, 0, 0, 0, 0);
    }

    /** A cache whose every reading is set by the test; bounded to 10 entries. */
    private static final class FakeCache implements Cache<String, String>, LoadTracking {
        private final String name;
        long size;
        int loadsInFlight;
        CacheStats stats = CacheStats.empty();
        CacheStats statsAfterCleanUp;
        RemoteStats remoteStats;

        FakeCache(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String get(String key, Function<? super String, ? extends String> loader) {
            return loader.apply(key);
        }

        @Override
        public String getIfPresent(String key) {
            return null;
        }

        @Override
        public Map<String, String> getAll(
                Iterable<? extends String> keys,
                Function<? super Set<? extends String>, ? extends Map<? extends String, ? extends String>> bulkLoader) {
            return Map.of();
        }

        @Override
        public void put(String key, String value) {}

        @Override
        public void put(String key, String value, Duration ttl) {}

        @Override
        public void invalidate(String key) {}

        @Override
        public void invalidateAll() {}

        @Override
        public long estimatedSize() {
            return size;
        }

        @Override
        public void cleanUp() {
            if (statsAfterCleanUp != null) {
                stats = statsAfterCleanUp;
            }
        }

        @Override
        public CacheStats stats() {
            return stats;
        }

        @Override
        public CacheConfig config() {
            return new CacheConfig(
                    name,
                    OptionalLong.of(10),
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    0.0,
                    1);
        }

        @Override
        public Optional<RemoteStats> remoteStats() {
            return Optional.ofNullable(remoteStats);
        }

        @Override
        public int loadsInFlight() {
            return loadsInFlight;
        }
    }

    /** A cache that is not a {@link LoadTracking}, as one written outside Cachet would be. */
    private static final class ForwardingCache implements Cache<String, String> {
        private final Cache<String, String> delegate;

        ForwardingCache(Cache<String, String> delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String get(String key, Function<? super String, ? extends String> loader) {
            return delegate.get(key, loader);
        }

        @Override
        public String getIfPresent(String key) {
            return delegate.getIfPresent(key);
        }

        @Override
        public Map<String, String> getAll(
                Iterable<? extends String> keys,
                Function<? super Set<? extends String>, ? extends Map<? extends String, ? extends String>> bulkLoader) {
            return delegate.getAll(keys, bulkLoader);
        }

        @Override
        public void put(String key, String value) {
            delegate.put(key, value);
        }

        @Override
        public void put(String key, String value, Duration ttl) {
            delegate.put(key, value, ttl);
        }

        @Override
        public void invalidate(String key) {
            delegate.invalidate(key);
        }

        @Override
        public void invalidateAll() {
            delegate.invalidateAll();
        }

        @Override
        public long estimatedSize() {
            return delegate.estimatedSize();
        }

        @Override
        public void cleanUp() {
            delegate.cleanUp();
        }

        @Override
        public CacheStats stats() {
            return delegate.stats();
        }

        @Override
        public CacheConfig config() {
            return delegate.config();
        }
    }
}
