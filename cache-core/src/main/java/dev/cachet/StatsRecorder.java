package dev.cachet;

import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link CacheStats}. Caffeine records hits, misses, refresh loads and evictions through the
 * {@link StatsCounter} side; the cache records its own loads and puts. Thread-safe: every counter is a {@link
 * LongAdder}, so the hit path pays one uncontended increment.
 */
// Caffeine's RemovalCause is spelled out in full: this package has its own RemovalCause.
final class StatsRecorder implements StatsCounter {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loadSuccesses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder loadTime = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder evictionWeight = new LongAdder();
    private final LongAdder puts = new LongAdder();

    @Override
    public void recordHits(int count) {
        hits.add(count);
    }

    @Override
    public void recordMisses(int count) {
        misses.add(count);
    }

    @Override
    public void recordLoadSuccess(long loadTimeNanos) {
        loadSuccesses.increment();
        loadTime.add(loadTimeNanos);
    }

    @Override
    public void recordLoadFailure(long loadTimeNanos) {
        loadFailures.increment();
        loadTime.add(loadTimeNanos);
    }

    @Override
    public void recordEviction(int weight, com.github.benmanes.caffeine.cache.RemovalCause cause) {
        evictions.increment();
        evictionWeight.add(weight);
    }

    /** Counts {@code count} stored entries. */
    public void recordPuts(int count) {
        puts.add(count);
    }

    /** Returns the hits so far; cheaper than a full snapshot. */
    public long hitCount() {
        return hits.sum();
    }

    /** Returns the misses so far; cheaper than a full snapshot. */
    public long missCount() {
        return misses.sum();
    }

    /** Returns an immutable snapshot of every counter. */
    public CacheStats cacheStats() {
        return cacheStats(0);
    }

    /** Returns an immutable snapshot of every counter, with the stale values served that the cache counted. */
    public CacheStats cacheStats(long staleServedCount) {
        return new CacheStats(
                hits.sum(),
                misses.sum(),
                loadSuccesses.sum(),
                loadFailures.sum(),
                loadTime.sum(),
                evictions.sum(),
                evictionWeight.sum(),
                puts.sum(),
                staleServedCount);
    }

    @Override
    public com.github.benmanes.caffeine.cache.stats.CacheStats snapshot() {
        CacheStats s = cacheStats();
        return com.github.benmanes.caffeine.cache.stats.CacheStats.of(
                s.hitCount(),
                s.missCount(),
                s.loadSuccessCount(),
                s.loadFailureCount(),
                s.totalLoadTimeNanos(),
                s.evictionCount(),
                s.evictionWeight());
    }
}
