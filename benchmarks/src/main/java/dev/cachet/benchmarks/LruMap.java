package dev.cachet.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The textbook LRU cache: an access-ordered {@link LinkedHashMap} that drops its eldest entry once it holds more
 * than {@code capacity} entries. It is the baseline of the hit-ratio figures and, wrapped in {@code synchronized},
 * the equivalent of Python's {@code functools.lru_cache} in the memoisation benchmark.
 *
 * <p>Not thread-safe on its own: callers that share one synchronize on it.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class LruMap<K, V> extends LinkedHashMap<K, V> {
    private static final long serialVersionUID = 1L;

    private final int capacity;

    /**
     * Creates an empty LRU map.
     *
     * @param capacity the most entries it keeps, at least 1
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public LruMap(int capacity) {
        // Sized so that it never rehashes at full capacity: rehashing would show up in the timings.
        super((int) (capacity / 0.75f) + 1, 0.75f, true);
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
