package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.internal.HitRatios;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The recent (windowed) hit ratio beside the cumulative one, and the hit-ratio warning on every kind of cache. */
class HitRatioWindowTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
    private final List<LowHitRatio> events = new CopyOnWriteArrayList<>();

    private Cache<Integer, String> local(String name, double threshold, int window) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .maximumSize(10_000)
                .executor(Runnable::run)
                .ticker(clock)
                .hitRatioWarning(threshold, window)
                .onLowHitRatio(events::add)
                .build();
    }

    private Cache<String, String> remoteOnly(String name, double threshold, int window) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .hitRatioWarning(threshold, window)
                .onLowHitRatio(events::add)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
    }

    private static double recent(Cache<?, ?> cache) {
        return ((HitRatios) cache).recentHitRatio();
    }

    @Test
    void theRecentRatioShowsADropThatTheCumulativeOneHides() {
        Cache<Integer, String> cache = local("drop", 0.5, 100);
        for (int i = 0; i < 10; i++) {
            cache.get(i, k -> "v");
        }
        for (int round = 0; round < 99; round++) {
            for (int i = 0; i < 10; i++) {
                cache.get(i, k -> "v"); // 990 hits: the cache serves well for a long time
            }
        }
        for (int i = 100; i < 201; i++) {
            cache.get(i, k -> "v"); // then only new keys: 101 misses, the last of which closes the window
        }

        CacheStats stats = cache.stats();
        assertThat(stats.hitRatio()).as("cumulative").isGreaterThan(0.85);
        assertThat(recent(cache)).as("recent").isLessThan(0.1);
        assertThat(events).hasSize(1);
        LowHitRatio event = events.get(0);
        assertThat(event.hitRatio()).isEqualTo(recent(cache));
        assertThat(event.cumulativeHitRatio())
                .as("the event carries the cumulative ratio too")
                .isEqualTo((double) stats.hitCount() / stats.requestCount());
        assertThat(event.describe()).contains("since the cache was built", "cache 'drop'");
    }

    @Test
    void aWindowOfHitsAloneReadsAsAllHitsThoughNoMissClosedIt() {
        Cache<Integer, String> cache = local("recovered", 0.5, 100);
        for (int i = 0; i < 100; i++) {
            cache.get(i, k -> "v"); // a window of misses, closed by its last
        }
        assertThat(recent(cache)).isZero();
        for (int i = 0; i < 99; i++) {
            cache.get(i, k -> "v");
        }
        assertThat(recent(cache))
                .as("the open window is not full yet: the closed one still stands")
                .isZero();
        cache.get(0, k -> "v");
        assertThat(recent(cache))
                .as("a full window of hits, read from the counters without waiting for a miss")
                .isEqualTo(1.0);
        assertThat(cache.stats().hitRatio()).isLessThan(0.55);
    }

    @Test
    void beforeTheFirstWindowTheRecentRatioIsThatOfEveryRequest() {
        Cache<Integer, String> cache = local("young", 0.5, 1_000);
        assertThat(recent(cache)).as("before any request").isEqualTo(1.0);
        cache.get(1, k -> "v");
        cache.get(1, k -> "v");
        cache.get(1, k -> "v");
        cache.get(2, k -> "v");
        assertThat(recent(cache)).isEqualTo(0.5).isEqualTo(cache.stats().hitRatio());
    }

    @Test
    void withTheWarningOffTheRecentRatioIsTheCumulativeOne() {
        Cache<Integer, String> cache = local("quiet", 0.0, 10);
        for (int i = 0; i < 11; i++) {
            cache.get(i, k -> "v");
        }
        for (int i = 0; i < 11; i++) {
            cache.get(i, k -> "v");
        }
        assertThat(recent(cache)).isEqualTo(0.5).isEqualTo(cache.stats().hitRatio());
        assertThat(events).isEmpty();
    }

    @Test
    void aRemoteOnlyCacheWarnsOfItsOwnLowHitRatio() {
        Cache<String, String> cache = remoteOnly("remote-only", 0.8, 10);
        for (int i = 0; i < 25; i++) {
            cache.get("k" + i, k -> "v"); // every key new: every request misses
        }
        assertThat(events).as("two full windows, each closed by a miss").hasSize(2);
        LowHitRatio event = events.get(0);
        assertThat(event.cacheName()).isEqualTo("remote-only");
        assertThat(event.hitRatio()).isZero();
        assertThat(event.requests()).isEqualTo(10);
        assertThat(event.threshold()).isEqualTo(0.8);
        assertThat(event.bound()).as("the tier counts no entries").isEqualTo(OptionalLong.empty());
        assertThat(recent(cache)).isZero();
    }

    @Test
    void aRemoteOnlyCacheThatHitsRaisesNothing() {
        Cache<String, String> cache = remoteOnly("remote-fine", 0.8, 10);
        cache.put("k", "v");
        for (int i = 0; i < 50; i++) {
            assertThat(cache.getIfPresent("k")).isEqualTo("v");
        }
        assertThat(cache.getIfPresent("absent")).isNull(); // a miss after full windows: closes one of hits
        assertThat(events).isEmpty();
        assertThat(recent(cache)).isEqualTo(50.0 / 51);
    }

    @Test
    void aRemoteOnlyCacheCountsGetIfPresentMissesInItsWindows() {
        Cache<String, String> cache = remoteOnly("remote-peek", 0.8, 5);
        for (int i = 0; i < 6; i++) {
            assertThat(cache.getIfPresent("absent" + i)).isNull();
        }
        assertThat(events).hasSize(1);
        assertThat(events.get(0).cacheName()).isEqualTo("remote-peek");
    }

    @Test
    void aNearCacheWarnsOfTheCombinedRatioOnlyAndKeepsEachTiersRatio() {
        Cache<String, String> cache = Cachet.builder("two-level")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .hitRatioWarning(0.8, 10)
                .onLowHitRatio(events::add)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(100, Duration.ofMinutes(1))
                .build();
        for (int i = 0; i < 11; i++) {
            cache.get("k" + i, k -> "v"); // misses in both tiers
        }
        assertThat(events)
                .as("one warning, of the combined ratio; the remote tier inside says nothing itself")
                .singleElement()
                .satisfies(event -> assertThat(event.cacheName()).isEqualTo("two-level"));

        HitRatios ratios = (HitRatios) cache;
        HitRatios near = ratios.tier(HitRatios.Tier.NEAR);
        HitRatios remote = ratios.tier(HitRatios.Tier.REMOTE);
        assertThat(near).isNotNull();
        assertThat(remote).isNotNull();
        cache.get("k0", k -> "unused"); // a near hit
        assertThat(near.cumulativeHitRatio()).isEqualTo(1.0 / 12);
        assertThat(remote.cumulativeHitRatio()).isZero();
        assertThat(ratios.cumulativeHitRatio()).isEqualTo(1.0 / 12);
        assertThat(ratios.recentHitRatio()).as("the combined ratio is windowed").isZero();
        assertThat(near.recentHitRatio())
                .as("the tiers' monitors are off: their recent ratio is the cumulative one")
                .isEqualTo(near.cumulativeHitRatio());
    }

    @Test
    void singleTierCachesHaveNoTiers() {
        assertThat(((HitRatios) local("plain", 0.5, 10)).tier(HitRatios.Tier.NEAR))
                .isNull();
        assertThat(((HitRatios) remoteOnly("plain-remote", 0.5, 10)).tier(HitRatios.Tier.REMOTE))
                .isNull();
    }
}
