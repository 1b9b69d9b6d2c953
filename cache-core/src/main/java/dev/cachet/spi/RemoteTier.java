package dev.cachet.spi;

/**
 * A shared store, reachable from many processes, that caches keep encoded values in. One instance serves many
 * caches, each in its own namespace.
 *
 * <p>Implementations must be thread-safe. Closing a tier closes its connections; its stores then fail.
 */
public interface RemoteTier extends AutoCloseable {

    /**
     * Returns the store of the cache named {@code cacheName}; its keys can never collide with another cache's.
     *
     * @throws NullPointerException if {@code cacheName} is null
     */
    RemoteStore store(String cacheName);

    /**
     * Returns the invalidation channel of the cache named {@code cacheName}, for near caches over this tier.
     *
     * @throws NullPointerException if {@code cacheName} is null
     * @throws UnsupportedOperationException if this tier cannot carry invalidations
     */
    default InvalidationChannel invalidations(String cacheName) {
        throw new UnsupportedOperationException(describe() + " carries no invalidation messages");
    }

    /** Returns a short description for logs and health checks, such as the server address; never a password. */
    String describe();

    /** Releases the tier's connections. */
    @Override
    void close();
}
