package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a cache's remote tier cannot be reached and its failure policy says to fail rather than fall back to
 * the loader. Remote tiers throw it from their {@link dev.cachet.spi.RemoteStore} operations; callers only see it
 * under the fail-closed policy. A {@link RemoteTierBusyException} says that this process, not the tier, is the
 * bottleneck.
 */
public sealed class CacheUnavailableException extends CacheException permits RemoteTierBusyException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the cache and the operation
     * @param cause the underlying failure, may be null
     */
    public CacheUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
