package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.HitRatios;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.NullCaching;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A remote or near cache with a loader of its own, as {@code build(loader)} makes it: {@link #get(Object)} loads
 * through it, and so does refresh-ahead after a {@code get(key)} ({@code refreshAfterWrite}; a {@code get(key,
 * loader)} refreshes with the loader it was given). Everything else is the cache underneath. Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class RemoteLoadingCache<K, V> extends CacheView<K, V>
        implements LoadingCache<K, V>, LoadTracking, HitRatios, NullCaching<K> {
    private final Cache<K, V> cache;
    private final LoadTracking loads;
    private final HitRatios ratios;
    private final NullCaching<K> nulls;
    private final Function<? super K, ? extends @Nullable V> loader;

    /**
     * Wraps {@code cache}, a {@link RemoteCache} or {@link NearCache}.
     *
     * @param loader loads absent keys and refreshes due ones
     */
    <C extends Cache<K, V> & LoadTracking & HitRatios & NullCaching<K>> RemoteLoadingCache(
            C cache, Function<? super K, ? extends @Nullable V> loader) {
        super(cache);
        this.cache = cache;
        this.loads = cache;
        this.ratios = cache;
        this.nulls = cache;
        this.loader = requireNonNull(loader, "loader");
    }

    @Override
    public @Nullable V get(K key) {
        return cache.get(key, loader);
    }

    @Override
    public @Nullable V get(K key, Function<? super K, ? extends @Nullable V> loader) {
        return cache.get(key, loader);
    }

    @Override
    public @Nullable V getIfPresent(K key) {
        return cache.getIfPresent(key);
    }

    @Override
    public Map<K, V> getAllPresent(Iterable<? extends K> keys) {
        return cache.getAllPresent(keys);
    }

    @Override
    public Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        return cache.getAll(keys, bulkLoader);
    }

    @Override
    public void put(K key, V value) {
        cache.put(key, value);
    }

    @Override
    public void put(K key, V value, Duration ttl) {
        cache.put(key, value, ttl);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        cache.putAll(entries);
    }

    @Override
    public void invalidate(K key) {
        cache.invalidate(key);
    }

    @Override
    public void invalidateAll(Iterable<? extends K> keys) {
        cache.invalidateAll(keys);
    }

    @Override
    public int loadsInFlight() {
        return loads.loadsInFlight();
    }

    @Override
    public double cumulativeHitRatio() {
        return ratios.cumulativeHitRatio();
    }

    @Override
    public double recentHitRatio() {
        return ratios.recentHitRatio();
    }

    @Override
    public @Nullable HitRatios tier(Tier tier) {
        return ratios.tier(tier);
    }

    @Override
    public boolean cachesNulls() {
        return nulls.cachesNulls();
    }

    @Override
    public @Nullable Object lookupOrCachedNull(K key) {
        return nulls.lookupOrCachedNull(key);
    }

    @Override
    public void putNull(K key) {
        nulls.putNull(key);
    }
}
