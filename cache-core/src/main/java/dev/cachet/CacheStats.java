package dev.cachet;

/**
 * An immutable snapshot of a cache's statistics. Counts are cumulative since the cache was built; use {@link
 * #minus(CacheStats)} for the figures of an interval.
 *
 * @param hitCount lookups that found a value, or a cached {@code null} (see {@code CacheBuilder.cacheNulls})
 * @param missCount lookups that found none (and so loaded, or returned {@code null})
 * @param loadSuccessCount loads that completed normally, including those returning {@code null}
 * @param loadFailureCount loads that threw
 * @param totalLoadTimeNanos time spent in loads, in nanoseconds
 * @param evictionCount entries evicted by the size/weight bound or expiry
 * @param evictionWeight total weight of the evicted entries
 * @param putCount entries stored, by {@code put} or by a load
 * @param staleServedCount expired values returned in place of a loader's failure (see {@code
 *     CacheBuilder.staleIfError})
 */
public record CacheStats(
        long hitCount,
        long missCount,
        long loadSuccessCount,
        long loadFailureCount,
        long totalLoadTimeNanos,
        long evictionCount,
        long evictionWeight,
        long putCount,
        long staleServedCount) {

    private static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * Validates the counts.
     *
     * @throws IllegalArgumentException if any count is negative
     */
    public CacheStats {
        requireNonNegative("hitCount", hitCount);
        requireNonNegative("missCount", missCount);
        requireNonNegative("loadSuccessCount", loadSuccessCount);
        requireNonNegative("loadFailureCount", loadFailureCount);
        requireNonNegative("totalLoadTimeNanos", totalLoadTimeNanos);
        requireNonNegative("evictionCount", evictionCount);
        requireNonNegative("evictionWeight", evictionWeight);
        requireNonNegative("putCount", putCount);
        requireNonNegative("staleServedCount", staleServedCount);
    }

    /**
     * Builds the statistics of a cache that served no stale value.
     *
     * @throws IllegalArgumentException if any count is negative
     */
    public CacheStats(
            long hitCount,
            long missCount,
            long loadSuccessCount,
            long loadFailureCount,
            long totalLoadTimeNanos,
            long evictionCount,
            long evictionWeight,
            long putCount) {
        this(
                hitCount,
                missCount,
                loadSuccessCount,
                loadFailureCount,
                totalLoadTimeNanos,
                evictionCount,
                evictionWeight,
                putCount,
                0);
    }

    /** Returns the statistics of a cache that has seen nothing. */
    public static CacheStats empty() {
        return EMPTY;
    }

    /** Returns {@code hitCount + missCount}. */
    public long requestCount() {
        return hitCount + missCount;
    }

    /** Returns the fraction of requests that hit, or 1.0 when there were no requests (nothing was missed). */
    public double hitRatio() {
        long requests = requestCount();
        return requests == 0 ? 1.0 : (double) hitCount / requests;
    }

    /** Returns the fraction of requests that missed, or 0.0 when there were no requests. */
    public double missRatio() {
        long requests = requestCount();
        return requests == 0 ? 0.0 : (double) missCount / requests;
    }

    /** Returns {@code loadSuccessCount + loadFailureCount}. */
    public long loadCount() {
        return loadSuccessCount + loadFailureCount;
    }

    /** Returns the mean time of a load in nanoseconds, or 0.0 when nothing was loaded. */
    public double averageLoadPenaltyNanos() {
        long loads = loadCount();
        return loads == 0 ? 0.0 : (double) totalLoadTimeNanos / loads;
    }

    /**
     * Returns the difference {@code this - earlier}, each count floored at zero: the figures of the interval between
     * two snapshots.
     */
    public CacheStats minus(CacheStats earlier) {
        return new CacheStats(
                Math.max(0, hitCount - earlier.hitCount),
                Math.max(0, missCount - earlier.missCount),
                Math.max(0, loadSuccessCount - earlier.loadSuccessCount),
                Math.max(0, loadFailureCount - earlier.loadFailureCount),
                Math.max(0, totalLoadTimeNanos - earlier.totalLoadTimeNanos),
                Math.max(0, evictionCount - earlier.evictionCount),
                Math.max(0, evictionWeight - earlier.evictionWeight),
                Math.max(0, putCount - earlier.putCount),
                Math.max(0, staleServedCount - earlier.staleServedCount));
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
