package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a remote tier when this process has no free connection to it within the wait (its connection pool is
 * exhausted): the tier itself may be healthy, only this process is busy. The failure policy applies as to any {@link
 * CacheUnavailableException} (fail-open callers get the loader's value, fail-closed callers get this exception) and the
 * failure is counted in {@link RemoteStats#errors()}, but it does not count towards the circuit breaker: a burst of
 * load must not open it, which would send every caller to the loader and clear near tiers for nothing.
 */
public final class RemoteTierBusyException extends CacheUnavailableException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the cache and the operation
     * @param cause the underlying failure, may be null
     */
    public RemoteTierBusyException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
