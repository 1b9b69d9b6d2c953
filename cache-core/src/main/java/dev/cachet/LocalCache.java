package dev.cachet;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cachet.internal.BulkResults;
import dev.cachet.internal.HitRatios;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.SingleFlight;
import dev.cachet.internal.copy.Immutability;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory cache: Caffeine does storage, bounds, expiry and refresh; this class adds single-flight loads that run
 * outside Caffeine's map locks, defensive copies, and the hit-ratio monitor. The hit path is one Caffeine {@code
 * getIfPresent} plus, for mutable value types only, a copy.
 *
 * <p>Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
// Sealed rather than final: its one subclass adds a cache-wide loader (refreshes go through it); nobody else extends
// it.
sealed class LocalCache<K, V> implements Cache<K, V>, LoadTracking, HitRatios permits LocalLoadingCache {
    private static final Logger log = LoggerFactory.getLogger(LocalCache.class);

    private final CacheConfig config;
    private final com.github.benmanes.caffeine.cache.Cache<K, V> store;
    private final Copier<V> copier;
    private final boolean copying;
    private final boolean defaultCopier;
    private @Nullable Class<?> immutableType; // the last always-immutable value class seen; see copyOut
    private final Ticker ticker;
    private final StatsRecorder stats = new StatsRecorder();
    private final SingleFlight<K, V> flights;
    private final HitRatioMonitor monitor;
    private final SingleFlight.Participant<K, V> participant = new Participant();

    /**
     * Builds a cache without a loader of its own.
     *
     * @param settings validated settings
     */
    LocalCache(LocalCacheSettings<K, V> settings) {
        this(settings, null);
    }

    /**
     * Builds a cache; with a loader, Caffeine refreshes entries through it.
     *
     * @param loader the cache's own loader, or null
     */
    LocalCache(LocalCacheSettings<K, V> settings, Function<? super K, ? extends @Nullable V> loader) {
        this.config = settings.config();
        this.copier = settings.copier();
        this.copying = copier != Copier.identity();
        this.defaultCopier = copier == Copier.defensive();
        this.ticker = settings.ticker();
        this.flights = new SingleFlight<>(config.name(), CacheLoadException::new);
        Caffeine<K, V> caffeine = caffeine(settings);
        this.store = loader == null ? caffeine.build() : caffeine.build(key -> copyIn(loader.apply(key)));
        this.monitor = new HitRatioMonitor(
                config.name(),
                config.hitRatioThreshold(),
                config.hitRatioWindow(),
                () -> store.stats().hitCount(),
                () -> store.stats().missCount(),
                store::estimatedSize,
                config.bound(),
                settings.lowHitRatioHandler());
    }

    @SuppressWarnings("unchecked")
    private Caffeine<K, V> caffeine(LocalCacheSettings<K, V> settings) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        config.maximumSize().ifPresent(builder::maximumSize);
        config.expireAfterWrite().ifPresent(builder::expireAfterWrite);
        config.expireAfterAccess().ifPresent(builder::expireAfterAccess);
        config.refreshAfterWrite().ifPresent(builder::refreshAfterWrite);
        if (ticker != Ticker.systemTicker()) {
            builder.ticker(ticker::read);
        }
        if (settings.executor() != null) {
            builder.executor(settings.executor());
        }
        // Caffeine's own counter keeps hits, misses, evictions and refresh loads: a supplied counter would be wrapped
        // in a guard, one more call on every hit. Our recorder keeps the loads we run and the puts.
        builder.recordStats();
        Caffeine<K, V> typed = (Caffeine<K, V>) builder;
        if (config.maximumWeight().isPresent()) {
            var weigher = requireNonNull(settings.weigher(), "weigher");
            typed.maximumWeight(config.maximumWeight().getAsLong()).weigher(weigher::weigh);
        }
        RemovalListener<? super K, ? super V> listener = settings.removalListener();
        if (listener != null) {
            typed.removalListener((K key, V value, com.github.benmanes.caffeine.cache.RemovalCause cause) ->
                    notifyRemoval(listener, key, value, cause));
        }
        return typed;
    }

    private void notifyRemoval(
            RemovalListener<? super K, ? super V> listener,
            K key,
            V value,
            com.github.benmanes.caffeine.cache.RemovalCause cause) {
        if (key == null || value == null) {
            return; // only weak/soft references collect to null, and Cachet never uses them
        }
        try {
            listener.onRemoval(key, value, removalCause(cause));
        } catch (RuntimeException e) {
            log.warn("removal listener of cache '{}' failed for key {}; ignored", config.name(), key, e);
        }
    }

    private static RemovalCause removalCause(com.github.benmanes.caffeine.cache.RemovalCause cause) {
        return switch (cause) {
            case EXPLICIT -> RemovalCause.EXPLICIT;
            case REPLACED -> RemovalCause.REPLACED;
            case EXPIRED -> RemovalCause.EXPIRED;
            case SIZE, COLLECTED -> RemovalCause.SIZE;
        };
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public @Nullable V get(K key, Function<? super K, ? extends @Nullable V> loader) {
        requireNonNull(key, "key");
        requireNonNull(loader, "loader");
        V value = store.getIfPresent(key);
        if (value != null) {
            return copying ? copy(value) : value;
        }
        return loadAfterMiss(key, loader);
    }

    /**
     * Loads {@code key} after the caller's own lookup missed (and counted the miss): the slow half of {@link
     * #get(Object, Function)}, for callers that look up first by other means.
     */
    public @Nullable V loadAfterMiss(K key, Function<? super K, ? extends @Nullable V> loader) {
        monitor.onMiss();
        return flights.load(key, loader, participant);
    }

    @Override
    public @Nullable V getIfPresent(K key) {
        requireNonNull(key, "key");
        V value = lookup(key);
        if (value == null) {
            monitor.onMiss();
        }
        return value;
    }

    /**
     * Returns a copy of the value for {@code key}, or null, counting a hit or a miss but not feeding the hit-ratio
     * monitor: the first half of a lookup whose miss continues in {@link #loadAfterMiss}.
     */
    public @Nullable V lookup(K key) {
        V value = store.getIfPresent(key);
        return value == null || !copying ? value : copy(value);
    }

    /**
     * Copies a value on its way in or out. Most caches hold one value type; once the default copier has seen that the
     * type's instances are always immutable, a class comparison replaces the copier on the hit path.
     */
    private V copy(V value) {
        Class<?> type = value.getClass();
        if (type == immutableType) {
            return value;
        }
        if (defaultCopier && Immutability.isAlwaysImmutable(type)) {
            if (immutableType == null) {
                // Written once: a cache holding two immutable types must not rewrite the field on every hit.
                immutableType = type; // a benign race: any thread may publish any always-immutable class
            }
            return value;
        }
        return copier.copy(value);
    }

    @Override
    public Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        requireNonNull(keys, "keys");
        requireNonNull(bulkLoader, "bulkLoader");
        List<K> order = new ArrayList<>();
        Map<K, V> present = new HashMap<>();
        Set<K> missing = new LinkedHashSet<>();
        for (K key : keys) {
            order.add(key);
            V value = getIfPresent(requireNonNull(key, "key"));
            if (value != null) {
                present.put(key, value);
            } else {
                missing.add(key);
            }
        }
        Map<? extends K, ? extends V> loaded = missing.isEmpty() ? Map.of() : loadAll(missing, bulkLoader);
        return BulkResults.inKeyOrder(order, present, loaded);
    }

    private Map<? extends K, ? extends V> loadAll(
            Set<K> missing, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        long start = ticker.read();
        Map<? extends K, ? extends V> loaded;
        Map<K, V> prepared = new LinkedHashMap<>();
        try {
            loaded = requireNonNull(
                    bulkLoader.apply(Collections.unmodifiableSet(missing)), "the map returned by bulkLoader");
            loaded.forEach((key, value) -> {
                requireNonNull(key, "a key returned by bulkLoader");
                requireNonNull(value, () -> "the value bulkLoader returned for key " + key);
                prepared.put(key, copyIn(value));
            });
        } catch (RuntimeException | Error e) {
            stats.recordLoadFailure(ticker.read() - start);
            throw e;
        }
        stats.recordLoadSuccess(ticker.read() - start);
        prepared.forEach(this::storePrepared);
        return loaded;
    }

    @Override
    public void put(K key, V value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        storePrepared(key, copyIn(value));
    }

    private void storePrepared(K key, V prepared) {
        flights.write(key, () -> store.put(key, prepared));
        stats.recordPuts(1);
    }

    @Override
    public void invalidate(K key) {
        requireNonNull(key, "key");
        flights.write(key, () -> store.invalidate(key));
    }

    @Override
    public void invalidateAll() {
        // Discarding first: a load registered before cannot store after, since clearing takes each slot's lock, under
        // which loads store. A load registered after the discard began after this invalidation and may store.
        flights.discardAll();
        store.invalidateAll();
    }

    @Override
    public long estimatedSize() {
        return store.estimatedSize();
    }

    @Override
    public void cleanUp() {
        store.cleanUp();
    }

    @Override
    public CacheStats stats() {
        com.github.benmanes.caffeine.cache.stats.CacheStats caffeine = store.stats();
        CacheStats own = stats.cacheStats();
        return new CacheStats(
                caffeine.hitCount(),
                caffeine.missCount(),
                own.loadSuccessCount() + caffeine.loadSuccessCount(),
                own.loadFailureCount() + caffeine.loadFailureCount(),
                own.totalLoadTimeNanos() + caffeine.totalLoadTime(),
                caffeine.evictionCount(),
                caffeine.evictionWeight(),
                own.putCount());
    }

    @Override
    public CacheConfig config() {
        return config;
    }

    @Override
    public int loadsInFlight() {
        return flights.inFlight();
    }

    @Override
    public double cumulativeHitRatio() {
        return store.stats().hitRate();
    }

    @Override
    public double recentHitRatio() {
        return monitor.recentHitRatio();
    }

    private V copyIn(V value) {
        return copying && value != null ? copy(value) : value;
    }

    @Override
    public String toString() {
        return "LocalCache[" + config.name() + ", size=" + store.estimatedSize() + "]";
    }

    /** The cache's side of a single-flight load. */
    private final class Participant implements SingleFlight.Participant<K, V> {
        @Override
        public @Nullable V lookupQuietly(K key) {
            return store.policy().getIfPresentQuietly(key);
        }

        @Override
        public V prepare(V loaded) {
            return copyIn(loaded);
        }

        @Override
        public void store(K key, V prepared) {
            // The entry is absent or expired. Replacing an expired entry in place would let a reader that fetched
            // its old value just before the write see the new write time and return the old value; removing it
            // first makes that reader see it expired.
            store.invalidate(key);
            store.put(key, prepared);
            stats.recordPuts(1);
        }

        @Override
        public V share(V prepared) {
            return copying ? copy(prepared) : prepared;
        }

        @Override
        public long loadStarted() {
            return ticker.read();
        }

        @Override
        public void loadEnded(long start, boolean succeeded) {
            long elapsed = ticker.read() - start;
            if (succeeded) {
                stats.recordLoadSuccess(elapsed);
            } else {
                stats.recordLoadFailure(elapsed);
            }
        }
    }
}
