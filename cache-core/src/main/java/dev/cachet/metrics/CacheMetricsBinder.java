package dev.cachet.metrics;

import dev.cachet.Cache;
import dev.cachet.CacheStats;
import dev.cachet.NearStats;
import dev.cachet.RemoteStats;
import dev.cachet.internal.HitRatios;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Binds one {@link Cache} to a {@link MeterRegistry}. The standard meters ({@value MetricNames#CACHE_GETS}, {@value
 * MetricNames#CACHE_PUTS}, {@value MetricNames#CACHE_EVICTIONS}, {@value MetricNames#CACHE_SIZE}) come from
 * Micrometer's {@link CacheMeterBinder}; this class adds the ones Micrometer's {@code CaffeineCacheMetrics} adds,
 * plus {@value MetricNames#CACHE_HIT_RATIO} and {@value MetricNames#CACHE_HIT_RATIO_RECENT}, and for two-level caches
 * the per-tier {@value MetricNames#CACHE_TIER_HIT_RATIO}. Every figure comes from {@link Cache#stats()},
 * {@link Cache#estimatedSize()} and the cache's own hit-ratio windows, read when the registry publishes.
 *
 * <p>The cache is held weakly (by the base class, and by Micrometer for the meters added here), so binding never
 * keeps a discarded cache alive. Once it is collected, counters keep their last value, {@value MetricNames#CACHE_SIZE}
 * reports 0 and the hit ratios NaN.
 *
 * <p>Thread-safe.
 */
final class CacheMetricsBinder extends CacheMeterBinder<Cache<?, ?>> {

    // The last snapshot read: once the cache is collected, the base class's counters keep this value instead of
    // falling to zero, which a monotonic counter must never do.
    private volatile CacheStats lastStats = CacheStats.empty();

    /**
     * Prepares the meters of {@code cache}, tagged with its name and {@code tags}; {@link #bindTo} registers them.
     *
     * @throws NullPointerException if an argument is null
     */
    CacheMetricsBinder(Cache<?, ?> cache, Iterable<Tag> tags) {
        super(cache, cache.name(), tags);
    }

    private CacheStats stats() {
        Cache<?, ?> cache = getCache();
        if (cache == null) {
            return lastStats;
        }
        CacheStats stats = cache.stats();
        lastStats = stats;
        return stats;
    }

    @Override
    protected @Nullable Long size() {
        Cache<?, ?> cache = getCache();
        return cache == null ? null : cache.estimatedSize();
    }

    @Override
    protected long hitCount() {
        return stats().hitCount();
    }

    @Override
    protected Long missCount() {
        return stats().missCount();
    }

    @Override
    protected Long evictionCount() {
        return stats().evictionCount();
    }

    @Override
    protected long putCount() {
        return stats().putCount();
    }

    @Override
    protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
        Cache<?, ?> cache = getCache();
        if (cache == null) {
            return;
        }
        // As in CaffeineCacheMetrics: the cache is the meters' state object, which Micrometer holds weakly, and the
        // functions capture nothing, so these meters do not keep the cache alive either.
        FunctionCounter.builder(
                        MetricNames.CACHE_EVICTION_WEIGHT, cache, c -> c.stats().evictionWeight())
                .tags(getTagsWithCacheName())
                .description("The sum of weights of evicted entries. This total does not include manual invalidations.")
                .register(registry);

        TimeGauge.builder(
                        MetricNames.CACHE_LOAD_DURATION,
                        cache,
                        TimeUnit.NANOSECONDS,
                        c -> c.stats().totalLoadTimeNanos())
                .tags(getTagsWithCacheName())
                .description("The time the cache has spent loading new values")
                .register(registry);

        String loadDescription = "The number of times cache lookup methods have successfully loaded a new value or"
                + " failed to load a new value because an exception was thrown while loading";
        FunctionCounter.builder(MetricNames.CACHE_LOAD, cache, c -> c.stats().loadSuccessCount())
                .tags(getTagsWithCacheName())
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_SUCCESS)
                .description(loadDescription)
                .register(registry);
        FunctionCounter.builder(MetricNames.CACHE_LOAD, cache, c -> c.stats().loadFailureCount())
                .tags(getTagsWithCacheName())
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_FAILURE)
                .description(loadDescription)
                .register(registry);

        FunctionCounter.builder(
                        MetricNames.CACHE_STALE_SERVED, cache, c -> c.stats().staleServedCount())
                .tags(getTagsWithCacheName())
                .description("The number of expired values returned because loading a fresh one failed")
                .register(registry);

        Gauge.builder(MetricNames.CACHE_HIT_RATIO, cache, c -> c.stats().hitRatio())
                .tags(getTagsWithCacheName())
                .description("The fraction of lookups that found a value since the cache was built;"
                        + " 1.0 before the first lookup")
                .register(registry);

        if (cache instanceof HitRatios ratios) {
            bindHitRatios(registry, cache, ratios);
        }
        if (cache.remoteStats().isPresent()) {
            bindRemoteMetrics(registry, cache);
        }
        if (cache.nearStats().isPresent()) {
            bindNearMetrics(registry, cache);
        }
    }

    /** The recent ratio of every cache Cachet builds, and each tier's ratios of a two-level cache. */
    private void bindHitRatios(MeterRegistry registry, Cache<?, ?> cache, HitRatios ratios) {
        Gauge.builder(MetricNames.CACHE_HIT_RATIO_RECENT, cache, c -> ((HitRatios) c).recentHitRatio())
                .tags(getTagsWithCacheName())
                .description("The fraction of lookups that found a value over the last window of requests")
                .register(registry);
        for (HitRatios.Tier tier : HitRatios.Tier.values()) {
            if (ratios.tier(tier) == null) {
                continue;
            }
            String tag = tier == HitRatios.Tier.NEAR ? MetricNames.TIER_NEAR : MetricNames.TIER_REMOTE;
            // The function captures only the tier, a constant, so the gauge keeps holding the cache weakly.
            Gauge.builder(MetricNames.CACHE_TIER_HIT_RATIO, cache, c -> tierRatio(c, tier))
                    .tags(getTagsWithCacheName())
                    .tag(MetricNames.TAG_TIER, tag)
                    .description("The fraction of the tier's lookups that found a value since the cache was built")
                    .register(registry);
        }
    }

    private static double tierRatio(Cache<?, ?> cache, HitRatios.Tier tier) {
        HitRatios ratios = ((HitRatios) cache).tier(tier);
        return ratios == null ? Double.NaN : ratios.cumulativeHitRatio();
    }

    private void bindNearMetrics(MeterRegistry registry, Cache<?, ?> cache) {
        nearCounter(cache, MetricNames.CACHE_NEAR_GETS, NearStats::hits, "Reads the near tier answered")
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_HIT)
                .register(registry);
        nearCounter(cache, MetricNames.CACHE_NEAR_GETS, NearStats::misses, "Reads the near tier passed on")
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_MISS)
                .register(registry);
        nearCounter(
                        cache,
                        MetricNames.CACHE_NEAR_INVALIDATIONS,
                        NearStats::invalidationsReceived,
                        "Invalidation messages from other processes applied")
                .register(registry);
        nearCounter(
                        cache,
                        MetricNames.CACHE_NEAR_INVALIDATIONS_UNSENT,
                        NearStats::invalidationsNotSent,
                        "Invalidation messages this process could not send")
                .register(registry);
        nearCounter(cache, MetricNames.CACHE_NEAR_CLEARS, NearStats::clears, "Times the whole near tier was dropped")
                .register(registry);
        nearCounter(
                        cache,
                        MetricNames.CACHE_NEAR_ACKNOWLEDGEMENTS,
                        NearStats::acknowledged,
                        "Writes whose invalidation every receiving near tier confirmed in time")
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_ACKNOWLEDGED)
                .register(registry);
        nearCounter(
                        cache,
                        MetricNames.CACHE_NEAR_ACKNOWLEDGEMENTS,
                        NearStats::unacknowledged,
                        "Writes that returned without every near tier's confirmation")
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_UNACKNOWLEDGED)
                .register(registry);
    }

    private FunctionCounter.Builder<Cache<?, ?>> nearCounter(
            Cache<?, ?> cache, String name, ToLongFunction<NearStats> figure, String help) {
        return FunctionCounter.<Cache<?, ?>>builder(
                        name, cache, c -> c.nearStats().map(figure::applyAsLong).orElse(0L))
                .tags(getTagsWithCacheName())
                .description(help);
    }

    private void bindRemoteMetrics(MeterRegistry registry, Cache<?, ?> cache) {
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_GETS,
                        RemoteStats::hits,
                        "Reads the remote tier" + " answered with a value")
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_HIT)
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_GETS,
                        RemoteStats::misses,
                        "Reads the remote tier" + " answered without a value")
                .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_MISS)
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_ERRORS,
                        RemoteStats::errors,
                        "Remote-tier" + " operations that failed")
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_LOCK_WAITS,
                        RemoteStats::lockWaits,
                        "Loads left to" + " another process holding the load lock")
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_LOCK_TIMEOUTS,
                        RemoteStats::lockTimeouts,
                        "Waits" + " for another process's load that ran out")
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_DECODE_FAILURES,
                        RemoteStats::decodeFailures,
                        "Stored values that could not be decoded")
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_FALLBACK_LOADS,
                        RemoteStats::fallbackLoads,
                        "Loads" + " served from the loader alone because the remote tier was unavailable")
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_EARLY_RECOMPUTES,
                        RemoteStats::earlyRecomputes,
                        "Values recomputed before expiry")
                .register(registry);
        remoteCounter(
                        cache,
                        MetricNames.CACHE_REMOTE_REFRESHES,
                        RemoteStats::refreshes,
                        "Values refreshed ahead of expiry under the remote tier's lock")
                .register(registry);
        // A gauge: it falls back to 0 once they are applied. Like the counters, it captures nothing but the state.
        Gauge.builder(
                        MetricNames.CACHE_REMOTE_PENDING_INVALIDATIONS,
                        cache,
                        c -> c.remoteStats()
                                .map(RemoteStats::pendingInvalidations)
                                .orElse(0L))
                .tags(getTagsWithCacheName())
                .description("Invalidations not delivered to the remote tier yet, applied before it is read again")
                .register(registry);
    }

    private FunctionCounter.Builder<Cache<?, ?>> remoteCounter(
            Cache<?, ?> cache, String name, ToLongFunction<RemoteStats> figure, String help) {
        return FunctionCounter.<Cache<?, ?>>builder(
                        name,
                        cache,
                        c -> c.remoteStats().map(figure::applyAsLong).orElse(0L))
                .tags(getTagsWithCacheName())
                .description(help);
    }
}
