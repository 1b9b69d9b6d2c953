package dev.cachet;

/** What callers of a cache with a remote tier see when that tier cannot be reached. */
public enum FailurePolicy {
    /**
     * The default: the caller gets its value from the loader (still one load per key in this process), the failure is
     * logged once per outage and counted, and a circuit breaker spares later callers the wait for a timeout until a
     * probe finds the tier back.
     */
    FAIL_OPEN,
    /** The caller gets a {@link CacheUnavailableException}. */
    FAIL_CLOSED
}
