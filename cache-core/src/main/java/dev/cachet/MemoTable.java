package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheRegistry.Built;
import dev.cachet.internal.HitRatios;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.method.MemoKey;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The memory behind a memoised function: a bounded {@link LocalCache} keyed by {@link MemoKey}, which also stores
 * {@code null} results. A miss loads through the cache's single flight, outside any map lock, which is what lets a
 * memoised function call itself recursively. Thread-safe.
 *
 * <p>A named memo's table is what the {@link CacheRegistry} holds under its name, so that metrics and anything else
 * that finds caches by name see it: as a {@link Cache} it reports the memo's statistics, size and config, and {@link
 * #invalidateAll()} forgets every result; reads and writes by key throw {@link UnsupportedOperationException}, since
 * its keys and values are the memo's own encoding (the function is the way in).
 */
final class MemoTable implements Cache<Object, Object>, HitRatios, LoadTracking {
    /** The name of unnamed memos, in their hit-ratio warnings; they are not registered. */
    static final String UNNAMED = "memoized";

    private final LocalCache<Object, Object> cache;
    private final long maximumSize;
    private volatile CacheStats baseline = CacheStats.empty();

    MemoTable(long maximumSize, Copier<?> copier) {
        this(UNNAMED, maximumSize, copier);
    }

    /**
     * Creates the table of the memo named {@code name} (only its metrics and warnings use the name).
     *
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    MemoTable(String name, long maximumSize, Copier<?> copier) {
        this.maximumSize = requireValidSize(name, maximumSize);
        this.cache = new LocalCache<>(settings(name, maximumSize, copier));
    }

    /**
     * Returns the table registered in {@code registry} under {@code name} for this very {@code function}, size and
     * copier, or creates and registers one; a second {@code memoize} of one name with the same function therefore
     * shares its results.
     *
     * @param kind what is memoised, for the message when the name is taken by something else
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function, size or
     *     copier
     */
    static MemoTable registered(
            CacheRegistry registry, String name, String kind, Object function, long maximumSize, Copier<?> copier) {
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("memo name must not be blank, was '" + name + "'");
        }
        requireValidSize(name, maximumSize);
        CacheFingerprint fingerprint = new CacheFingerprint()
                .value("kind", kind)
                .instance("function", function)
                .value("maximumSize", maximumSize)
                .instance("copier", copier);
        return registry.getOrCreate(name, fingerprint, () -> Built.of(new MemoTable(name, maximumSize, copier)));
    }

    private static long requireValidSize(String name, long maximumSize) {
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must not be negative, was " + maximumSize
                    + (UNNAMED.equals(name) ? "" : " (memo '" + name + "')"));
        }
        return maximumSize;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static LocalCacheSettings<Object, Object> settings(String name, long maximumSize, Copier<?> copier) {
        // The default copier passes the null marker (an enum) through by itself, and the cache recognises it by
        // identity for its fast path; only a user's copier must be kept from seeing the marker.
        Copier<Object> valueCopier = copier == Copier.identity() || copier == Copier.defensive()
                ? (Copier<Object>) copier
                : value -> value == MemoKey.NULL ? value : ((Copier) copier).copy(value);
        CacheConfig config = new CacheConfig(
                name,
                OptionalLong.of(maximumSize),
                OptionalLong.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                CacheBuilder.DEFAULT_HIT_RATIO_THRESHOLD,
                CacheBuilder.DEFAULT_HIT_RATIO_WINDOW);
        Ticker ticker = Ticker.systemTicker();
        return new LocalCacheSettings<>(
                config, ticker, null, valueCopier, null, null, new LowHitRatioLogger(ticker), null);
    }

    /** Returns the cache, which the memoised functions call directly (see {@link MemoizedFunction}). */
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

    /** Returns the memo's figures since it was built or last cleared. */
    MemoStats memoStats() {
        cache.cleanUp();
        CacheStats stats = cache.stats().minus(baseline);
        return new MemoStats(stats.hitCount(), stats.missCount(), maximumSize, cache.estimatedSize());
    }

    /** Forgets every result and starts {@link #memoStats()} again; {@link #stats()} keeps counting. */
    void clear() {
        cache.invalidateAll();
        baseline = cache.stats();
    }

    // As a Cache, for the registry: figures read through, access by key refused.

    @Override
    public String name() {
        return cache.name();
    }

    /** Returns every figure since the memo was built: unlike {@link #memoStats()}, counters never go back. */
    @Override
    public CacheStats stats() {
        return cache.stats();
    }

    @Override
    public long estimatedSize() {
        return cache.estimatedSize();
    }

    @Override
    public void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public CacheConfig config() {
        return cache.config();
    }

    /** Forgets every remembered result, as the memo's {@code clear()} does. */
    @Override
    public void invalidateAll() {
        clear();
    }

    @Override
    public @Nullable Object get(Object key, Function<? super Object, ? extends @Nullable Object> loader) {
        throw byKey("get");
    }

    @Override
    public @Nullable Object getIfPresent(Object key) {
        throw byKey("getIfPresent");
    }

    @Override
    public Map<Object, Object> getAllPresent(Iterable<? extends Object> keys) {
        throw byKey("getAllPresent");
    }

    @Override
    public Map<Object, Object> getAll(
            Iterable<? extends Object> keys,
            Function<? super Set<? extends Object>, ? extends Map<? extends Object, ? extends Object>> bulkLoader) {
        throw byKey("getAll");
    }

    @Override
    public void put(Object key, Object value) {
        throw byKey("put");
    }

    @Override
    public void put(Object key, Object value, Duration ttl) {
        throw byKey("put");
    }

    @Override
    public void putAll(Map<? extends Object, ? extends Object> entries) {
        throw byKey("putAll");
    }

    @Override
    public void invalidateAll(Iterable<? extends Object> keys) {
        throw byKey("invalidateAll(keys)");
    }

    @Override
    public void invalidate(Object key) {
        throw byKey("invalidate");
    }

    private UnsupportedOperationException byKey(String operation) {
        return new UnsupportedOperationException("'" + name() + "' is a memoised function, not a cache: " + operation
                + " by key is not supported; call the function, or clear() it");
    }

    @Override
    public double cumulativeHitRatio() {
        return cache.cumulativeHitRatio();
    }

    @Override
    public double recentHitRatio() {
        return cache.recentHitRatio();
    }

    @Override
    public int loadsInFlight() {
        return cache.loadsInFlight();
    }

    @Override
    public String toString() {
        return "MemoTable[" + name() + ", size=" + cache.estimatedSize() + "]";
    }
}
