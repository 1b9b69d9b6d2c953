package dev.cachet.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Assembles what {@code getAll} returns, for every kind of cache. Stateless. */
public final class BulkResults {
    private BulkResults() {}

    /**
     * Returns the values of {@code order}'s keys, taken from {@code present} first and {@code loaded} otherwise,
     * leaving out keys found in neither.
     *
     * @return an unmodifiable map in the iteration order of {@code order}
     */
    public static <K, V> Map<K, V> inKeyOrder(
            Iterable<? extends K> order, Map<K, V> present, Map<? extends K, ? extends V> loaded) {
        Map<K, V> result = new LinkedHashMap<>();
        for (K key : order) {
            V value = present.containsKey(key) ? present.get(key) : loaded.get(key);
            if (value != null) {
                result.put(key, value);
            }
        }
        return Collections.unmodifiableMap(result);
    }
}
