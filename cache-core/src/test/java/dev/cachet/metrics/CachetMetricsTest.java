package dev.cachet.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CachetMetricsTest {
    // The meters of one bound cache: gets (hit, miss), puts, evictions, size, eviction weight, load (success,
    // failure), load duration, hit ratio and recent hit ratio.
    private static final int METERS_PER_CACHE = 12;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final FakeTicker clock = new FakeTicker();

    private Cache<String, String> cache(String name, long maximumSize) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .maximumSize(maximumSize)
                .executor(Runnable::run)
                .ticker(clock)
                .build();
    }

    @Test
    void getsCountHitsAndMisses() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry);
        cache.put("a", "1");
        for (int i = 0; i < 3; i++) {
            assertThat(cache.getIfPresent("a")).isEqualTo("1");
        }
        assertThat(cache.getIfPresent("b")).isNull();
        assertThat(cache.getIfPresent("c")).isNull();

        FunctionCounter hits =
                registry.get(MetricNames.CACHE_GETS).tag("result", "hit").functionCounter();
        FunctionCounter misses =
                registry.get(MetricNames.CACHE_GETS).tag("result", "miss").functionCounter();
        assertThat(hits.count()).isEqualTo(3.0).isEqualTo((double) cache.stats().hitCount());
        assertThat(misses.count()).isEqualTo(2.0).isEqualTo((double)
                cache.stats().missCount());
    }

    @Test
    void putsCountEveryStore() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry);
        cache.put("a", "1");
        cache.put("b", "2");
        cache.put("a", "3");

        double puts = registry.get(MetricNames.CACHE_PUTS).functionCounter().count();
        assertThat(puts).isEqualTo(3.0).isEqualTo((double) cache.stats().putCount());
    }

    @Test
    void sizeIsTheEstimatedSize() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry);
        Gauge size = registry.get(MetricNames.CACHE_SIZE).gauge();
        assertThat(size.value()).isZero();

        cache.put("a", "1");
        cache.put("b", "2");
        cache.put("c", "3");
        cache.invalidate("c");

        assertThat(size.value()).isEqualTo(2.0).isEqualTo((double) cache.estimatedSize());
    }

    @Test
    void evictionsCountEntriesBeyondTheBound() {
        Cache<String, String> cache = cache("quotes", 2);
        CachetMetrics.bind(cache, registry);
        for (int i = 0; i < 10; i++) {
            cache.put("k" + i, "v" + i);
        }
        cache.cleanUp();

        long evicted = cache.stats().evictionCount();
        assertThat(evicted).isPositive();
        assertThat(registry.get(MetricNames.CACHE_EVICTIONS).functionCounter().count())
                .isEqualTo((double) evicted);
        assertThat(registry.get(MetricNames.CACHE_EVICTION_WEIGHT)
                        .functionCounter()
                        .count())
                .isPositive()
                .isEqualTo((double) cache.stats().evictionWeight());
        assertThat(registry.get(MetricNames.CACHE_SIZE).gauge().value()).isEqualTo(2.0);
    }

    @Test
    void loadsCountSuccessesAndFailuresAndTheirTime() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry);
        cache.get("a", key -> {
            clock.advance(Duration.ofMillis(5));
            return "1";
        });
        cache.get("b", key -> {
            clock.advance(Duration.ofMillis(7));
            return "2";
        });
        assertThatThrownBy(() -> cache.get("c", key -> {
                    clock.advance(Duration.ofMillis(11));
                    throw new IllegalStateException("backend down");
                }))
                .hasMessage("backend down");

        double successes = registry.get(MetricNames.CACHE_LOAD)
                .tag("result", "success")
                .functionCounter()
                .count();
        double failures = registry.get(MetricNames.CACHE_LOAD)
                .tag("result", "failure")
                .functionCounter()
                .count();
        TimeGauge duration = registry.get(MetricNames.CACHE_LOAD_DURATION).timeGauge();
        assertThat(successes).isEqualTo(2.0).isEqualTo((double) cache.stats().loadSuccessCount());
        assertThat(failures).isEqualTo(1.0).isEqualTo((double) cache.stats().loadFailureCount());
        assertThat(duration.value(TimeUnit.NANOSECONDS)).isEqualTo(23_000_000.0).isEqualTo((double)
                cache.stats().totalLoadTimeNanos());
        assertThat(duration.value(TimeUnit.MILLISECONDS)).isEqualTo(23.0);
    }

    @Test
    void hitRatioIsTheCumulativeRatio() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry);
        Gauge ratio = registry.get(MetricNames.CACHE_HIT_RATIO).gauge();
        assertThat(ratio.value()).isEqualTo(1.0).isEqualTo(cache.stats().hitRatio());
        assertThat(ratio.getId().getBaseUnit()).isNull();

        cache.put("a", "1");
        cache.getIfPresent("a");
        cache.getIfPresent("a");
        cache.getIfPresent("a");
        cache.getIfPresent("b");

        assertThat(ratio.value()).isEqualTo(0.75).isEqualTo(cache.stats().hitRatio());
    }

    @Test
    void registersEachMeterWithItsTypeAndTags() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry, Tags.of("region", "eu", "tier", "local"));

        List<Meter> meters = registry.getMeters();
        assertThat(meters).hasSize(METERS_PER_CACHE);
        assertThat(meters)
                .allSatisfy(meter -> assertThat(meter.getId().getTags())
                        .contains(Tag.of("cache", "quotes"), Tag.of("region", "eu"), Tag.of("tier", "local")));
        Map<String, List<String>> typesByName = meters.stream()
                .collect(Collectors.groupingBy(
                        meter -> meter.getId().getName(),
                        Collectors.mapping(CachetMetricsTest::meterType, Collectors.toList())));
        assertThat(typesByName)
                .containsOnly(
                        Map.entry(MetricNames.CACHE_GETS, List.of("FunctionCounter", "FunctionCounter")),
                        Map.entry(MetricNames.CACHE_PUTS, List.of("FunctionCounter")),
                        Map.entry(MetricNames.CACHE_STALE_SERVED, List.of("FunctionCounter")),
                        Map.entry(MetricNames.CACHE_EVICTIONS, List.of("FunctionCounter")),
                        Map.entry(MetricNames.CACHE_EVICTION_WEIGHT, List.of("FunctionCounter")),
                        Map.entry(MetricNames.CACHE_LOAD, List.of("FunctionCounter", "FunctionCounter")),
                        Map.entry(MetricNames.CACHE_LOAD_DURATION, List.of("TimeGauge")),
                        Map.entry(MetricNames.CACHE_SIZE, List.of("Gauge")),
                        Map.entry(MetricNames.CACHE_HIT_RATIO, List.of("Gauge")),
                        Map.entry(MetricNames.CACHE_HIT_RATIO_RECENT, List.of("Gauge")));
        assertThat(registry.find(MetricNames.CACHE_GETS).meters())
                .extracting(meter -> meter.getId().getTag("result"))
                .containsExactlyInAnyOrder("hit", "miss");
        assertThat(registry.find(MetricNames.CACHE_LOAD).meters())
                .extracting(meter -> meter.getId().getTag("result"))
                .containsExactlyInAnyOrder("success", "failure");
    }

    private static String meterType(Meter meter) {
        // TimeGauge extends Gauge, so it is tested first.
        if (meter instanceof TimeGauge) {
            return "TimeGauge";
        }
        if (meter instanceof Gauge) {
            return "Gauge";
        }
        if (meter instanceof FunctionCounter) {
            return "FunctionCounter";
        }
        return meter.getClass().getSimpleName();
    }

    @Test
    void theCacheTagIsAlwaysTheCacheName() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry, Tags.of("cache", "something-else"));

        assertThat(registry.getMeters())
                .hasSize(METERS_PER_CACHE)
                .allSatisfy(meter -> assertThat(meter.getId().getTag("cache")).isEqualTo("quotes"));
    }

    @Test
    void bindingTwiceLeavesOneMeterPerNameAndTags() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry, Tags.of("tier", "local"));
        CachetMetrics.bind(cache, registry, List.of(Tag.of("tier", "local")));
        cache.put("a", "1");
        cache.getIfPresent("a");

        assertThat(registry.getMeters()).hasSize(METERS_PER_CACHE);
        assertThat(registry.find(MetricNames.CACHE_GETS).functionCounters()).hasSize(2);
        assertThat(registry.get(MetricNames.CACHE_GETS)
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_PUTS).functionCounter().count())
                .isEqualTo(1.0);
    }

    @Test
    void bindingWithOtherTagsAddsAnotherSetOfMeters() {
        Cache<String, String> cache = cache("quotes", 100);
        CachetMetrics.bind(cache, registry);
        CachetMetrics.bind(cache, registry, Tags.of("tier", "local"));

        assertThat(registry.getMeters()).hasSize(2 * METERS_PER_CACHE);
    }

    @Test
    void bindAllBindsTheCachesRegisteredNowAndLater() {
        CacheRegistry caches = invariants.registry();
        Cache<String, String> before = cache("before", 100);
        CachetMetrics.bindAll(caches, registry, Tags.of("app", "shop"));
        Cache<String, String> after = cache("after", 100);
        Cachet.builder("elsewhere").registry(CacheRegistry.create()).build();

        before.put("a", "1");
        after.put("a", "1");
        after.put("b", "2");

        assertThat(registry.getMeters()).hasSize(2 * METERS_PER_CACHE);
        assertThat(registry.find(MetricNames.CACHE_GETS)
                        .tag("cache", "elsewhere")
                        .meters())
                .isEmpty();
        assertThat(registry.get(MetricNames.CACHE_PUTS)
                        .tags("cache", "before", "app", "shop")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_PUTS)
                        .tags("cache", "after", "app", "shop")
                        .functionCounter()
                        .count())
                .isEqualTo(2.0);
    }

    @Test
    void bindAllTwiceLeavesOneMeterPerNameAndTags() {
        CacheRegistry caches = invariants.registry();
        cache("before", 100);
        CachetMetrics.bindAll(caches, registry);
        CachetMetrics.bindAll(caches, registry);
        cache("after", 100);

        assertThat(registry.getMeters()).hasSize(2 * METERS_PER_CACHE);
    }

    @Test
    void aCacheRegisteredLaterStillBuildsWhenItsMetricsFail() {
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if ("broken".equals(id.getTag("cache"))) {
                    throw new IllegalStateException("rejected by the meter registry");
                }
                return id;
            }
        });
        CachetMetrics.bindAll(invariants.registry(), registry);

        Cache<String, String> broken = cache("broken", 100);
        broken.put("a", "1");
        cache("fine", 100);

        assertThat(broken.getIfPresent("a")).isEqualTo("1");
        assertThat(registry.find(MetricNames.CACHE_GETS).tag("cache", "broken").meters())
                .isEmpty();
        assertThat(registry.find(MetricNames.CACHE_GETS).tag("cache", "fine").meters())
                .hasSize(2);
    }

    /** Keeps allocations from being optimised away. */
    @SuppressWarnings("unused")
    private static volatile byte[] garbage;

    @Test
    void metersDoNotKeepTheCacheAlive() {
        WeakReference<Cache<String, String>> collected = bindAndForgetACache();
        // Only a collection can show that nothing holds the cache. System.gc() is a hint the JVM may ignore
        // (-XX:+DisableExplicitGC); allocating makes collections happen. If the meters held the cache, this fails.
        await("the cache is collected once only the meters refer to it")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    for (int i = 0; i < 64; i++) {
                        garbage = new byte[1 << 20];
                    }
                    return collected.get() == null;
                });

        // Counters keep their last value rather than falling to zero; gauges have nothing left to report.
        assertThat(registry.get(MetricNames.CACHE_GETS)
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_LOAD)
                        .tag("result", "success")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_HIT_RATIO).gauge().value()).isNaN();
        assertThat(registry.get(MetricNames.CACHE_HIT_RATIO_RECENT).gauge().value())
                .isNaN();
    }

    private WeakReference<Cache<String, String>> bindAndForgetACache() {
        CacheRegistry caches = CacheRegistry.create();
        Cache<String, String> cache = Cachet.builder("transient")
                .registry(caches)
                .maximumSize(10)
                .executor(Runnable::run)
                .build();
        CachetMetrics.bind(cache, registry);
        cache.get("a", key -> "1");
        cache.getIfPresent("a");
        // Read once so the counters have seen these figures before the cache goes.
        assertThat(registry.get(MetricNames.CACHE_GETS)
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_LOAD)
                        .tag("result", "success")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        caches.remove("transient");
        return new WeakReference<>(cache);
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        Cache<String, String> cache = cache("quotes", 100);
        CacheRegistry caches = invariants.registry();

        assertThatThrownBy(() -> CachetMetrics.bind(null, registry))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cache");
        assertThatThrownBy(() -> CachetMetrics.bind(cache, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("registry");
        assertThatThrownBy(() -> CachetMetrics.bind(cache, registry, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("tags");
        assertThatThrownBy(() -> CachetMetrics.bind(cache, registry, Arrays.asList(Tag.of("a", "b"), null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("a tag in tags");
        assertThatThrownBy(() -> CachetMetrics.bindAll(null, registry))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("caches");
        assertThatThrownBy(() -> CachetMetrics.bindAll(caches, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("registry");
        assertThatThrownBy(() -> CachetMetrics.bindAll(caches, registry, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("tags");
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void aCacheWithARemoteTierAlsoExportsTheTiersFigures() {
        dev.cachet.testing.InMemoryRemoteTier tier = new dev.cachet.testing.InMemoryRemoteTier(clock);
        Cache<String, String> remote = Cachet.builder("shared")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .remote(tier, dev.cachet.testing.Utf8Codec.INSTANCE)
                .build();
        CachetMetrics.bind(remote, registry);
        remote.get("a", k -> "1");
        remote.get("a", k -> "1");
        remote.getIfPresent("b");
        tier.setDown(true);
        remote.get("c", k -> "3");

        assertThat(registry.get(MetricNames.CACHE_REMOTE_GETS)
                        .tags(MetricNames.TAG_RESULT, MetricNames.RESULT_HIT)
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_REMOTE_GETS)
                        .tags(MetricNames.TAG_RESULT, MetricNames.RESULT_MISS)
                        .functionCounter()
                        .count())
                .isEqualTo((double) remote.remoteStats().orElseThrow().misses());
        assertThat(registry.get(MetricNames.CACHE_REMOTE_ERRORS)
                        .functionCounter()
                        .count())
                .isEqualTo((double) remote.remoteStats().orElseThrow().errors())
                .isPositive();
        assertThat(registry.get(MetricNames.CACHE_REMOTE_FALLBACK_LOADS)
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MetricNames.CACHE_REMOTE_LOCK_WAITS)
                        .tags("cache", "shared")
                        .functionCounter())
                .isNotNull();
        assertThat(registry.find(MetricNames.CACHE_REMOTE_GETS)
                        .tags("cache", "quotes")
                        .meters())
                .as("in-memory caches get no remote meters")
                .isEmpty();
    }

    @Test
    void pendingInvalidationsAreAGaugeThatFallsBackOnceTheyAreApplied() {
        dev.cachet.testing.InMemoryRemoteTier tier = new dev.cachet.testing.InMemoryRemoteTier(clock);
        Cache<String, String> remote = Cachet.builder("shared")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .remote(tier, dev.cachet.testing.Utf8Codec.INSTANCE)
                .build();
        CachetMetrics.bind(remote, registry);
        tier.setDown(true);
        remote.invalidate("a");
        remote.put("b", "2");

        assertThat(registry.get(MetricNames.CACHE_REMOTE_PENDING_INVALIDATIONS)
                        .tags("cache", "shared")
                        .gauge()
                        .value())
                .isEqualTo(2.0);

        tier.setDown(false);
        clock.advance(dev.cachet.RemoteConfig.ofDefaults().breakerOpenDuration());
        remote.getIfPresent("c");
        assertThat(registry.get(MetricNames.CACHE_REMOTE_PENDING_INVALIDATIONS)
                        .gauge()
                        .value())
                .isZero();
    }
}
