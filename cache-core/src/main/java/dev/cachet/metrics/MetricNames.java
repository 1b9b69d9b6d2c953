package dev.cachet.metrics;

/**
 * The names of the meters {@link CachetMetrics} registers, and of their tags. The names are Micrometer's standard
 * cache meter names (those of {@code CacheMeterBinder} and {@code CaffeineCacheMetrics}), so dashboards built for
 * Caffeine or JCache work unchanged; the hit-ratio gauges and the remote and near meters are Cachet's own additions.
 *
 * <p>Every meter carries the tag {@link #TAG_CACHE} with the cache's name, plus the tags given to {@code bind}.
 *
 * <p>Constants only; this class needs no Micrometer on the class path.
 */
public final class MetricNames {

    /** Function counter of lookups, tagged {@link #TAG_RESULT} = {@link #RESULT_HIT} or {@link #RESULT_MISS}. */
    public static final String CACHE_GETS = "cache.gets";

    /** Function counter of entries stored, by {@code put} or by a load. */
    public static final String CACHE_PUTS = "cache.puts";

    /** Function counter of entries evicted by the size/weight bound or expiry. */
    public static final String CACHE_EVICTIONS = "cache.evictions";

    /** Gauge of the cache's estimated number of entries. */
    public static final String CACHE_SIZE = "cache.size";

    /** Function counter of the total weight of evicted entries. */
    public static final String CACHE_EVICTION_WEIGHT = "cache.eviction.weight";

    /** Function counter of loads, tagged {@link #TAG_RESULT} = {@link #RESULT_SUCCESS} or {@link #RESULT_FAILURE}. */
    public static final String CACHE_LOAD = "cache.load";

    /**
     * Function counter of expired values returned in place of a loader's failure, within the cache's {@code
     * staleIfError} grace.
     */
    public static final String CACHE_STALE_SERVED = "cache.stale.served";

    /** Time gauge of the total time spent loading, successful and failed loads together. */
    public static final String CACHE_LOAD_DURATION = "cache.load.duration";

    /**
     * Gauge of the cumulative hit ratio since the cache was built (1.0 before the first request); no base unit. For a
     * two-level cache, the combined ratio: a request hits if either tier answered it.
     */
    public static final String CACHE_HIT_RATIO = "cache.hit.ratio";

    /**
     * Gauge of the recent hit ratio: over the last window of requests, the window of the cache's {@code
     * hitRatioWarning} (1,000 requests by default), the ratio its low-hit-ratio warning watches. A cumulative ratio
     * since start hides a recent drop; this one shows it. Before the first window is full, the ratio of every request
     * so far; with the warning off (threshold 0), no windows are kept and it reads as {@link #CACHE_HIT_RATIO}. A
     * separate name rather than a tag on {@link #CACHE_HIT_RATIO}, so that every meter of one name keeps one
     * set of tag keys (Prometheus requires it) and the meter of earlier versions is unchanged.
     */
    public static final String CACHE_HIT_RATIO_RECENT = "cache.hit.ratio.recent";

    /**
     * Gauge of one tier's cumulative hit ratio in a two-level (near) cache, tagged {@link #TAG_TIER}: the near tier's
     * hits over all requests, the remote tier's hits over the requests the near tier passed on. {@link
     * #CACHE_HIT_RATIO} and {@link #CACHE_HIT_RATIO_RECENT} stay the combined ratios; the windows are kept for the
     * combined ratio only, so that the tiers' miss paths do no extra work.
     */
    public static final String CACHE_TIER_HIT_RATIO = "cache.tier.hit.ratio";

    /** Tag on every meter: the cache's name. */
    public static final String TAG_CACHE = "cache";

    /** Tag on {@link #CACHE_GETS} and {@link #CACHE_LOAD}: what the lookup or load came to. */
    public static final String TAG_RESULT = "result";

    /** Tag on {@link #CACHE_TIER_HIT_RATIO}: which tier. */
    public static final String TAG_TIER = "tier";

    /** {@link #TAG_TIER} of the near tier, the local copy in this process. */
    public static final String TIER_NEAR = "near";

    /** {@link #TAG_TIER} of the remote tier, shared between processes. */
    public static final String TIER_REMOTE = "remote";

    /** {@link #TAG_RESULT} of a lookup that found a value. */
    public static final String RESULT_HIT = "hit";

    /** {@link #TAG_RESULT} of a lookup that found none. */
    public static final String RESULT_MISS = "miss";

    /** {@link #TAG_RESULT} of a load that completed normally. */
    public static final String RESULT_SUCCESS = "success";

    /** {@link #TAG_RESULT} of a load that threw. */
    public static final String RESULT_FAILURE = "failure";

    private MetricNames() {}

    /** Reads the remote tier answered, tagged {@code result=hit|miss}. */
    public static final String CACHE_REMOTE_GETS = "cache.remote.gets";

    /** Remote-tier operations that failed because the tier was unreachable or too slow. */
    public static final String CACHE_REMOTE_ERRORS = "cache.remote.errors";

    /** Loads left to another process holding the cross-process load lock. */
    public static final String CACHE_REMOTE_LOCK_WAITS = "cache.remote.lock.waits";

    /** Waits for another process's load that ran out, after which this process loaded itself. */
    public static final String CACHE_REMOTE_LOCK_TIMEOUTS = "cache.remote.lock.timeouts";

    /** Stored values that could not be decoded and were treated as misses. */
    public static final String CACHE_REMOTE_DECODE_FAILURES = "cache.remote.decode.failures";

    /** Loads served from the loader alone because the remote tier was unavailable. */
    public static final String CACHE_REMOTE_FALLBACK_LOADS = "cache.remote.fallback.loads";

    /** Values recomputed before expiry by probabilistic early recompute. */
    public static final String CACHE_REMOTE_EARLY_RECOMPUTES = "cache.remote.early.recomputes";

    /** Values this process refreshed ahead of their expiry ({@code refreshAfterWrite}), under the tier's lock. */
    public static final String CACHE_REMOTE_REFRESHES = "cache.remote.refreshes";

    /**
     * A gauge: invalidations this process could not deliver to the remote tier under fail-open, not applied yet (1 for
     * a pending invalidation of every key).
     */
    public static final String CACHE_REMOTE_PENDING_INVALIDATIONS = "cache.remote.pending.invalidations";

    /** Reads the near tier answered, tagged {@code result=hit|miss} (a miss goes on to the remote tier). */
    public static final String CACHE_NEAR_GETS = "cache.near.gets";

    /** Invalidation messages from other processes applied to the near tier. */
    public static final String CACHE_NEAR_INVALIDATIONS = "cache.near.invalidations";

    /**
     * Invalidation messages this process could not send: other processes may serve the copies they would have dropped
     * until their near TTL ends, their channel reconnects, or this process sends a message again (and the lost ones
     * with it).
     */
    public static final String CACHE_NEAR_INVALIDATIONS_UNSENT = "cache.near.invalidations.unsent";

    /** Times the whole near tier was dropped (lost messages, recovery after an outage, an invalidate-all). */
    public static final String CACHE_NEAR_CLEARS = "cache.near.clears";

    /**
     * Function counter of writes and invalidations of a near cache with acknowledged invalidation, tagged {@link
     * #TAG_RESULT} = {@link #RESULT_ACKNOWLEDGED} or {@link #RESULT_UNACKNOWLEDGED}.
     */
    public static final String CACHE_NEAR_ACKNOWLEDGEMENTS = "cache.near.acknowledgements";

    /** Every receiving near tier confirmed in time. */
    public static final String RESULT_ACKNOWLEDGED = "acknowledged";

    /** The wait ran out, or the message could not be sent or its receivers counted. */
    public static final String RESULT_UNACKNOWLEDGED = "unacknowledged";
}
