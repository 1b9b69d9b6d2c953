package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Cache} built with its own loader, as {@link CacheBuilder#build(java.util.function.Function)} returns. It
 * is the only kind of cache that can refresh entries in the background ({@link
 * CacheBuilder#refreshAfterWrite(java.time.Duration)}), since a refresh needs a loader that is not tied to a caller.
 *
 * <p>Thread-safe, like every {@link Cache}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface LoadingCache<K, V> extends Cache<K, V> {

    /**
     * Returns the value for {@code key}, loading it with the cache's loader if absent or expired; the same contract
     * as {@link #get(Object, java.util.function.Function)}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Nullable
    V get(K key);
}
