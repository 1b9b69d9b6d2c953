package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * The root of the exceptions Cachet throws for its own failures (as opposed to a bad argument, which is an {@link
 * IllegalArgumentException}, or a loader's own exception, which reaches the caller unchanged).
 */
public class CacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, naming the cache
     * @param cause the underlying failure, may be null
     */
    public CacheException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
