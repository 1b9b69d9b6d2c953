package dev.cachet;

/**
 * An immutable snapshot of what a cache's remote tier did, beside its {@link CacheStats}.
 *
 * @param hits reads the tier answered with a value
 * @param misses reads the tier answered without one
 * @param errors operations that failed because the tier was unreachable or too slow
 * @param lockWaits loads this process left to another process holding the load lock
 * @param lockTimeouts waits that ran out or whose thread was interrupted, after which this process loaded itself
 * @param decodeFailures stored values that could not be decoded (foreign, corrupt or oversized): treated as misses
 * @param fallbackLoads loads served from the loader alone because the tier was unavailable
 * @param earlyRecomputes early recomputes begun (probabilistic early recompute, XFetch); one that fails serves the
 *     value it was to replace and is counted as a load failure in {@link CacheStats}
 * @param pendingInvalidations a gauge, not a counter: invalidations and writes this process could not deliver to the
 *     tier under fail-open, not applied yet (1 for a pending invalidation of every key, which replaces more than 10 000
 *     pending keys); while it is above 0 this process reads no value from the tier, and other processes may still read
 *     the values they invalidate
 * @param refreshes refreshes this process ran (refresh-ahead, {@code refreshAfterWrite}): each under the tier's lock,
 *     after a read found a value due; one whose loader fails keeps the old value and is counted as a load failure in
 *     {@link CacheStats}
 * @param staleServed expired values this tier returned in place of a failed reload ({@code staleIfError}); a near
 *     tier's own stale copies are counted in {@link NearStats#staleServed()}
 */
public record RemoteStats(
        long hits,
        long misses,
        long errors,
        long lockWaits,
        long lockTimeouts,
        long decodeFailures,
        long fallbackLoads,
        long earlyRecomputes,
        long pendingInvalidations,
        long refreshes,
        long staleServed) {

    /** Creates a snapshot with no stale value served, as before that figure existed. */
    public RemoteStats(
            long hits,
            long misses,
            long errors,
            long lockWaits,
            long lockTimeouts,
            long decodeFailures,
            long fallbackLoads,
            long earlyRecomputes,
            long pendingInvalidations,
            long refreshes) {
        this(
                hits,
                misses,
                errors,
                lockWaits,
                lockTimeouts,
                decodeFailures,
                fallbackLoads,
                earlyRecomputes,
                pendingInvalidations,
                refreshes,
                0);
    }

    /** Creates a snapshot without refreshes, as before that figure existed. */
    public RemoteStats(
            long hits,
            long misses,
            long errors,
            long lockWaits,
            long lockTimeouts,
            long decodeFailures,
            long fallbackLoads,
            long earlyRecomputes,
            long pendingInvalidations) {
        this(
                hits,
                misses,
                errors,
                lockWaits,
                lockTimeouts,
                decodeFailures,
                fallbackLoads,
                earlyRecomputes,
                pendingInvalidations,
                0);
    }

    /** Creates a snapshot with no pending invalidations, as before that figure existed. */
    public RemoteStats(
            long hits,
            long misses,
            long errors,
            long lockWaits,
            long lockTimeouts,
            long decodeFailures,
            long fallbackLoads,
            long earlyRecomputes) {
        this(hits, misses, errors, lockWaits, lockTimeouts, decodeFailures, fallbackLoads, earlyRecomputes, 0);
    }
}
