package dev.cachet.internal;

import org.jspecify.annotations.Nullable;

/**
 * What a cache built with {@code cacheNulls} says beyond the {@code Cache} API: whether a {@code null} is cached for a
 * key (rather than nothing), and how to cache one without a loader. Spring's cache adapter needs both to honour
 * Spring's contract for null values; the {@code Cache} API keeps returning a plain {@code null} for either. Every kind
 * of cache implements it. Not API: reachable only from Cachet's own modules. Thread-safe.
 *
 * @param <K> the type of keys
 */
public interface NullCaching<K> {
    /** What {@link #lookupOrCachedNull} returns for a key whose {@code null} is cached. */
    Object CACHED_NULL = CachedNull.INSTANCE;

    /** Returns whether this cache was built with {@code cacheNulls}. */
    boolean cachesNulls();

    /**
     * Looks {@code key} up once, counting a hit or a miss as {@code getIfPresent} does: returns a copy of its value,
     * {@link #CACHED_NULL} if a {@code null} is cached for it, or {@code null} if it is absent or expired.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Nullable
    Object lookupOrCachedNull(K key);

    /**
     * Caches a {@code null} for {@code key} for the cache's null TTL, replacing any value, as {@code put} does.
     *
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the cache was built without {@code cacheNulls}
     */
    void putNull(K key);

    /** The one {@link #CACHED_NULL}; an enum so that it prints and serialises as itself. */
    enum CachedNull {
        INSTANCE
    }
}
