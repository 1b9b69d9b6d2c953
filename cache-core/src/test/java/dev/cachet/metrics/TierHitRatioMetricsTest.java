package dev.cachet.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The recent hit ratio of every cache, and the per-tier ratios of a two-level cache, as meters. */
class TierHitRatioMetricsTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    /** One process's two-level cache; each has its own registry, as separate processes do. */
    private Cache<String, String> process(CacheRegistry caches, int window) {
        return Cachet.builder("quotes")
                .registry(caches)
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .hitRatioWarning(0.5, window)
                .onLowHitRatio(event -> {})
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(100, Duration.ofMinutes(1))
                .build();
    }

    private double gauge(String name, String... tags) {
        RequiredSearch search = registry.get(name).tag(MetricNames.TAG_CACHE, "quotes");
        return (tags.length == 0 ? search : search.tags(tags)).gauge().value();
    }

    @Test
    void aNearCacheReportsEachTiersRatioBesideTheCombinedOne() {
        Cache<String, String> a = process(CacheRegistry.create(), 1_000);
        Cache<String, String> b = process(invariants.registry(), 1_000);
        CachetMetrics.bind(b, registry);
        a.get("k1", k -> "v1"); // a loads k1 and writes it to the remote tier
        b.get("k1", k -> "unused"); // near miss, remote hit
        b.get("k1", k -> "unused"); // near hit
        b.get("k2", k -> "v2"); // near miss, remote miss

        String near = MetricNames.TIER_NEAR;
        String remote = MetricNames.TIER_REMOTE;
        assertThat(gauge(MetricNames.CACHE_TIER_HIT_RATIO, MetricNames.TAG_TIER, near))
                .as("near: 1 hit of 3 requests")
                .isCloseTo(1.0 / 3, within(1e-9));
        assertThat(gauge(MetricNames.CACHE_TIER_HIT_RATIO, MetricNames.TAG_TIER, remote))
                .as("remote: 1 hit of the 2 near misses")
                .isEqualTo(0.5);
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO))
                .as("combined, as before: 2 of 3 requests hit a tier")
                .isCloseTo(2.0 / 3, within(1e-9))
                .isEqualTo(b.stats().hitRatio());
        // No window of 1,000 requests closed yet: the recent ratio is that of every request so far.
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO_RECENT)).isCloseTo(2.0 / 3, within(1e-9));

        assertThat(registry.find(MetricNames.CACHE_TIER_HIT_RATIO).gauges())
                .extracting(meter -> meter.getId().getTag(MetricNames.TAG_TIER))
                .containsExactlyInAnyOrder(near, remote);
        assertThat(registry.find(MetricNames.CACHE_HIT_RATIO).gauges())
                .as("the combined meter keeps its tags: no tier tag")
                .singleElement()
                .satisfies(meter ->
                        assertThat(meter.getId().getTag(MetricNames.TAG_TIER)).isNull());
    }

    @Test
    void theCombinedRecentRatioShowsADropWhileTheTiersRatiosSinceStartStayHigh() {
        Cache<String, String> b = process(invariants.registry(), 4);
        CachetMetrics.bind(b, registry);
        b.put("k", "v");
        for (int i = 0; i < 20; i++) {
            b.get("k", key -> "unused"); // near hits
        }
        for (int i = 0; i < 5; i++) {
            b.get("new" + i, key -> "v"); // misses in both tiers; the 5th closes a window of 4 misses
        }

        assertThat(gauge(MetricNames.CACHE_TIER_HIT_RATIO, MetricNames.TAG_TIER, MetricNames.TIER_NEAR))
                .isEqualTo(20.0 / 25);
        assertThat(gauge(MetricNames.CACHE_TIER_HIT_RATIO, MetricNames.TAG_TIER, MetricNames.TIER_REMOTE))
                .as("the remote tier answered none of the 5 near misses")
                .isZero();
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO)).isEqualTo(20.0 / 25);
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO_RECENT))
                .as("the last window of 4 requests all missed")
                .isZero();
    }

    @Test
    void singleTierCachesHaveARecentRatioButNoTierMeters() {
        Cache<String, String> local = Cachet.builder("quotes")
                .registry(invariants.registry())
                .maximumSize(100)
                .ticker(clock)
                .executor(Runnable::run)
                .hitRatioWarning(0.5, 2)
                .onLowHitRatio(event -> {})
                .build();
        CachetMetrics.bind(local, registry);
        local.get("a", k -> "1");
        local.get("b", k -> "2"); // closes a window of 2 misses
        for (int i = 0; i < 8; i++) {
            local.getIfPresent("a");
        }
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO)).isEqualTo(0.8);
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO_RECENT))
                .as("a full window of hits reads 1.0 though no miss closed it")
                .isEqualTo(1.0);
        assertThat(registry.find(MetricNames.CACHE_TIER_HIT_RATIO).meters()).isEmpty();
    }

    @Test
    void aRemoteOnlyCacheHasARecentRatio() {
        Cache<String, String> remote = Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .hitRatioWarning(0.5, 2)
                .onLowHitRatio(event -> {})
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
        CachetMetrics.bind(remote, registry);
        remote.put("a", "1");
        remote.getIfPresent("a");
        remote.getIfPresent("x"); // closes a window of 2: 1 hit, 1 miss
        remote.getIfPresent("y");
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO_RECENT)).isEqualTo(0.5);
        assertThat(gauge(MetricNames.CACHE_HIT_RATIO)).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(registry.find(MetricNames.CACHE_TIER_HIT_RATIO).meters()).isEmpty();
    }
}
