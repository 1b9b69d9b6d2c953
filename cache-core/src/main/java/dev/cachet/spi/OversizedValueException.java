package dev.cachet.spi;

/**
 * Thrown by {@link RemoteStore#getAtMost(String, long)} when the stored value is longer than asked for. The cache
 * treats it as a value it cannot decode, that is a miss; callers never see it, which is why it is no {@code
 * dev.cachet.CacheException} (and so that this package does not depend on the API package).
 */
public final class OversizedValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long maxBytes;

    /**
     * Creates the exception.
     *
     * @param cacheName the cache whose value it is
     * @param size the stored value's length in bytes
     * @param maxBytes the most that was asked for
     */
    public OversizedValueException(String cacheName, long size, long maxBytes) {
        super(
                "a stored value of cache '" + cacheName + "' has " + size + " bytes, more than the " + maxBytes
                        + " asked for; it was not read",
                null);
        this.size = size;
        this.maxBytes = maxBytes;
    }

    /** Returns the stored value's length in bytes. */
    public long size() {
        return size;
    }

    /** Returns the most bytes that were asked for. */
    public long maxBytes() {
        return maxBytes;
    }
}
