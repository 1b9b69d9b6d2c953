package dev.cachet.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Belady's optimal policy, computed offline: on a miss the cache evicts the entry whose next use lies farthest in the
 * future, which may be the entry just requested (so a key never used again is not admitted). No online policy can
 * hit more often, which makes it the ceiling of every hit-ratio figure. Cold misses count as misses.
 */
public final class Belady {
    private Belady() {}

    /**
     * Returns the hit ratio of the optimal cache of {@code capacity} entries on {@code trace}.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static double hitRatio(int[] trace, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        int n = trace.length;
        if (n == 0) {
            return 0;
        }
        int[] nextUse = nextUses(trace);
        // The cache holds, for each resident key, the position of its next request. Those positions are distinct, so
        // the set is the cache: a request at position i hits exactly when position i is in it.
        TreeSet<Integer> resident = new TreeSet<>();
        long hits = 0;
        for (int i = 0; i < n; i++) {
            if (resident.remove(i)) {
                hits++;
            }
            resident.add(nextUse[i]);
            if (resident.size() > capacity) {
                resident.pollLast();
            }
        }
        return (double) hits / n;
    }

    /**
     * For each position, the position of the next request for the same key; for a key's last request, {@code n + i}:
     * beyond every real position, and distinct.
     */
    private static int[] nextUses(int[] trace) {
        int n = trace.length;
        int[] next = new int[n];
        Map<Integer, Integer> seenLater = new HashMap<>();
        for (int i = n - 1; i >= 0; i--) {
            Integer later = seenLater.put(trace[i], i);
            next[i] = later == null ? n + i : later;
        }
        return next;
    }
}
