package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.EnvelopeCodec.Expired;
import dev.cachet.EnvelopeCodec.Found;
import dev.cachet.EnvelopeCodec.Read;
import dev.cachet.EnvelopeCodec.Stored;
import dev.cachet.LoadElection.LoadAndWrite;
import dev.cachet.LoadElection.Loaded;
import dev.cachet.internal.BulkResults;
import dev.cachet.internal.HitRatios;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.NullCaching;
import dev.cachet.internal.SingleFlight;
import dev.cachet.internal.remote.DefaultKeyEncoder;
import dev.cachet.internal.remote.Envelope;
import dev.cachet.internal.remote.PendingInvalidations;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteWrite;
import dev.cachet.spi.ValueCodec;
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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * A cache whose values live in a remote tier shared by many processes. A miss is loaded once per key in this process
 * (single flight) and once per key across processes (the tier's lock elects the loader); the other processes wait a
 * bounded time for the value, take the lock when its holder ended without one, and load themselves if it does not
 * come. Every load writes with the {@link dev.cachet.spi.Lookup#lease() lease} of the read that missed, so once a
 * {@code put}, {@code invalidate} or {@code invalidateAll} has returned in any process, no load that began before it
 * can bring back what it replaced; and a caller whose own read came after such a write does not take the value of a
 * load that began before it, but waits for a newer one. Values travel in envelopes ({@link EnvelopeCodec}); one that cannot be decoded is a counted miss, deleted
 * if still the same bytes and reloaded, unless it is another codec's or a newer format's, which is left alone. While
 * the tier is unreachable the {@link FailurePolicy} decides ({@link TierGuard}): by default callers get the loader's
 * value, the outage is logged once and counted, and a circuit breaker spares them the timeouts. Under fail-open a
 * write or invalidation that may not have reached the tier is remembered as a pending invalidation of its key, and
 * applied before this process reads the tier again.
 *
 * <p>This class keeps the {@link Cache} API and wires its parts: {@link TierGuard} (failure policy, breaker, pending
 * invalidations), {@link EnvelopeCodec} (values in envelopes), {@link LoadElection} (one loader across processes),
 * {@link EarlyExpiry} (XFetch and TTL jitter), {@link RemoteCounters} and one {@link TierClock} for all of them.
 *
 * <p>With {@code cacheNulls}, a loader's {@code null} is written as a null marker ({@code Envelope.isNullMarker()})
 * whose TTL is the null TTL (at most {@code expireAfterWrite}), under the same lock, lease and fence as a value; every
 * process reads it as a cached null.
 *
 * <p>With {@code staleIfError}, the tier keeps each value for its TTL plus the grace, while its envelope keeps the
 * logical expiry; every process reads an envelope past it as a miss. If the reload after such a miss fails, its callers
 * get the expired value instead, until the grace ends ({@link StaleServing} counts and logs it). A cached null is
 * never kept longer nor served stale.
 * <p>With {@code refreshAfterWrite}, a {@code get} that finds a value due for refresh (by the write time in its
 * envelope) returns it and has {@link RefreshAhead} reload it in the background with the caller's loader, under the
 * tier's lock, so that one process refreshes a key while every process keeps serving the old value.
 *
 * <p>The bulk operations use the store's bulk calls: {@code getAll} reads every key in one call and writes what its
 * bulk loader returned in one more, each value with the lease of its own read, taking no lock (see {@link
 * #getAll(Iterable, Function, BulkFill)}); {@code putAll} and {@code invalidateAll(keys)} are one call each, whose
 * failure under fail-open leaves every key a pending invalidation.
 *
 * <p>Every value a caller receives is freshly decoded or freshly loaded, so callers never share a mutable object.
 * Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class RemoteCache<K, V> implements Cache<K, V>, LoadTracking, HitRatios, NullCaching<K> {
    /** Pending invalidations kept per cache before they fall back to one pending invalidateAll. */
    static final int MAX_PENDING_INVALIDATIONS = 10_000;

    /**
     * How many shared loads a caller joins before it loads alone: each retry follows a write that came between the
     * load's read and the caller's, so more than a few only happen under a storm of writes to one key.
     */
    private static final int SHARED_LOAD_ATTEMPTS = 3;

    private final CacheConfig config;
    private final RemoteStore store;
    private final TierClock clock;
    private final Function<Object, String> keyEncoder;
    private final StatsRecorder stats = new StatsRecorder();
    private final RemoteCounters counters = new RemoteCounters();
    private final TierGuard guard;
    private final EnvelopeCodec<V> envelopes;
    private final LoadElection<V> election;
    private final EarlyExpiry expiry;
    private final @Nullable GuardedExpiry<K, V> entryExpiry; // null: every write has the fixed expireAfterWrite
    private final SingleFlight<String, Loaded<V>> flights;
    private final SingleFlight.Participant<String, Loaded<V>> participant = new Participant();
    private final HitRatioMonitor monitor;
    /** The TTL of a cached null, or null when nulls are not cached. */
    private final @Nullable Duration nullTtl;
    /** Serves expired values when a reload fails; null without staleIfError. */
    private final @Nullable StaleServing<String> staleServing;
    /** Refresh-ahead; null without refreshAfterWrite. */
    private final @Nullable RefreshAhead<V> refresh;

    /**
     * Builds the cache.
     *
     * @param config the cache's settings; {@code expireAfterWrite} is the remote TTL, unless {@code entryExpiry} is set
     * @param store this cache's part of the remote tier
     * @param clock every time read of this cache: the ticker for durations, the remote clock for envelope stamps
     * @param entryExpiry gives each value its own TTL ({@link Expiry#expireAfterCreate}), or null
     * @param lowHitRatioHandler told of low hit-ratio windows of this tier's own hits and misses; null turns the
     *     monitor off (under a near cache, which watches the combined ratio)
     * @param refreshExecutor runs refreshes ({@code refreshAfterWrite} of {@code config}; see {@link RefreshAhead});
     *     unused without {@code refreshAfterWrite}
     */
    RemoteCache(
            CacheConfig config,
            RemoteConfig remote,
            RemoteStore store,
            ValueCodec<V> codec,
            TierClock clock,
            @Nullable Expiry<? super K, ? super V> entryExpiry,
            @Nullable Consumer<? super LowHitRatio> lowHitRatioHandler,
            Executor refreshExecutor) {
        this.config = requireNonNull(config, "config");
        requireNonNull(remote, "remote");
        this.store = requireNonNull(store, "store");
        requireNonNull(codec, "codec");
        this.clock = requireNonNull(clock, "clock");
        this.entryExpiry = entryExpiry == null ? null : new GuardedExpiry<>(config.name(), entryExpiry);
        Duration ttl = config.expireAfterWrite().orElse(null);
        if (ttl == null && entryExpiry == null) {
            throw new IllegalStateException("a remote tier needs expireAfterWrite or an Expiry, so that every value"
                    + " it writes has a TTL (cache '" + config.name() + "')");
        }
        this.keyEncoder = remote.keyEncoder() != null ? remote.keyEncoder() : DefaultKeyEncoder::encode;
        this.guard = new TierGuard(config.name(), remote, store, clock, counters, MAX_PENDING_INVALIDATIONS);
        this.envelopes = new EnvelopeCodec<>(config.name(), remote, codec, store, guard, clock, counters);
        this.election = new LoadElection<>(remote, store, guard, envelopes, clock, counters);
        this.expiry = new EarlyExpiry(config.name(), remote, ttl, clock, counters);
        this.flights = new SingleFlight<>(config.name(), CacheLoadException::new);
        // The tier counts no entries: the event's size is 0 and its bound empty, like estimatedSize().
        this.monitor = new HitRatioMonitor(
                config.name(),
                lowHitRatioHandler == null ? 0 : config.hitRatioThreshold(),
                config.hitRatioWindow(),
                stats::hitCount,
                stats::missCount,
                () -> 0L,
                OptionalLong.empty(),
                lowHitRatioHandler == null ? event -> {} : lowHitRatioHandler);
        this.nullTtl = config.cacheNulls()
                .map(nulls -> ttl == null || nulls.compareTo(ttl) < 0 ? nulls : ttl)
                .orElse(null);
        this.staleServing = config.staleIfError()
                .map(grace ->
                        new StaleServing<String>(config.name(), grace, LoggerFactory.getLogger(RemoteCache.class)))
                .orElse(null);
        requireNonNull(refreshExecutor, "refreshExecutor");
        this.refresh = config.refreshAfterWrite()
                .map(after ->
                        new RefreshAhead<>(config.name(), after, refreshExecutor, election, envelopes, clock, counters))
                .orElse(null);
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public @Nullable V get(K key, Function<? super K, ? extends @Nullable V> loader) {
        return get(key, loader, remaining -> {});
    }

    /**
     * Like {@link #get(Object, Function)}, and tells {@code remainingTtl} how long the value it returns has left to
     * live in the tier (as of its envelope's stamp; the value of an early recompute may live longer), unless the
     * value is null. A near tier keeps its copy no longer.
     */
    @Nullable
    V get(K key, Function<? super K, ? extends @Nullable V> loader, Consumer<Duration> remainingTtl) {
        return get(key, loader, remainingTtl, true);
    }

    /**
     * Like {@link #get(Object, Function, Consumer)}; with {@code serveExpired} false, a failed reload that could be
     * answered with an expired value throws {@link ExpiredFallback} instead, for a near tier that serves its own copy
     * if it still has one, or else this one ({@link #serveExpired}), and must not keep it as a fresh value.
     */
    @Nullable
    V get(
            K key,
            Function<? super K, ? extends @Nullable V> loader,
            Consumer<Duration> remainingTtl,
            boolean serveExpired) {
        requireNonNull(key, "key");
        requireNonNull(loader, "loader");
        String encodedKey = keyEncoder.apply(key);
        long began = clock.nanoTime();
        Read<V> read = envelopes.readForGet(encodedKey);
        Stored<V> stored = read.stored();
        if (stored != null) {
            stats.recordHits(1);
            if (staleServing != null) {
                staleServing.loaded(encodedKey); // a value is back: a later failure is a new outage
            }
            remainingTtl.accept(nearLifetime(stored.envelope()));
            RefreshAhead<V> refreshAhead = refresh;
            if (stored.value() != null && refreshAhead != null && refreshAhead.isDue(stored.envelope())) {
                // The caller gets the value it read; one refresh runs in the background with the caller's loader.
                refreshAhead.schedule(encodedKey, loadAndWrite(key, encodedKey, loader));
                return stored.value();
            }
            if (stored.value() != null && expiry.shouldRecompute(stored.envelope())) { // a null is cheap to miss
                return expiry.recompute(encodedKey, stored, election, loadAndWrite(key, encodedKey, loader));
            }
            return stored.value();
        }
        long missed = clock.nanoTime();
        stats.recordMisses(1);
        monitor.onMiss();
        try {
            return loadMissing(key, encodedKey, loader, remainingTtl, read, began, missed);
        } catch (RuntimeException e) {
            Expired expired = read.expired();
            if (staleServing == null || expired == null || !withinGrace(expired)) {
                throw e;
            }
            if (!serveExpired) {
                throw new ExpiredFallback(e, expired);
            }
            return serveExpired(encodedKey, e, expired);
        }
    }

    /** Returns whether {@code expired} may still be served: its envelope expired less than the grace ago. */
    private boolean withinGrace(Expired expired) {
        long graceMillis = requireNonNull(staleServing, "staleServing").grace().toMillis();
        return clock.epochMillis() - expired.envelope().expiresAtMillis() < graceMillis;
    }

    /**
     * Returns a fresh copy of the expired value a near tier's {@link ExpiredFallback} carries, counted and logged as
     * served stale; rethrows the load's failure if the value cannot be decoded.
     */
    V serveExpired(K key, ExpiredFallback fallback) {
        return serveExpired(keyEncoder.apply(key), fallback.failure(), fallback.expired);
    }

    private V serveExpired(String encodedKey, RuntimeException failure, Expired expired) {
        V value;
        try {
            value = envelopes.decodeExpired(expired);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            throw failure;
        }
        requireNonNull(staleServing, "staleServing").served(encodedKey, failure);
        return value;
    }

    /** Loads a key whose {@code read} missed: once in this process, once across processes. */
    private @Nullable V loadMissing(
            K key,
            String encodedKey,
            Function<? super K, ? extends @Nullable V> loader,
            Consumer<Duration> remainingTtl,
            Read<V> read,
            long began,
            long missed) {
        for (int attempt = 1; ; attempt++) {
            Loaded<V> loaded = flights.load(
                    encodedKey,
                    k -> {
                        long started = clock.nanoTime();
                        return election.load(k, read, loadAndWrite(key, k, loader))
                                .startedAt(started);
                    },
                    participant);
            if (!loaded.predates(read, began, missed)) {
                return reportRemaining(loaded, remainingTtl);
            }
            // This caller joined a load that may predate a write its own read came after (another process's
            // invalidate, say, while that load read the old row): wait for a load that began after it instead.
            // The history checker found this; a load ends its flight before its callers see it, so the next
            // attempt joins a newer flight or starts one.
            if (attempt == SHARED_LOAD_ATTEMPTS) {
                return reportRemaining(loadAndWrite(key, encodedKey, loader).run(read), remainingTtl);
            }
        }
    }

    private @Nullable V reportRemaining(Loaded<V> loaded, Consumer<Duration> remainingTtl) {
        byte[] bytes = loaded.bytes();
        if (bytes != null) {
            remainingTtl.accept(nearLifetime(envelopes.envelopeOf(bytes)));
        }
        return loaded.value();
    }

    /** Returns how long a value stamped to expire at {@code expiresAtMillis} has left, by this cache's remote clock. */
    private Duration remaining(long expiresAtMillis) {
        return Duration.ofMillis(Math.max(0, expiresAtMillis - clock.epochMillis()));
    }

    /**
     * Returns how long a copy of the value in {@code envelope} may live in this process: until the value expires, and
     * with refresh-ahead no later than its refresh point, so that a read after it comes here and refreshes it.
     */
    private Duration nearLifetime(Envelope envelope) {
        Duration left = remaining(envelope.expiresAtMillis());
        RefreshAhead<V> refreshAhead = refresh;
        if (refreshAhead == null) {
            return left;
        }
        Duration fresh = refreshAhead.freshFor(envelope);
        return fresh.compareTo(left) < 0 ? fresh : left;
    }

    @Override
    public @Nullable V getIfPresent(K key) {
        return getIfPresent(key, remaining -> {});
    }

    /** Like {@link #getIfPresent(Object)}, telling {@code remainingTtl} how long a value found has left to live. */
    @Nullable
    V getIfPresent(K key, Consumer<Duration> remainingTtl) {
        Object found = lookupOrCachedNull(key, remainingTtl);
        return found == CACHED_NULL ? null : cast(found);
    }

    @Override
    public @Nullable Object lookupOrCachedNull(K key) {
        return lookupOrCachedNull(key, remaining -> {});
    }

    /** Like {@link #lookupOrCachedNull(Object)}, telling {@code remainingTtl} how long what it found has left. */
    @Nullable
    Object lookupOrCachedNull(K key, Consumer<Duration> remainingTtl) {
        requireNonNull(key, "key");
        Stored<V> stored = envelopes.readForGet(keyEncoder.apply(key)).stored();
        if (stored == null) {
            stats.recordMisses(1);
            monitor.onMiss();
            return null;
        }
        stats.recordHits(1);
        remainingTtl.accept(nearLifetime(stored.envelope()));
        return stored.value() == null ? CACHED_NULL : stored.value();
    }

    @Override
    public boolean cachesNulls() {
        return nullTtl != null;
    }

    @Override
    public void putNull(K key) {
        requireNonNull(key, "key");
        Duration ttl = nullTtl;
        if (ttl == null) {
            throw new IllegalStateException("cache '" + config.name() + "' does not cache nulls: set cacheNulls");
        }
        String encodedKey = keyEncoder.apply(key);
        byte[] bytes = envelopes.encodeNull(0, ttl);
        flights.write(encodedKey, () -> guard.write("put", encodedKey, () -> store.put(encodedKey, bytes, ttl)));
        stats.recordPuts(1);
    }

    @SuppressWarnings("unchecked") // a decoded value, not the marker
    private @Nullable V cast(@Nullable Object found) {
        return (V) found;
    }

    @Override
    public Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        return getAll(keys, bulkLoader, (key, found, remaining) -> {});
    }

    /**
     * Told of what a {@link #getAll(Iterable, Function, BulkFill)} read or loaded that a near tier may keep: a value,
     * or {@link NullCaching#CACHED_NULL}, of the key {@code encodedKey}, which lives {@code remaining} longer in the
     * tier (its refresh point, with refresh-ahead). A loaded value whose conditional write was refused is not told:
     * something wrote, invalidated or locked the key since it was read, so the value may be older than what the tier
     * holds.
     */
    @FunctionalInterface
    interface BulkFill {
        void found(String encodedKey, Object found, Duration remaining);
    }

    /**
     * {@link #getAll(Iterable, Function)}: one bulk read of the tier for every key ({@link RemoteStore#lookupAll}), one
     * call of the bulk loader for the keys it missed, then one bulk conditional write of what was loaded ({@link
     * RemoteStore#putAllIfUnchanged}), each value with the lease of the read that missed it. No cross-process lock is
     * taken or waited for (see {@link Cache#getAll}); the leases keep a bulk load from undoing a write or invalidation
     * that came after its read. A tier that does not answer (fail-open) leaves the keys to the bulk loader, and its
     * values unwritten, as for {@link #get}.
     *
     * @param fill told of each value or cached null a near tier may keep, with how long it has left
     */
    Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader,
            BulkFill fill) {
        requireNonNull(keys, "keys");
        requireNonNull(bulkLoader, "bulkLoader");
        BulkRead<K, V> read = readAll(keys, fill, false);
        List<K> order = read.order();
        Map<K, V> present = read.present();
        Map<K, String> missingKeys = read.missingKeys();
        Map<K, Read<V>> missingReads = read.missingReads();
        if (missingKeys.isEmpty()) {
            return BulkResults.inKeyOrder(order, present, Map.of());
        }
        long start = clock.nanoTime();
        Map<? extends K, ? extends V> loaded;
        try {
            loaded = timedBulkLoad(missingKeys.keySet(), bulkLoader);
        } catch (RuntimeException e) {
            return servedStale(order, present, missingKeys, missingReads, e);
        }
        writeLoaded(missingKeys, missingReads, loaded, TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start), fill);
        return BulkResults.inKeyOrder(order, present, loaded);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One plain bulk read of the tier ({@link RemoteStore#peekAll}), which hands out no lease, so that misses leave
     * no fence behind; a value it cannot use as it is (expired, undecodable, oversized) is read again with {@link
     * RemoteStore#lookupAll}, to be counted and handled as {@code getIfPresent} does. Nothing is written.
     */
    @Override
    public Map<K, V> getAllPresent(Iterable<? extends K> keys) {
        return getAllPresent(keys, (key, found, remaining) -> {});
    }

    /** Like {@link #getAllPresent(Iterable)}, telling {@code fill} of what it found, as {@link #getAll} does. */
    Map<K, V> getAllPresent(Iterable<? extends K> keys, BulkFill fill) {
        requireNonNull(keys, "keys");
        BulkRead<K, V> read = readAll(keys, fill, true);
        return BulkResults.inKeyOrder(read.order(), read.present(), Map.of());
    }

    /**
     * What one bulk read found: every key asked for in order ({@code order}), the values found, and the keys missed
     * with their encoded form and their reads. A cached null is neither present nor missed.
     */
    private record BulkRead<K, V>(
            List<K> order, Map<K, V> present, Map<K, String> missingKeys, Map<K, Read<V>> missingReads) {}

    /**
     * Reads every key of {@code keys} in one bulk call, counting hits and misses, telling {@code fill} of the hits;
     * {@code readOnly}: for a {@code getAllPresent}, which writes nothing, so needs no leases, and leaves no fence.
     */
    private BulkRead<K, V> readAll(Iterable<? extends K> keys, BulkFill fill, boolean readOnly) {
        List<K> order = new ArrayList<>();
        Map<String, K> byEncoded = new LinkedHashMap<>();
        for (K key : keys) {
            order.add(requireNonNull(key, "key"));
            byEncoded.putIfAbsent(keyEncoder.apply(key), key);
        }
        Map<K, V> present = new HashMap<>();
        Map<K, String> missingKeys = new LinkedHashMap<>();
        Map<K, Read<V>> missingReads = new HashMap<>();
        if (byEncoded.isEmpty()) {
            return new BulkRead<>(order, present, missingKeys, missingReads);
        }
        List<String> encodedKeys = new ArrayList<>(byEncoded.keySet());
        List<Read<V>> reads = readOnly ? envelopes.readAllForLookup(encodedKeys) : envelopes.readAll(encodedKeys);
        for (int i = 0; i < encodedKeys.size(); i++) {
            String encodedKey = encodedKeys.get(i);
            K key = byEncoded.get(encodedKey);
            Read<V> read = reads.get(i);
            Stored<V> stored = read.stored();
            if (stored != null) {
                stats.recordHits(1);
                if (staleServing != null) {
                    staleServing.loaded(encodedKey);
                }
                V value = stored.value();
                fill.found(encodedKey, value == null ? CACHED_NULL : value, nearLifetime(stored.envelope()));
                if (value != null) { // a cached null is present without a value: neither here nor loaded
                    present.put(key, value);
                }
            } else {
                stats.recordMisses(1);
                monitor.onMiss();
                missingKeys.put(key, encodedKey);
                missingReads.put(key, read);
            }
        }
        return new BulkRead<>(order, present, missingKeys, missingReads);
    }

    /**
     * Answers a getAll whose bulk loader threw: with {@code staleIfError}, the expired values of the keys it was asked
     * for, if every one of them has one within its grace (each counted and logged as served stale); otherwise the
     * bulk loader's exception.
     */
    private Map<K, V> servedStale(
            List<K> order,
            Map<K, V> present,
            Map<K, String> missingKeys,
            Map<K, Read<V>> missingReads,
            RuntimeException failure) {
        StaleServing<String> stale = staleServing;
        if (stale == null) {
            throw failure;
        }
        Map<K, Expired> expired = new LinkedHashMap<>();
        for (K key : missingKeys.keySet()) {
            Expired candidate = requireNonNull(missingReads.get(key), "read").expired();
            if (candidate == null || !withinGrace(candidate)) {
                throw failure;
            }
            expired.put(key, candidate);
        }
        Map<K, V> served = new HashMap<>();
        expired.forEach((key, candidate) -> served.put(key, serveExpired(missingKeys.get(key), failure, candidate)));
        return BulkResults.inKeyOrder(order, present, served);
    }

    /**
     * Writes the values the bulk loader returned for the keys asked for, in one bulk call, each only while its key's
     * fence still equals the lease of the read that missed it. Every value is checked, encoded and given its TTL before
     * anything is written, so that a bad value or a failing Expiry writes none. Keys without a lease (a foreign value)
     * or read while the tier was unavailable are not written, as in {@link #loadAndWrite}; entries for keys not asked
     * for are not written either, having no lease.
     */
    private void writeLoaded(
            Map<K, String> missingKeys,
            Map<K, Read<V>> missingReads,
            Map<? extends K, ? extends V> loaded,
            long loadMillis,
            BulkFill fill) {
        List<RemoteWrite> writes = new ArrayList<>();
        List<Long> leases = new ArrayList<>();
        List<Object> written = new ArrayList<>();
        for (Map.Entry<K, String> missing : missingKeys.entrySet()) {
            K key = missing.getKey();
            String encodedKey = missing.getValue();
            V value = loaded.get(key);
            byte[] bytes;
            Duration tierTtl;
            if (value != null) {
                Duration writeTtl = writeTtl(key, value);
                tierTtl = tierTtl(writeTtl);
                bytes = envelopes.encode(value, loadMillis, writeTtl);
            } else if (nullTtl != null && !loaded.containsKey(key)) {
                // The bulk loader found nothing for the key: remembered as absent, as a get whose loader returns null.
                tierTtl = nullTtl;
                bytes = envelopes.encodeNull(loadMillis, nullTtl);
            } else {
                continue;
            }
            if (staleServing != null) {
                staleServing.loaded(encodedKey);
            }
            Read<V> read = requireNonNull(missingReads.get(key), "read");
            Object found = value == null ? CACHED_NULL : value;
            if (read.found() == Found.UNAVAILABLE || read.lease().isEmpty()) {
                if (read.found() == Found.UNAVAILABLE) {
                    counters.fallbackLoad();
                }
                fill.found(encodedKey, found, nearLifetime(envelopes.envelopeOf(bytes)));
                continue;
            }
            writes.add(new RemoteWrite(encodedKey, bytes, tierTtl));
            leases.add(read.lease().getAsLong());
            written.add(found);
        }
        if (writes.isEmpty()) {
            return;
        }
        long[] leaseArray = leases.stream().mapToLong(Long::longValue).toArray();
        TierResult<List<Boolean>> stored = guard.isOpenOutage()
                ? new TierResult.Unavailable<>()
                : guard.call("putAll", () -> store.putAllIfUnchanged(writes, leaseArray));
        List<Boolean> outcome = stored.orElse(List.of());
        for (int i = 0; i < writes.size(); i++) {
            RemoteWrite write = writes.get(i);
            boolean unavailable = stored instanceof TierResult.Unavailable;
            if (unavailable) {
                counters.fallbackLoad();
            } else if (i < outcome.size() && outcome.get(i)) {
                stats.recordPuts(1);
            } else {
                continue; // refused: the key changed since it was read, so this value may be older than the tier's
            }
            fill.found(write.key(), written.get(i), nearLifetime(envelopes.envelopeOf(write.value())));
        }
    }

    private Map<? extends K, ? extends V> timedBulkLoad(
            Set<K> missing, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        long start = clock.nanoTime();
        try {
            Map<? extends K, ? extends V> loaded =
                    requireNonNull(bulkLoader.apply(Collections.unmodifiableSet(missing)), "bulkLoader result");
            loaded.forEach((key, value) -> {
                requireNonNull(key, "a key returned by bulkLoader");
                requireNonNull(value, () -> "the value bulkLoader returned for key " + key);
            });
            stats.recordLoadSuccess(clock.nanoTime() - start);
            return loaded;
        } catch (RuntimeException | Error e) {
            stats.recordLoadFailure(clock.nanoTime() - start);
            throw e;
        }
    }

    /**
     * Writes every entry in one bulk call ({@link RemoteStore#putAll}), after encoding them all (a value that cannot
     * be encoded, or an Expiry that fails, writes none), as one step against this process's loads of those keys, and
     * returns how long each written value has left by its encoded key: a near tier keeps its copy no longer. Under
     * fail-open a failed call makes each key a pending invalidation.
     *
     * @param beforeWrite given the encoded keys once every entry is encoded, before the tier is called (a near cache
     *     announces the write ahead); not called for an empty map, nor when an entry cannot be encoded
     */
    Map<String, Duration> writeAll(Map<? extends K, ? extends V> entries, Consumer<Set<String>> beforeWrite) {
        requireNonNull(entries, "entries");
        Map<String, RemoteWrite> writes = new LinkedHashMap<>();
        Map<String, Long> expiresAt = new HashMap<>();
        entries.forEach((key, value) -> {
            requireNonNull(key, "key");
            requireNonNull(value, () -> "the value for key " + key);
        });
        entries.forEach((key, value) -> {
            String encodedKey = keyEncoder.apply(key);
            Duration writeTtl = writeTtl(key, value);
            byte[] bytes = envelopes.encode(value, 0, writeTtl);
            writes.put(encodedKey, new RemoteWrite(encodedKey, bytes, tierTtl(writeTtl)));
            expiresAt.put(encodedKey, envelopes.envelopeOf(bytes).expiresAtMillis());
        });
        if (writes.isEmpty()) {
            return Map.of();
        }
        List<RemoteWrite> batch = List.copyOf(writes.values());
        beforeWrite.accept(Collections.unmodifiableSet(writes.keySet()));
        flights.writeAll(writes.keySet(), () -> guard.writeEach("putAll", writes.keySet(), () -> store.putAll(batch)));
        stats.recordPuts(batch.size());
        Map<String, Duration> remaining = new LinkedHashMap<>();
        expiresAt.forEach((encodedKey, at) -> remaining.put(encodedKey, remaining(at)));
        return remaining;
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        var unused = writeAll(entries, encodedKeys -> {});
    }

    /**
     * Removes every key in one bulk call ({@link RemoteStore#deleteEach}), as one step against this process's loads of
     * those keys, and returns their encoded keys. Under fail-open a failed call makes each key a pending invalidation.
     *
     * @param beforeWrite given the encoded keys before the tier is called (a near cache announces the invalidation
     *     ahead); not called when there are no keys
     */
    Set<String> invalidateEach(Iterable<? extends K> keys, Consumer<Set<String>> beforeWrite) {
        requireNonNull(keys, "keys");
        Set<String> encodedKeys = new LinkedHashSet<>();
        for (K key : keys) {
            encodedKeys.add(keyEncoder.apply(requireNonNull(key, "key")));
        }
        if (!encodedKeys.isEmpty()) {
            beforeWrite.accept(Collections.unmodifiableSet(encodedKeys));
            flights.writeAll(
                    encodedKeys,
                    () -> guard.writeEach("invalidateAll(keys)", encodedKeys, () -> store.deleteEach(encodedKeys)));
        }
        return encodedKeys;
    }

    @Override
    public void invalidateAll(Iterable<? extends K> keys) {
        var unused = invalidateEach(keys, encodedKeys -> {});
    }

    @Override
    public void put(K key, V value) {
        write(key, value, null);
    }

    @Override
    public void put(K key, V value, Duration ttl) {
        write(key, value, GuardedExpiry.requireTtl(ttl, config.name()));
    }

    /**
     * Writes {@code value} with {@code ttl}, or with the TTL of the cache's Expiry or fixed expiry if null, and returns
     * how long the value written has left once written: the TTL (after jitter) less the time the write took, so that a
     * near copy kept for it never outlives the value's expiry in the tier, nor its expiry plus a staleIfError grace.
     */
    Duration write(K key, V value, @Nullable Duration ttl) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        String encodedKey = keyEncoder.apply(key);
        Duration writeTtl = ttl != null ? expiry.entryTtl(ttl) : writeTtl(key, value); // an Expiry may throw: first
        byte[] bytes = envelopes.encode(value, 0, writeTtl); // fails before anything is written
        // One step against this process's loads of the key, so a load in flight cannot store over it (violation 2).
        Duration tierTtl = tierTtl(writeTtl);
        flights.write(encodedKey, () -> guard.write("put", encodedKey, () -> store.put(encodedKey, bytes, tierTtl)));
        stats.recordPuts(1);
        return remaining(envelopes.envelopeOf(bytes).expiresAtMillis());
    }

    /**
     * Returns how long the tier keeps a value whose envelope expires after {@code writeTtl}: longer by the grace of
     * {@code staleIfError}, so that a failed reload can still find it.
     */
    private Duration tierTtl(Duration writeTtl) {
        StaleServing<String> stale = staleServing;
        if (stale == null) {
            return writeTtl;
        }
        try {
            return writeTtl.plus(stale.grace());
        } catch (ArithmeticException e) {
            return writeTtl; // beyond any TTL a tier takes anyway
        }
    }

    /**
     * Returns the TTL to write {@code value} with: its Expiry's {@code expireAfterCreate} (for replacements too: the
     * tier's remaining TTL is not read before a write), or the fixed TTL, jittered.
     *
     * @throws IllegalStateException if the Expiry fails, before anything is written
     */
    private Duration writeTtl(K key, V value) {
        return entryExpiry == null ? expiry.jitteredTtl() : expiry.entryTtl(entryExpiry.create(key, value));
    }

    @Override
    public void invalidate(K key) {
        requireNonNull(key, "key");
        String encodedKey = keyEncoder.apply(key);
        flights.write(encodedKey, () -> guard.write("invalidate", encodedKey, () -> store.delete(encodedKey)));
    }

    @Override
    public void invalidateAll() {
        flights.discardAll();
        guard.write("invalidateAll", null, store::deleteAll);
    }

    /** Returns 0: the remote tier does not count its entries cheaply, and Cachet does not guess. */
    @Override
    public long estimatedSize() {
        return 0;
    }

    @Override
    public void cleanUp() {
        // The remote tier expires entries itself.
    }

    @Override
    public CacheStats stats() {
        return stats.cacheStats(staleServed());
    }

    @Override
    public Optional<RemoteStats> remoteStats() {
        return Optional.of(counters.snapshot(guard.pendingInvalidations(), staleServed()));
    }

    private long staleServed() {
        return staleServing == null ? 0 : staleServing.servedCount();
    }

    @Override
    public CacheConfig config() {
        return config;
    }

    /**
     * Sets what runs when an outage begins: when the circuit breaker opens, after which invalidations may be lost. A
     * single failed call is no outage.
     */
    public void onOutage(Runnable listener) {
        guard.onOutage(listener);
    }

    /** Sets what runs when the tier is reachable again after an outage: the breaker closed (a near cache clears). */
    public void onRecovery(Runnable listener) {
        guard.onRecovery(listener);
    }

    /** Sets what runs once a pending invalidation reached the tier (a near cache publishes it to other processes). */
    public void onPendingApplied(PendingInvalidations.Applied listener) {
        guard.onPendingApplied(listener);
    }

    /**
     * Sets what runs once a refresh of this process wrote a new value, given the key's tier string (a near cache
     * publishes it, so that every process drops its copy, and drops its own). Without {@code refreshAfterWrite}, never.
     */
    public void onRefreshed(Consumer<String> listener) {
        RefreshAhead<V> refreshAhead = refresh;
        if (refreshAhead != null) {
            refreshAhead.onRefreshed(listener);
        }
    }

    /**
     * Returns the string the tier stores {@code key} under, which is also what invalidation messages carry (and the
     * near-tier key under a custom encoder): the configured encoder's, or {@link DefaultKeyEncoder}'s, which is
     * injective.
     */
    public String encodeKey(K key) {
        return keyEncoder.apply(requireNonNull(key, "key"));
    }

    @Override
    public int loadsInFlight() {
        RefreshAhead<V> refreshAhead = refresh;
        return flights.inFlight() + (refreshAhead == null ? 0 : refreshAhead.inFlight());
    }

    @Override
    public double cumulativeHitRatio() {
        return stats.cacheStats().hitRatio();
    }

    @Override
    public double recentHitRatio() {
        return monitor.recentHitRatio();
    }

    /** The load-and-write of {@code key} for the election and early recompute, which know nothing of keys' types. */
    private LoadAndWrite<V> loadAndWrite(K key, String encodedKey, Function<? super K, ? extends @Nullable V> loader) {
        return (basis, held) -> loadAndWrite(key, encodedKey, loader, basis, held);
    }

    /**
     * Runs the loader and writes its value if {@code basis}, the read that found the key empty, carries a lease, and
     * only while the key's fence still equals it: a write refused because the key was written, deleted or locked since
     * is no error, the caller still gets its value. A tier failure keeps the value too. With {@code held}, the lock on
     * the key the caller holds, the write releases it in the same call.
     */
    private Loaded<V> loadAndWrite(
            K key,
            String encodedKey,
            Function<? super K, ? extends @Nullable V> loader,
            Read<V> basis,
            @Nullable RemoteLock held) {
        long start = clock.nanoTime();
        V value;
        try {
            value = loader.apply(key);
        } catch (Throwable t) { // includes checked exceptions thrown by stealth
            stats.recordLoadFailure(clock.nanoTime() - start);
            throw t;
        }
        long loadNanos = clock.nanoTime() - start;
        stats.recordLoadSuccess(loadNanos);
        if (staleServing != null) {
            staleServing.loaded(encodedKey);
        }
        Duration writeTtl;
        Duration tierTtl;
        byte[] bytes;
        if (value != null) {
            writeTtl = writeTtl(key, value);
            tierTtl = tierTtl(writeTtl);
            bytes = envelopes.encode(value, TimeUnit.NANOSECONDS.toMillis(loadNanos), writeTtl);
        } else if (nullTtl != null) {
            // Written like a value, with the lease of the read that missed: the same rules keep it from undoing a
            // write. Never kept for a grace: a cached null is never served stale.
            writeTtl = nullTtl;
            tierTtl = nullTtl;
            bytes = envelopes.encodeNull(TimeUnit.NANOSECONDS.toMillis(loadNanos), writeTtl);
        } else {
            return Loaded.after(null, null, basis);
        }
        if (basis.found() == Found.UNAVAILABLE || guard.isOpenOutage()) {
            counters.fallbackLoad();
            return Loaded.after(value, bytes, basis);
        }
        if (basis.lease().isEmpty()) {
            return Loaded.after(value, bytes, basis); // writing could undo a value we may not touch
        }
        long lease = basis.lease().getAsLong();
        long sent = clock.nanoTime();
        TierResult<Boolean> written = guard.call(
                "put",
                () -> held != null
                        ? store.putIfUnchangedAndRelease(held, bytes, tierTtl, lease)
                        : store.putIfUnchanged(encodedKey, bytes, tierTtl, lease));
        if (written instanceof TierResult.Unavailable) {
            counters.fallbackLoad();
        } else if (written.orElse(false)) {
            stats.recordPuts(1);
            return Loaded.written(value, bytes, basis, sent);
        }
        return Loaded.after(value, bytes, basis);
    }

    /**
     * Thrown by {@link #get(Object, Function, Consumer, boolean)} in place of serving an expired value: carries the
     * load's failure (its cause) and the expired value, which {@link #serveExpired(Object, ExpiredFallback)} decodes.
     * Never reaches a caller of the cache. Without a stack trace: it only carries.
     */
    static final class ExpiredFallback extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings("serial") // never serialised: it never leaves the cache
        private final transient Expired expired;

        ExpiredFallback(RuntimeException failure, Expired expired) {
            super(failure.toString(), failure, false, false);
            this.expired = expired;
        }

        /** Returns the load's failure, which callers get if no stale value is served. */
        RuntimeException failure() {
            return (RuntimeException) requireNonNull(getCause(), "cause");
        }
    }

    /** The cache's side of a single-flight load: nothing to store locally; waiters decode their own copy. */
    private final class Participant implements SingleFlight.Participant<String, Loaded<V>> {
        @Override
        public @Nullable Loaded<V> lookupQuietly(String key) {
            return null; // the load itself reads the tier first
        }

        @Override
        public Loaded<V> prepare(Loaded<V> loaded) {
            return loaded;
        }

        @Override
        public void store(String key, Loaded<V> prepared) {
            // Already written to the tier by the load.
        }

        @Override
        public Loaded<V> share(Loaded<V> prepared) {
            return prepared.bytes() == null ? prepared : prepared.withValue(envelopes.decodeFresh(prepared.bytes()));
        }
    }
}
