package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a loader failed with a checked exception (which a {@link java.util.function.Function} can only throw
 * by stealth). Unchecked exceptions and errors from a loader reach the caller unchanged.
 */
public final class CacheLoadException extends CacheException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the cache and the key
     * @param cause the loader's checked exception
     */
    public CacheLoadException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
