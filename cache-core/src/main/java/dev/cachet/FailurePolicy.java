package dev.cachet;

/** What callers of a cache with a remote tier see when that tier cannot be reached. */
public enum FailurePolicy {
    /**
     * The default: the caller gets its value from the loader (still one load per key in this process), the failure is
     * logged once per outage and counted, and a circuit breaker spares later callers the wait for a timeout until a
     * probe finds the tier back. A {@code put}, {@code invalidate} or {@code invalidateAll} that may not have reached
     * the tier returns normally and becomes a pending invalidation of its key (of every key, past 10 000 keys): this
     * process reads no value from the tier until its next successful call to the tier has applied it, and a near cache
     * then publishes it again. Other processes may read the old value until then, or until its TTL if this process
     * dies first ({@link RemoteStats#pendingInvalidations()} shows how many are waiting).
     */
    FAIL_OPEN,
    /**
     * The caller gets a {@link CacheUnavailableException}; a {@code put} or {@code invalidate} that throws it may or
     * may not have reached the tier.
     */
    FAIL_CLOSED
}
