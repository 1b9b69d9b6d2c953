package dev.cachet;

/**
 * Computes the relative weight of an entry for {@link CacheBuilder#maximumWeight(long, Weigher)}. The weight is
 * computed once, when the entry is stored.
 *
 * <p>Must be thread-safe, fast, and must not call back into the cache.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
@FunctionalInterface
public interface Weigher<K, V> {

    /**
     * Returns the weight of the entry; must not be negative.
     *
     * @param key the key, never null
     * @param value the value as stored (after copying), never null
     */
    int weigh(K key, V value);
}
