package dev.cachet;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy.FixedExpiration;
import com.github.benmanes.caffeine.cache.Policy.VarExpiration;
import dev.cachet.internal.BulkResults;
import dev.cachet.internal.HitRatios;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.NullCaching;
import dev.cachet.internal.SingleFlight;
import dev.cachet.internal.copy.Immutability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory cache: Caffeine does storage, bounds, expiry and refresh; this class adds single-flight loads that run
 * outside Caffeine's map locks, defensive copies, and the hit-ratio monitor. The hit path is one Caffeine {@code
 * getIfPresent} plus, for mutable value types only, a copy.
 *
 * <p>With {@code cacheNulls}, a loader's {@code null} is stored as a {@code NullMarker} that carries its own
 * deadline: a read past it treats the marker as absent and removes it, and Caffeine's expiry and bound remove the
 * others. Caffeine's variable expiry is not used for it, so it stays free for per-entry TTLs. A marker never leaves
 * this class: no copier, weigher or removal listener sees one.
 *
 * <p>With {@code staleIfError}, every value stored is also kept in a second Caffeine cache of stale values until
 * its expiry plus the grace; only a failed load reads it, so the hit path of every cache stays as it is.
 *
 * <p>Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
// Sealed rather than final: its one subclass adds a cache-wide loader (refreshes go through it); nobody else extends
// it.
sealed class LocalCache<K, V> implements Cache<K, V>, LoadTracking, HitRatios, NullCaching<K>
        permits LocalLoadingCache {
    private static final Logger log = LoggerFactory.getLogger(LocalCache.class);

    private final CacheConfig config;
    private final com.github.benmanes.caffeine.cache.Cache<K, V> store;
    private final Copier<V> copier;
    private final boolean copying;
    private final boolean defaultCopier;
    private @Nullable Class<?> immutableType; // the last always-immutable value class seen; see passesUncopied
    /**
     * Whether a hit must copy what it finds: always with a user's copier; with the default copier only once a value
     * that is not always immutable was stored. Until then a hit returns the stored value without reading its class,
     * a memory access raw Caffeine never makes. Set before such a value is stored, so a reader that finds the value
     * finds the flag set; never cleared, as the value may still be cached.
     */
    private volatile boolean copiesOnRead;

    private final Ticker ticker;
    private final StatsRecorder stats = new StatsRecorder();
    private final SingleFlight<K, V> flights;
    /**
     * The loads of this cache's {@link AsyncCacheView asynchronous views} in flight, by key: a view stores a load's
     * value only while its entry is still here, and every write to the key removes it first.
     */
    private final ConcurrentHashMap<K, CompletableFuture<V>> asyncLoads = new ConcurrentHashMap<>();

    private final HitRatioMonitor monitor;
    private final SingleFlight.Participant<K, V> participant = new Participant();
    /** How long a cached null lives, in ticker nanos; 0 when nulls are not cached. */
    private final long nullTtlNanos;
    /** Reads that found an expired null marker: Caffeine counted them as hits, {@link #stats} as misses. */
    private final LongAdder expiredNullReads = new LongAdder();
    // Both null unless the cache was built with an Expiry: then every write asks it first and passes the duration.
    private final @Nullable GuardedExpiry<K, V> expiry;
    private final @Nullable VarExpiration<K, V> variableExpiry;
    /** The values kept for staleIfError, each until its expiry plus the grace; null without staleIfError. */
    private final com.github.benmanes.caffeine.cache.@Nullable Cache<K, Stale<V>> staleValues;
    /** The grace of staleIfError and the fixed expireAfterWrite, in ticker nanos; 0 when unset. */
    private final long staleGraceNanos;

    private final long writeTtlNanos;
    /** Counts and logs stale values served; null without staleIfError. */
    private final @Nullable StaleServing<K> staleServing;

    /**
     * The write ages Caffeine keeps for expireAfterWrite, read to refresh a due entry in {@link #get(Object,
     * Function)} with the caller's loader; null unless the cache has refreshAfterWrite and no loader of its own
     * (Caffeine refreshes a cache with a loader itself).
     */
    private final @Nullable FixedExpiration<K, V> refreshAges;

    private final long refreshNanos;
    private final Executor refreshExecutor;
    /** Keys whose refresh is scheduled or running: one at a time per key. */
    private final Set<K> refreshing = ConcurrentHashMap.newKeySet();

    private final RefreshFailureLogger refreshFailures;
    private final SingleFlight.Participant<K, V> refreshParticipant = new RefreshParticipant();

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
        this.copiesOnRead = copying && !defaultCopier;
        this.ticker = settings.ticker();
        this.flights = new SingleFlight<>(config.name(), CacheLoadException::new);
        this.nullTtlNanos = config.cacheNulls().map(LocalCache::saturatedNanos).orElse(0L);
        Expiry<? super K, ? super V> entryExpiry = settings.expiry();
        this.expiry = entryExpiry == null ? null : new GuardedExpiry<>(config.name(), entryExpiry);
        this.staleGraceNanos =
                config.staleIfError().map(LocalCache::saturatedNanos).orElse(0L);
        this.writeTtlNanos =
                config.expireAfterWrite().map(LocalCache::saturatedNanos).orElse(0L);
        this.staleServing = config.staleIfError()
                .map(grace -> new StaleServing<K>(config.name(), grace, log))
                .orElse(null);
        this.staleValues = staleGraceNanos == 0 ? null : staleCache(settings);
        Caffeine<K, V> caffeine = caffeine(settings, loader != null);
        this.store = loader == null
                ? caffeine.build()
                : caffeine.build(key -> refreshed(key, orNullMarker(copyIn(loader.apply(key)))));
        this.variableExpiry =
                expiry == null ? null : store.policy().expireVariably().orElseThrow();
        this.refreshNanos =
                config.refreshAfterWrite().map(LocalCache::saturatedNanos).orElse(0L);
        this.refreshAges = loader != null || refreshNanos == 0
                ? null
                : store.policy()
                        .expireAfterWrite()
                        .orElseThrow(() -> new IllegalStateException("cache '" + config.name() + "': refreshAfterWrite"
                                + " without a loader of its own needs expireAfterWrite"));
        this.refreshExecutor = settings.executor() != null ? settings.executor() : ForkJoinPool.commonPool();
        this.refreshFailures = new RefreshFailureLogger(log, config.name());
        this.monitor = new HitRatioMonitor(
                config.name(),
                config.hitRatioThreshold(),
                config.hitRatioWindow(),
                () -> -expiredNulls() + store.stats().hitCount(), // in this order: see stats()
                () -> store.stats().missCount() + expiredNulls(),
                store::estimatedSize,
                config.bound(),
                settings.lowHitRatioHandler());
    }

    /** Builds the cache of stale values: bounded like the cache, each value living until its own deadline. */
    private com.github.benmanes.caffeine.cache.Cache<K, Stale<V>> staleCache(LocalCacheSettings<K, V> settings) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        config.maximumSize().ifPresent(builder::maximumSize);
        if (ticker != Ticker.systemTicker()) {
            builder.ticker(ticker::read);
        }
        if (settings.executor() != null) {
            builder.executor(settings.executor());
        }
        // A key whose stale copy is gone can be served stale again only after a load or put, which ends its outage
        // anyway: forgetting it with the copy keeps the outages within the copies' bound (evictions here are
        // synchronous; invalidate and invalidateAll forget their keys themselves).
        Caffeine<K, Stale<V>> typed = builder.<K, Stale<V>>evictionListener((key, stale, cause) -> {
                    StaleServing<K> serving = staleServing;
                    if (key != null && serving != null) {
                        serving.forget(key);
                    }
                })
                .expireAfter(new StaleExpiry<K, V>());
        if (config.maximumWeight().isPresent()) {
            var weigher = requireNonNull(settings.weigher(), "weigher");
            typed.maximumWeight(config.maximumWeight().getAsLong())
                    .weigher((K key, Stale<V> stale) -> weigher.weigh(key, stale.value()));
        }
        return typed.build();
    }

    /**
     * Configures Caffeine; {@code loading} when it gets the cache's own loader, the only case in which Caffeine
     * refreshes (without one, {@link #get(Object, Function)} refreshes with the caller's loader).
     */
    @SuppressWarnings("unchecked")
    private Caffeine<K, V> caffeine(LocalCacheSettings<K, V> settings, boolean loading) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        config.maximumSize().ifPresent(builder::maximumSize);
        if (expiry == null) {
            config.expireAfterWrite().ifPresent(builder::expireAfterWrite);
            config.expireAfterAccess().ifPresent(builder::expireAfterAccess);
        }
        if (loading) {
            config.refreshAfterWrite().ifPresent(builder::refreshAfterWrite);
        }
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
        if (expiry != null) {
            typed.expireAfter(expiry.forCaffeine());
        }
        if (config.maximumWeight().isPresent()) {
            var weigher = requireNonNull(settings.weigher(), "weigher");
            typed.maximumWeight(config.maximumWeight().getAsLong())
                    .weigher((K key, V value) -> value instanceof NullMarker ? 1 : weigher.weigh(key, value));
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
        if (value instanceof NullMarker) {
            return; // a cached null is no entry a user stored
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
            if (!(value instanceof NullMarker marker)) {
                if (refreshAges != null) { // only then: the hit path of every other cache stays as it is
                    refreshIfDue(key, loader);
                }
                return copyOfStored(value);
            }
            if (marker.isLive(ticker.read())) {
                return null;
            }
            expired(key, marker);
        }
        return loadAfterMiss(key, loader);
    }

    /**
     * Schedules a refresh of {@code key} with {@code loader} on the executor if its value was written refreshAfterWrite
     * or more ago and no refresh of it is scheduled. The refresh is a flight of its own ({@link SingleFlight#refresh}):
     * a write of the key meanwhile wins, and a failure keeps the old value (counted as a load failure, logged once).
     */
    void refreshIfDue(K key, Function<? super K, ? extends @Nullable V> loader) {
        FixedExpiration<K, V> ages = refreshAges;
        if (ages == null) {
            return;
        }
        OptionalLong age = ages.ageOf(key, TimeUnit.NANOSECONDS);
        if (age.isEmpty() || age.getAsLong() < refreshNanos || !refreshing.add(key)) {
            return;
        }
        Function<? super K, ? extends @Nullable V> reload =
                nullTtlNanos == 0 ? loader : k -> orNullMarker(loader.apply(k));
        try {
            refreshExecutor.execute(() -> {
                try {
                    flights.refresh(key, reload, refreshParticipant);
                } catch (RuntimeException e) {
                    refreshFailures.failed(e);
                } finally {
                    refreshing.remove(key);
                }
            });
        } catch (RejectedExecutionException e) {
            refreshing.remove(key);
            refreshFailures.failed(e);
        }
    }

    /**
     * Loads {@code key} after the caller's own lookup missed (and counted the miss): the slow half of {@link
     * #get(Object, Function)}, for callers that look up first by other means.
     */
    public @Nullable V loadAfterMiss(K key, Function<? super K, ? extends @Nullable V> loader) {
        monitor.onMiss();
        V loaded;
        try {
            loaded = flights.load(key, nullTtlNanos == 0 ? loader : k -> orNullMarker(loader.apply(k)), participant);
        } catch (RuntimeException e) {
            // Every caller of a failed load passes here, the waiters of a shared load too: each gets the stale value.
            Stale<V> stale = staleValues == null ? null : staleValues.getIfPresent(key);
            if (stale == null) {
                throw e;
            }
            requireNonNull(staleServing, "staleServing").served(key, e);
            return copyOut(stale.value());
        }
        return loaded instanceof NullMarker ? null : loaded;
    }

    /**
     * Keeps the stale copy of {@code key}, if any, until {@code expiry} from now plus the grace, instead of the local
     * entry's own expiry plus the grace: a near tier's copy may expire before the remote value it was read from, and
     * is to be served stale as long as that one could be. Does nothing without staleIfError, and brings back no copy
     * an invalidation removed.
     */
    void keepStaleFor(K key, Duration expiry) {
        var stales = staleValues;
        if (stales == null) {
            return;
        }
        long deadline = staleDeadline(saturatedNanos(expiry));
        stales.asMap().computeIfPresent(key, (k, stale) -> new Stale<>(stale.value(), deadline));
    }

    /**
     * Keeps {@code prepared}, just stored for {@code key} with the given lifetime (null: the fixed expireAfterWrite),
     * as the value to serve stale once it expired; a cached null removes the stale value, as the source said absent.
     * Called under the key's write lock, with the store's write.
     */
    private void keepStale(K key, V prepared, @Nullable Duration lifetime) {
        var stales = staleValues;
        if (stales == null) {
            return;
        }
        if (prepared instanceof NullMarker) {
            stales.invalidate(key);
            return;
        }
        long ttl = lifetime == null ? writeTtlNanos : saturatedNanos(lifetime);
        stales.put(key, new Stale<>(prepared, staleDeadline(ttl)));
    }

    /**
     * Returns the ticker time at which a value that lives {@code ttlNanos} from now stops being served stale, after
     * the grace. Each term is capped at a quarter of the range, so that the sum cannot overflow.
     */
    private long staleDeadline(long ttlNanos) {
        return ticker.read() + Math.min(ttlNanos, Long.MAX_VALUE / 4) + Math.min(staleGraceNanos, Long.MAX_VALUE / 4);
    }

    /** Records a value Caffeine refreshed through the cache's loader: a successful load of its key. */
    private V refreshed(K key, V loaded) {
        if (staleValues != null && (expiry == null || loaded instanceof NullMarker)) {
            keepStale(key, loaded, null);
            requireNonNull(staleServing, "staleServing").loaded(key);
        }
        return loaded;
    }

    @Override
    public @Nullable V getIfPresent(K key) {
        requireNonNull(key, "key");
        Object found = lookupOrCachedNull(key);
        if (found == null) {
            monitor.onMiss();
        }
        return found == CACHED_NULL ? null : cast(found);
    }

    /**
     * Returns a copy of the value for {@code key}, or null, counting a hit or a miss but not feeding the hit-ratio
     * monitor: the first half of a lookup whose miss continues in {@link #loadAfterMiss}.
     */
    public @Nullable V lookup(K key) {
        Object found = lookupOrCachedNull(key);
        return found == CACHED_NULL ? null : cast(found);
    }

    /** Like {@link #lookup}, telling a cached null ({@link NullCaching#CACHED_NULL}) from an absent key (null). */
    @Override
    public @Nullable Object lookupOrCachedNull(K key) {
        V value = store.getIfPresent(requireNonNull(key, "key"));
        if (value instanceof NullMarker marker) {
            if (marker.isLive(ticker.read())) {
                return CACHED_NULL;
            }
            expired(key, marker);
            return null;
        }
        return value == null ? null : copyOfStored(value);
    }

    /** Returns the asynchronous views' loads in flight, shared by every view of this cache. */
    ConcurrentHashMap<K, CompletableFuture<V>> asyncLoads() {
        return asyncLoads;
    }

    /**
     * Returns the Caffeine cache behind this one, for a memo's hit path: its {@code getIfPresent} followed by {@link
     * #copyOfStored} is exactly {@link #lookup} when nulls are not cached (memo tables wrap null results themselves), one
     * call deep instead of three, which the JIT inlines.
     *
     * @throws IllegalStateException if this cache caches nulls, whose markers only {@link #lookup} tells apart
     */
    com.github.benmanes.caffeine.cache.Cache<K, V> storeForLookups() {
        if (nullTtlNanos != 0) {
            throw new IllegalStateException("cache '" + config.name() + "' caches nulls: look keys up with lookup()");
        }
        return store;
    }

    /**
     * Returns a caller's own copy of a value this cache holds or loaded, as its reads hand out, for values that may not
     * have been stored through this cache's copier (stale values kept aside, a future's result).
     */
    V copyOut(V value) {
        return copying ? copy(value) : value;
    }

    /** Returns a caller's own copy of {@code stored}, a non-null value found in the store: the hit path's copy. */
    V copyOfStored(V stored) {
        return copiesOnRead ? copy(stored) : stored;
    }

    @Override
    public boolean cachesNulls() {
        return nullTtlNanos != 0;
    }

    @Override
    public void putNull(K key) {
        requireNonNull(key, "key");
        if (nullTtlNanos == 0) {
            throw new IllegalStateException("cache '" + config.name() + "' does not cache nulls: set cacheNulls");
        }
        storePrepared(key, nullMarker(), variableExpiry == null ? null : Duration.ofNanos(nullTtlNanos));
    }

    /** Returns the reads of expired markers; a cache without cacheNulls does not even read the counter. */
    private long expiredNulls() {
        return nullTtlNanos == 0 ? 0 : expiredNullReads.sum();
    }

    /** Counts a read of an expired marker as the miss it is, and removes the marker unless it was replaced. */
    private void expired(K key, NullMarker marker) {
        expiredNullReads.increment();
        store.asMap().remove(key, marker); // identity: NullMarker keeps Object's equals
    }

    /** Returns {@code loaded}, or a fresh null marker when it is null and this cache caches nulls. */
    private @Nullable V orNullMarker(@Nullable V loaded) {
        return loaded == null && nullTtlNanos != 0 ? nullMarker() : loaded;
    }

    @SuppressWarnings("unchecked") // the marker shares the store with values; it never leaves this class
    private V nullMarker() {
        return (V) new NullMarker(ticker.read() + nullTtlNanos);
    }

    @SuppressWarnings("unchecked") // a value read from the store, not the marker
    private @Nullable V cast(@Nullable Object found) {
        return (V) found;
    }

    /**
     * Returns how long the cached null {@code marker} has left at {@code nowNanos} (ticker time), for an {@link Expiry}
     * that Caffeine asks about a marker: a cached null keeps its own TTL and never reaches the user's expiry.
     */
    static long nanosLeft(Object marker, long nowNanos) {
        return Math.max(0, ((NullMarker) marker).deadlineNanos - nowNanos);
    }

    /** Returns whether {@code value}, as stored in Caffeine, is a cached null, for code that sees stored values. */
    static boolean isCachedNull(@Nullable Object value) {
        return value instanceof NullMarker;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Copies a value on its way in or out, unless the copier would hand it back as it is. */
    private V copy(V value) {
        return passesUncopied(value.getClass()) ? value : copier.copy(value);
    }

    /**
     * Returns whether the copier hands values of {@code type} back uncopied. Most caches hold one value type; once the
     * default copier has seen that the type's instances are always immutable, a class comparison answers.
     */
    private boolean passesUncopied(Class<?> type) {
        if (type == immutableType) {
            return true;
        }
        if (defaultCopier && Immutability.isAlwaysImmutable(type)) {
            if (immutableType == null) {
                // Written once: a cache holding two immutable types must not rewrite the field on every hit.
                immutableType = type; // a benign race: any thread may publish any always-immutable class
            }
            return true;
        }
        return false;
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
            Object found = lookupOrCachedNull(requireNonNull(key, "key"));
            if (found == null) {
                monitor.onMiss();
                missing.add(key);
            } else if (found != CACHED_NULL) {
                present.put(key, cast(found)); // a cached null is present without a value: neither here nor loaded
            }
        }
        if (missing.isEmpty()) {
            return BulkResults.inKeyOrder(order, present, Map.of());
        }
        Map<? extends K, ? extends V> loaded;
        try {
            loaded = loadAll(missing, bulkLoader);
        } catch (RuntimeException e) {
            loaded = serveStaleAll(missing, e);
        }
        return BulkResults.inKeyOrder(order, present, loaded);
    }

    /**
     * Answers a bulk load that failed with {@code failure}: the stale values of {@code keys} (staleIfError), each
     * counted and logged as served stale, if every key has one; otherwise throws {@code failure}.
     */
    Map<K, V> serveStaleAll(Set<K> keys, RuntimeException failure) {
        var stales = staleValues;
        if (stales == null) {
            throw failure;
        }
        Map<K, Stale<V>> found = new LinkedHashMap<>();
        for (K key : keys) {
            Stale<V> stale = stales.getIfPresent(key);
            if (stale == null) {
                throw failure;
            }
            found.put(key, stale);
        }
        Map<K, V> served = new LinkedHashMap<>();
        found.forEach((key, stale) -> {
            requireNonNull(staleServing, "staleServing").served(key, failure);
            served.put(key, copyOut(stale.value()));
        });
        return served;
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
        // Every duration first: an Expiry that fails for one key stores none of them.
        Map<K, Duration> durations = new HashMap<>();
        if (expiry != null) {
            prepared.forEach((key, value) -> durations.put(key, durationOfWrite(key, value)));
        }
        prepared.forEach((key, value) -> storePrepared(key, value, durations.get(key)));
        if (nullTtlNanos != 0) {
            // A key the bulk loader found nothing for is remembered as absent, as a get whose loader returns null.
            missing.stream().filter(key -> !prepared.containsKey(key)).forEach(this::putNull);
        }
        if (staleServing != null) {
            staleServing.loadedAll(prepared.keySet());
        }
        return loaded;
    }

    @Override
    public void put(K key, V value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        V prepared = copyIn(value);
        storePrepared(key, prepared, expiry == null ? null : durationOfWrite(key, prepared));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        requireNonNull(entries, "entries");
        // Every copy and every duration first: a value that cannot be copied, or an Expiry that fails, stores none.
        Map<K, V> prepared = new LinkedHashMap<>();
        entries.forEach((key, value) -> {
            requireNonNull(key, "key");
            requireNonNull(value, () -> "the value for key " + key);
        });
        entries.forEach((key, value) -> prepared.put(key, copyIn(value)));
        Map<K, Duration> durations = new HashMap<>();
        if (expiry != null) {
            prepared.forEach((key, value) -> durations.put(key, durationOfWrite(key, value)));
        }
        prepared.forEach((key, value) -> storePrepared(key, value, durations.get(key)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>In memory this needs a cache built with {@link CacheBuilder#expireAfter(Expiry)}: Caffeine keeps a fixed
     * {@code expireAfterWrite} for all entries alike, and giving every cache a per-entry expiry would cost every hit
     * a call of it.
     */
    @Override
    public void put(K key, V value, Duration ttl) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        Duration checked = GuardedExpiry.requireTtl(ttl, config.name());
        if (variableExpiry == null) {
            throw new IllegalStateException("cache '" + config.name() + "': put(key, value, ttl) needs a cache built"
                    + " with expireAfter(Expiry), whose entries each have their own expiry; this one has "
                    + config.expireAfterWrite()
                            .map(d -> "expireAfterWrite " + d)
                            .orElse("no per-entry expiry")
                    + ". Nothing was stored");
        }
        storePrepared(key, copyIn(value), checked);
    }

    /** Returns {@code lifetime} measured now by this cache's ticker, to be asked for what is {@link Lifetime#left} later. */
    Lifetime lifetime(Duration lifetime) {
        return new Lifetime(ticker, ticker.read(), lifetime);
    }

    /**
     * Shortens the expiry of {@code key}'s entry to {@code max} if it is later: a near tier's copy must not outlive
     * the remote value it was read from. Needs an {@link Expiry}. A put of the key between the check and the change
     * may get its expiry raised to {@code max}, never beyond the expiry's own bound.
     */
    void capExpiry(K key, Duration max) {
        VarExpiration<K, V> variable = requireNonNull(variableExpiry, "variableExpiry");
        Optional<Duration> current = variable.getExpiresAfter(key);
        if (current.isPresent() && current.get().compareTo(max) > 0) {
            variable.setExpiresAfter(key, max);
        }
    }

    /** Returns how long a value written by a put (not a load) lives: a create or an update, as Caffeine would ask. */
    private Duration durationOfWrite(K key, V value) {
        GuardedExpiry<K, V> entryExpiry = requireNonNull(expiry, "expiry");
        Optional<Duration> current =
                requireNonNull(variableExpiry, "variableExpiry").getExpiresAfter(key);
        return current.isPresent() ? entryExpiry.update(key, value, current.get()) : entryExpiry.create(key, value);
    }

    /** Stores a prepared value; {@code duration} is its expiry, or null for a cache without an {@link Expiry}. */
    private void storePrepared(K key, V prepared, @Nullable Duration duration) {
        flights.write(key, () -> {
            asyncLoads.remove(key);
            putInStore(key, prepared, duration);
            keepStale(key, prepared, duration);
        });
        stats.recordPuts(1);
    }

    /** Returns how long a value a load returned lives: what the Expiry says on creation, or null without one. */
    private @Nullable Duration durationOfLoad(K key, V prepared) {
        GuardedExpiry<K, V> entryExpiry = expiry;
        if (entryExpiry == null) {
            return null;
        }
        return prepared instanceof NullMarker ? Duration.ofNanos(nullTtlNanos) : entryExpiry.create(key, prepared);
    }

    /**
     * Stores a value a load or a refresh returned, for {@code duration} (from {@link #durationOfLoad}, asked before
     * anything changed); keeps it to serve stale, ends the key's outage and counts the put. Called under the flight's
     * lock ({@link SingleFlight.Participant#store}).
     */
    private void storeLoaded(K key, V prepared, @Nullable Duration duration) {
        putInStore(key, prepared, duration);
        if (staleServing != null) {
            keepStale(key, prepared, duration);
            staleServing.loaded(key);
        }
        stats.recordPuts(1);
    }

    /** Puts a prepared value in Caffeine, with its own {@code duration} if the cache has an {@link Expiry}. */
    private void putInStore(K key, V prepared, @Nullable Duration duration) {
        VarExpiration<K, V> variable = variableExpiry;
        if (variable == null || duration == null) {
            store.put(key, prepared);
        } else {
            var unused = variable.put(key, prepared, duration);
        }
    }

    @Override
    public void invalidate(K key) {
        requireNonNull(key, "key");
        flights.write(key, () -> {
            asyncLoads.remove(key);
            store.invalidate(key);
            if (staleValues != null) {
                staleValues.invalidate(key);
                requireNonNull(staleServing, "staleServing").forget(key);
            }
        });
    }

    @Override
    public void invalidateAll() {
        // Discarding first: a load registered before cannot store after, since clearing takes each slot's lock, under
        // which loads store. A load registered after the discard began after this invalidation and may store.
        flights.discardAll();
        asyncLoads.clear();
        store.invalidateAll();
        if (staleValues != null) {
            staleValues.invalidateAll();
            requireNonNull(staleServing, "staleServing").forgetAll();
        }
    }

    @Override
    public long estimatedSize() {
        return store.estimatedSize();
    }

    @Override
    public void cleanUp() {
        store.cleanUp();
        if (staleValues != null) {
            staleValues.cleanUp();
        }
    }

    /** Returns how many keys are in an outage: served stale since their last successful load (for tests). */
    int staleOutages() {
        return staleServing == null ? 0 : staleServing.outages();
    }

    @Override
    public CacheStats stats() {
        // Read before Caffeine's hits, which counted each of these reads first: the difference is never negative.
        long expiredNulls = expiredNulls();
        com.github.benmanes.caffeine.cache.stats.CacheStats caffeine = store.stats();
        CacheStats own = stats.cacheStats();
        return new CacheStats(
                caffeine.hitCount() - expiredNulls,
                caffeine.missCount() + expiredNulls,
                own.loadSuccessCount() + caffeine.loadSuccessCount(),
                own.loadFailureCount() + caffeine.loadFailureCount(),
                own.totalLoadTimeNanos() + caffeine.totalLoadTime(),
                caffeine.evictionCount(),
                caffeine.evictionWeight(),
                own.putCount(),
                staleServing == null ? 0 : staleServing.servedCount());
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
        if (!copying || value == null) {
            return value;
        }
        if (passesUncopied(value.getClass())) {
            return value;
        }
        copiesOnRead = true; // before the copy is stored: see copiesOnRead
        return copier.copy(value);
    }

    @Override
    public String toString() {
        return "LocalCache[" + config.name() + ", size=" + store.estimatedSize() + "]";
    }

    /** The cache's side of a single-flight load. */
    private class Participant implements SingleFlight.Participant<K, V> {
        @Override
        public @Nullable V lookupQuietly(K key) {
            V value = store.policy().getIfPresentQuietly(key);
            return value instanceof NullMarker marker && !marker.isLive(ticker.read()) ? null : value;
        }

        @Override
        public V prepare(V loaded) {
            return loaded instanceof NullMarker ? loaded : copyIn(loaded);
        }

        @Override
        public void store(K key, V prepared) {
            // The entry is absent or expired. Replacing an expired entry in place would let a reader that fetched
            // its old value just before the write see the new write time and return the old value; removing it
            // first makes that reader see it expired. The Expiry is asked first: if it fails, nothing changes.
            Duration duration = durationOfLoad(key, prepared);
            store.invalidate(key);
            storeLoaded(key, prepared, duration);
        }

        @Override
        public V share(V prepared) {
            return copying && !(prepared instanceof NullMarker) ? copy(prepared) : prepared;
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

    /**
     * The cache's side of a refresh: the entry is live, so the value replaces it in place (a removal listener hears
     * REPLACED, as with Caffeine's own refresh).
     */
    private final class RefreshParticipant extends Participant {
        @Override
        public void store(K key, V prepared) {
            storeLoaded(key, prepared, durationOfLoad(key, prepared));
        }
    }

    /** A value kept for staleIfError, with the ticker time its grace ends at. */
    private record Stale<V>(V value, long deadlineNanos) {}

    /** Lets each stale value live until its own deadline; reads do not extend it. */
    private static final class StaleExpiry<K, V> implements com.github.benmanes.caffeine.cache.Expiry<K, Stale<V>> {
        @Override
        public long expireAfterCreate(K key, Stale<V> stale, long currentTime) {
            return Math.max(0, stale.deadlineNanos() - currentTime);
        }

        @Override
        public long expireAfterUpdate(K key, Stale<V> stale, long currentTime, long currentDuration) {
            return Math.max(0, stale.deadlineNanos() - currentTime);
        }

        @Override
        public long expireAfterRead(K key, Stale<V> stale, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }

    /**
     * A cached null: what a loader's {@code null} is stored as, with the ticker time it expires at. Compared by
     * identity, so that removing an expired one cannot remove a newer one.
     */
    private static final class NullMarker {
        private final long deadlineNanos;

        NullMarker(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        boolean isLive(long nowNanos) {
            return deadlineNanos - nowNanos > 0;
        }

        @Override
        public String toString() {
            return "cached null";
        }
    }
}
