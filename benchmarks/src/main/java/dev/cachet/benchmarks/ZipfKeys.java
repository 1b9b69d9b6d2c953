package dev.cachet.benchmarks;

import java.util.SplittableRandom;

/**
 * Zipf-distributed key indexes, drawn once from a fixed seed so every run and every compared cache sees the same
 * sequence: key {@code i} (0-based) is drawn with probability proportional to {@code 1 / (i + 1)^exponent}.
 */
public final class ZipfKeys {
    private ZipfKeys() {}

    /**
     * Draws {@code count} key indexes in {@code [0, keySpace)}.
     *
     * @param exponent the Zipf exponent {@code s}; 1.0 is the classic web-cache skew
     * @param seed the random seed; equal arguments give equal arrays
     * @throws IllegalArgumentException if {@code keySpace} or {@code count} is not positive, or {@code exponent} is
     *     negative
     */
    public static int[] sample(int keySpace, double exponent, int count, long seed) {
        if (keySpace < 1 || count < 1) {
            throw new IllegalArgumentException(
                    "keySpace and count must be positive, were " + keySpace + " and " + count);
        }
        if (!(exponent >= 0)) {
            throw new IllegalArgumentException("exponent must not be negative, was " + exponent);
        }
        double[] cumulative = new double[keySpace];
        double total = 0;
        for (int i = 0; i < keySpace; i++) {
            total += 1.0 / Math.pow(i + 1, exponent);
            cumulative[i] = total;
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] keys = new int[count];
        for (int n = 0; n < count; n++) {
            keys[n] = firstAtLeast(cumulative, random.nextDouble() * total);
        }
        return keys;
    }

    /** Inverse-CDF lookup: the first index whose cumulative weight reaches {@code target}. */
    private static int firstAtLeast(double[] cumulative, double target) {
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] < target) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
