package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Cache} built with its own loader, as {@link CacheBuilder#build(java.util.function.Function)} returns, in
 * memory or over a remote tier. Its loader also refreshes entries in the background ({@link
 * CacheBuilder#refreshAfterWrite(java.time.Duration)}): in memory always, over a remote tier after a {@link #get(Object)}
 * (a {@code get(key, loader)} refreshes with the loader it was given).
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
