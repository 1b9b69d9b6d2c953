package dev.cachet;

/**
 * What a memoised function reports, like Python's {@code cache_info()}: an immutable snapshot.
 *
 * @param hits calls answered from memory
 * @param misses calls that ran the function
 * @param maxSize the bound on remembered results
 * @param currentSize how many results are remembered now
 */
public record MemoStats(long hits, long misses, long maxSize, long currentSize) {

    /** Returns the fraction of calls answered from memory, or 1.0 before any call. */
    public double hitRatio() {
        long calls = hits + misses;
        return calls == 0 ? 1.0 : (double) hits / calls;
    }

    @Override
    public String toString() {
        return "MemoStats[hits=" + hits + ", misses=" + misses + ", maxSize=" + maxSize + ", currentSize=" + currentSize
                + "]";
    }
}
