package dev.cachet.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;

/**
 * The key stream of the hit benchmarks (P1, P2, P9): {@value #SAMPLES} Zipf samples ({@code s = 1}) over {@value
 * #KEY_SPACE} keys, drawn once. Keys are pre-boxed {@code Integer}s, so looking one up allocates nothing, and values
 * are {@code String}s, which Cachet's default copier passes through without copying.
 */
public final class HitWorkload {
    /** Distinct keys; every one of them is loaded before measuring, so every lookup hits. */
    public static final int KEY_SPACE = 10_000;

    /** Cache bound for Cachet and every baseline: twice the key space, so that nothing is ever evicted. */
    public static final int BOUND = 2 * KEY_SPACE;

    /** Length of the precomputed key sequence; a power of two so a cursor wraps with a mask. */
    public static final int SAMPLES = 1 << 16;

    /** The Zipf exponent. */
    public static final double EXPONENT = 1.0;

    /** The loader and memoised function: what a miss would compute. A constant, so passing it allocates nothing. */
    public static final Function<Integer, String> VALUE = key -> "value-" + key;

    private static final Integer[] KEYS = boxedKeys();
    private static final Integer[] SEQUENCE = sequence();

    private HitWorkload() {}

    /** Returns the key at {@code index} of the Zipf sequence; {@code index} in {@code [0, SAMPLES)}. */
    static Integer keyAt(int index) {
        return SEQUENCE[index];
    }

    /** Returns every distinct key, for pre-filling. */
    static Integer[] allKeys() {
        return KEYS.clone();
    }

    /**
     * Returns the raw Caffeine baseline of the hit benchmarks: bounded by {@link #BOUND}, recording statistics as
     * Cachet does, every key present, and the heap compacted after the fill. Each key is stored by {@code put}, as
     * Cachet's cache is filled in {@link CacheHitBenchmark}.
     */
    static Cache<Integer, String> filledCaffeine() {
        return filledCaffeine(false);
    }

    /**
     * Returns the raw Caffeine baseline, as {@link #filledCaffeine()}, with each key computed through {@code get(key,
     * fn)} instead: the way a memo fills itself, and so the baseline of {@link MemoizedHitBenchmark}. The fill shows in
     * the hits that follow (a baseline filled by {@code put} read 18 % faster in one run), so each benchmark's baseline
     * is filled the way the Cachet side it is measured against is.
     */
    static Cache<Integer, String> filledCaffeine(boolean computed) {
        Cache<Integer, String> cache =
                Caffeine.newBuilder().maximumSize(BOUND).recordStats().build();
        for (Integer key : KEYS) {
            if (computed) {
                var unused = cache.get(key, VALUE);
            } else {
                cache.put(key, VALUE.apply(key));
            }
        }
        cache.cleanUp();
        compactHeap();
        return cache;
    }

    /**
     * Runs full collections after a pre-fill, so the entries sit compacted in the old generation as in a long-running
     * application, rather than interleaved with the fill's garbage in allocation order.
     */
    static void compactHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    /**
     * Fails a hit benchmark's trial that missed.
     *
     * @throws IllegalStateException if {@code misses} is not zero
     */
    static void requireNoMisses(String variant, long misses) {
        if (misses != 0) {
            throw new IllegalStateException(
                    "the hit benchmark of " + variant + " missed " + misses + " times while measuring");
        }
    }

    private static Integer[] boxedKeys() {
        Integer[] keys = new Integer[KEY_SPACE];
        for (int i = 0; i < KEY_SPACE; i++) {
            // new Integer is deprecated; valueOf only caches -128..127, so every other key is its own object anyway.
            keys[i] = Integer.valueOf(i);
        }
        return keys;
    }

    private static Integer[] sequence() {
        int[] indexes = ZipfKeys.sample(KEY_SPACE, EXPONENT, SAMPLES, 0x5EED_CAC4E7L);
        Integer[] sequence = new Integer[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            sequence[i] = KEYS[indexes[i]];
        }
        return sequence;
    }
}
