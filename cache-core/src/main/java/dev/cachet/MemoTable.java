package dev.cachet;

import dev.cachet.internal.method.MemoKey;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The memory behind a memoised function: a bounded {@link LocalCache} keyed by {@link MemoKey}, which also stores
 * {@code null} results. A miss loads through the cache's single flight, outside any map lock, which is what lets a
 * memoised function call itself recursively. Thread-safe.
 */
final class MemoTable {
    private final LocalCache<Object, Object> cache;
    private final long maximumSize;
    private volatile CacheStats baseline = CacheStats.empty();

    MemoTable(long maximumSize, Copier<?> copier) {
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must not be negative, was " + maximumSize);
        }
        this.maximumSize = maximumSize;
        this.cache = new LocalCache<>(settings(maximumSize, copier));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static LocalCacheSettings<Object, Object> settings(long maximumSize, Copier<?> copier) {
        // The default copier passes the null marker (an enum) through by itself, and the cache recognises it by
        // identity for its fast path; only a user's copier must be kept from seeing the marker.
        Copier<Object> valueCopier = copier == Copier.identity() || copier == Copier.defensive()
                ? (Copier<Object>) copier
                : value -> value == MemoKey.NULL ? value : ((Copier) copier).copy(value);
        CacheConfig config = new CacheConfig(
                "memoized",
                OptionalLong.of(maximumSize),
                OptionalLong.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                0.80,
                1_000);
        Ticker ticker = Ticker.systemTicker();
        return new LocalCacheSettings<>(config, ticker, null, valueCopier, null, null, new LowHitRatioLogger(ticker));
    }

    /** Returns the remembered result for {@code key} (null stands for "not remembered"), counting a hit or miss. */
    @Nullable
    Object lookup(Object key) {
        return cache.lookup(key);
    }

    /**
     * Computes and remembers the result for {@code key} after a lookup missed; {@code compute} must return {@link
     * #wrap wrapped} results.
     */
    @Nullable
    Object load(Object key, Function<Object, Object> compute) {
        return cache.loadAfterMiss(key, compute);
    }

    /** Returns the cache, so the memoised functions' miss path can skip a frame (see {@link MemoizedFunction}). */
    LocalCache<Object, Object> cache() {
        return cache;
    }

    /** Turns a function's result into what the table stores ({@code null} becomes a marker). */
    static Object wrap(@Nullable Object result) {
        return result == null ? MemoKey.NULL : result;
    }

    /** Turns what {@link #lookup} or {@link #load} returned into the function's result. */
    static @Nullable Object unwrap(@Nullable Object stored) {
        return stored == MemoKey.NULL ? null : stored;
    }

    MemoStats stats() {
        cache.cleanUp();
        CacheStats stats = cache.stats().minus(baseline);
        return new MemoStats(stats.hitCount(), stats.missCount(), maximumSize, cache.estimatedSize());
    }

    void clear() {
        cache.invalidateAll();
        baseline = cache.stats();
    }
}
