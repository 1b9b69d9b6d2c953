package dev.cachet;

/**
 * Told about each entry that leaves a cache. Runs asynchronously on the cache's executor, after the removal. A
 * listener that throws is logged and ignored: it never breaks the cache.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
@FunctionalInterface
public interface RemovalListener<K, V> {

    /**
     * Called once per removed entry.
     *
     * @param key the removed key, never null
     * @param value the removed value as it was stored, never null
     * @param cause why it was removed
     */
    void onRemoval(K key, V value, RemovalCause cause);
}
