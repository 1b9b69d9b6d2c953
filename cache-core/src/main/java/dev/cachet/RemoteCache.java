package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.BulkResults;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.SingleFlight;
import dev.cachet.internal.remote.CircuitBreaker;
import dev.cachet.internal.remote.DefaultKeyEncoder;
import dev.cachet.internal.remote.Envelope;
import dev.cachet.internal.remote.PendingInvalidations;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.ValueCodec;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache whose values live in a remote tier shared by many processes. A miss is loaded once per key in this process
 * (single flight) and once per key across processes (the tier's lock elects the loader); the other processes wait a
 * bounded time for the value, take the lock when its holder ended without one, and load themselves if it does not
 * come. Every load writes with the {@link dev.cachet.spi.Lookup#lease() lease} of the read that missed, so once a
 * {@code put} or {@code invalidate} has returned in any process, no load that began before it can bring back what it
 * replaced. Values travel in an {@link Envelope}; one that cannot be decoded is a counted miss, deleted if still the
 * same bytes and reloaded, unless it is another codec's or a newer format's, which is left alone. While the tier is unreachable the {@link FailurePolicy} decides: by default callers get the loader's value,
 * the outage is logged once and counted, and a circuit breaker spares them the timeouts. Under fail-open a write or
 * invalidation that may not have reached the tier is remembered as a pending invalidation of its key, and applied
 * before this process reads the tier again.
 *
 * <p>Every value a caller receives is freshly decoded or freshly loaded, so callers never share a mutable object.
 * Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class RemoteCache<K, V> implements Cache<K, V>, LoadTracking {
    private static final Logger log = LoggerFactory.getLogger(RemoteCache.class);
    /** What a stored value may hold beyond maxValueBytes: the envelope's header, well under this. */
    private static final int ENVELOPE_HEADER_BYTES = 300;
    /** Pending invalidations kept per cache before they fall back to one pending invalidateAll. */
    static final int MAX_PENDING_INVALIDATIONS = 10_000;

    private final CacheConfig config;
    private final RemoteConfig remote;
    private final RemoteStore store;
    private final ValueCodec<V> codec;
    private final Ticker ticker;
    private final Duration ttl;
    private final Function<Object, String> keyEncoder;
    private final CircuitBreaker breaker;
    private final StatsRecorder stats = new StatsRecorder();
    private final SingleFlight<String, Loaded<V>> flights;
    private final SingleFlight.Participant<String, Loaded<V>> participant = new Participant();
    private final AtomicBoolean outage = new AtomicBoolean();
    private volatile Runnable recoveryListener = () -> {};
    private volatile Runnable outageListener = () -> {};
    private final PendingInvalidations pending = new PendingInvalidations(MAX_PENDING_INVALIDATIONS);
    private final PendingInvalidations.Target pendingTarget = new PendingTarget();
    private volatile PendingInvalidations.Applied pendingListener = new PendingInvalidations.Applied() {
        @Override
        public void applied(String key) {}

        @Override
        public void appliedAll() {}
    };
    private final AtomicBoolean decodeFailureLogged = new AtomicBoolean();
    private final AtomicBoolean earlyRecomputeFailureLogged = new AtomicBoolean();
    private final LongAdder remoteHits = new LongAdder();
    private final LongAdder remoteMisses = new LongAdder();
    private final LongAdder remoteErrors = new LongAdder();
    private final LongAdder lockWaits = new LongAdder();
    private final LongAdder lockTimeouts = new LongAdder();
    private final LongAdder decodeFailures = new LongAdder();
    private final LongAdder fallbackLoads = new LongAdder();
    private final LongAdder earlyRecomputes = new LongAdder();

    /**
     * A loaded value with its encoded form: the loader's caller gets {@code value}, waiters decode {@code bytes}.
     * {@code asOf} is the key's fence as of the read the value rests on (empty when the tier did not answer): a
     * caller whose own read saw a higher fence began after a write this value may predate.
     */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are never mutated
    private record Loaded<V>(@Nullable V value, byte @Nullable [] bytes, OptionalLong asOf) {
        /** Returns whether {@code read}, a caller's own read, saw a write this value may predate. */
        boolean predates(Read<?> read) {
            return read.seen().isPresent() && asOf.isPresent() && read.seen().getAsLong() > asOf.getAsLong();
        }
    }

    /** A value read back from the tier with its envelope. */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are never mutated
    private record Stored<V>(V value, Envelope envelope, byte[] bytes) {}

    /** What a read of the tier found, as far as loading is concerned. */
    private enum Found {
        /** A value this process decoded. */
        HIT,
        /** No value this process can use; a load may replace it if the read carries a lease. */
        MISS,
        /** A value this process must leave alone (newer envelope, other codec): load, but neither write nor wait. */
        FOREIGN,
        /** The tier did not answer (fail-open): load without writing. */
        UNAVAILABLE
    }

    /**
     * A read of the tier: a decoded value, or what a load needs to know: the lease a load may write with (none when
     * writing could undo something), and whether another loader held the key's lock. {@code seen} is the key's fence
     * as the read found it (empty when the tier did not answer), which orders this read after every write before it.
     */
    private record Read<V>(
            Found found, @Nullable Stored<V> stored, OptionalLong lease, boolean locked, OptionalLong seen) {
        static <V> Read<V> hit(Stored<V> stored, long seen) {
            return new Read<>(Found.HIT, stored, OptionalLong.empty(), false, OptionalLong.of(seen));
        }

        static <V> Read<V> miss(OptionalLong lease, boolean locked) {
            return new Read<>(Found.MISS, null, lease, locked, lease);
        }

        static <V> Read<V> foreign(boolean locked, long seen) {
            return new Read<>(Found.FOREIGN, null, OptionalLong.empty(), locked, OptionalLong.of(seen));
        }

        static <V> Read<V> unavailable() {
            return new Read<>(Found.UNAVAILABLE, null, OptionalLong.empty(), false, OptionalLong.empty());
        }

        /** Returns this read without its lease: a load after it must not write, but it still orders the load. */
        Read<V> withoutLease() {
            return new Read<>(found, stored, OptionalLong.empty(), locked, seen);
        }
    }

    /**
     * Builds the cache.
     *
     * @param config the cache's settings; {@code expireAfterWrite} is the remote TTL and must be present
     * @param store this cache's part of the remote tier
     */
    RemoteCache(CacheConfig config, RemoteConfig remote, RemoteStore store, ValueCodec<V> codec, Ticker ticker) {
        this.config = requireNonNull(config, "config");
        this.remote = requireNonNull(remote, "remote");
        this.store = requireNonNull(store, "store");
        this.codec = requireNonNull(codec, "codec");
        this.ticker = requireNonNull(ticker, "ticker");
        this.ttl = config.expireAfterWrite()
                .orElseThrow(() -> new IllegalStateException("a remote tier needs expireAfterWrite, so that every"
                        + " value it writes has a TTL (cache '" + config.name() + "')"));
        this.keyEncoder = remote.keyEncoder() != null ? remote.keyEncoder() : DefaultKeyEncoder::encode;
        this.breaker = new CircuitBreaker(
                ticker::read,
                remote.breakerFailureThreshold(),
                remote.breakerOpenDuration().toNanos());
        this.flights = new SingleFlight<>(config.name(), CacheLoadException::new);
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public @Nullable V get(K key, Function<? super K, ? extends @Nullable V> loader) {
        requireNonNull(key, "key");
        requireNonNull(loader, "loader");
        String encodedKey = keyEncoder.apply(key);
        Read<V> read = read(encodedKey);
        Stored<V> stored = read.stored();
        if (stored != null) {
            stats.recordHits(1);
            if (shouldRecomputeEarly(stored.envelope())) {
                return recomputeEarly(key, encodedKey, loader, stored);
            }
            return stored.value();
        }
        stats.recordMisses(1);
        Loaded<V> loaded = flights.load(encodedKey, k -> loadThroughTier(key, k, loader, read), participant);
        if (loaded.predates(read)) {
            // This caller joined a load that began before a write which this caller's own read came after (the
            // history checker's find): that load's value may be older than the write. Load for this caller alone,
            // with its own lease.
            return loadAndWrite(key, encodedKey, loader, read).value();
        }
        return loaded.value();
    }

    @Override
    public @Nullable V getIfPresent(K key) {
        requireNonNull(key, "key");
        Stored<V> stored = read(keyEncoder.apply(key)).stored();
        if (stored == null) {
            stats.recordMisses(1);
            return null;
        }
        stats.recordHits(1);
        return stored.value();
    }

    @Override
    public Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        requireNonNull(keys, "keys");
        requireNonNull(bulkLoader, "bulkLoader");
        Map<K, V> present = new LinkedHashMap<>(getAllPresent(keys));
        Set<K> missing = new LinkedHashSet<>();
        keys.forEach(key -> {
            if (!present.containsKey(key)) {
                missing.add(key);
            }
        });
        Map<? extends K, ? extends V> loaded = missing.isEmpty() ? Map.of() : timedBulkLoad(missing, bulkLoader);
        loaded.forEach((key, value) -> put(requireNonNull(key, "a key returned by bulkLoader"), value));
        return BulkResults.inKeyOrder(keys, present, loaded);
    }

    private Map<? extends K, ? extends V> timedBulkLoad(
            Set<K> missing, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        long start = ticker.read();
        try {
            Map<? extends K, ? extends V> loaded =
                    requireNonNull(bulkLoader.apply(Collections.unmodifiableSet(missing)), "bulkLoader result");
            stats.recordLoadSuccess(ticker.read() - start);
            return loaded;
        } catch (RuntimeException | Error e) {
            stats.recordLoadFailure(ticker.read() - start);
            throw e;
        }
    }

    @Override
    public void put(K key, V value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        String encodedKey = keyEncoder.apply(key);
        Duration writeTtl = jitteredTtl();
        byte[] bytes = encode(value, 0, writeTtl); // fails before anything is written
        // One step against this process's loads of the key, so a load in flight cannot store over it (violation 2).
        flights.write(encodedKey, () -> write("put", encodedKey, () -> store.put(encodedKey, bytes, writeTtl)));
        stats.recordPuts(1);
    }

    @Override
    public void invalidate(K key) {
        requireNonNull(key, "key");
        String encodedKey = keyEncoder.apply(key);
        flights.write(encodedKey, () -> write("invalidate", encodedKey, () -> store.delete(encodedKey)));
    }

    @Override
    public void invalidateAll() {
        flights.discardAll();
        write("invalidateAll", null, store::deleteAll);
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
        return stats.cacheStats();
    }

    @Override
    public Optional<RemoteStats> remoteStats() {
        return Optional.of(new RemoteStats(
                remoteHits.sum(),
                remoteMisses.sum(),
                remoteErrors.sum(),
                lockWaits.sum(),
                lockTimeouts.sum(),
                decodeFailures.sum(),
                fallbackLoads.sum(),
                earlyRecomputes.sum(),
                pending.size()));
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
        this.outageListener = requireNonNull(listener, "listener");
    }

    /** Sets what runs when the tier is reachable again after an outage: the breaker closed (a near cache clears). */
    public void onRecovery(Runnable listener) {
        this.recoveryListener = requireNonNull(listener, "listener");
    }

    /** Sets what runs once a pending invalidation reached the tier (a near cache publishes it to other processes). */
    public void onPendingApplied(PendingInvalidations.Applied listener) {
        this.pendingListener = requireNonNull(listener, "listener");
    }

    /**
     * Returns the string the tier stores {@code key} under, which is also its near-tier key and what invalidation
     * messages carry: the configured encoder's, or {@link DefaultKeyEncoder}'s, which is injective.
     */
    public String encodeKey(K key) {
        return keyEncoder.apply(requireNonNull(key, "key"));
    }

    @Override
    public int loadsInFlight() {
        return flights.inFlight();
    }

    // ---- reading ----

    /**
     * Reads and decodes {@code key}, with the lease a load of it may write with. A value that cannot be decoded is a
     * counted miss: a value this process must leave alone ({@link Found#FOREIGN}) stays; any other is deleted if the
     * tier still holds exactly the bytes read (never a value written since), and the delete's lease lets the load
     * replace it. An oversized value is not deleted: the load's lease replaces it unless the key changed meanwhile.
     */
    private Read<V> read(String key) {
        long maxBytes = (long) remote.maxValueBytes() + ENVELOPE_HEADER_BYTES;
        Lookup lookup = tierCall("get", () -> store.lookup(key, maxBytes));
        if (lookup == null) {
            return Read.unavailable(); // fail-open
        }
        if (lookup.isOversized()) {
            decodeFailures.increment();
            if (decodeFailureLogged.compareAndSet(false, true)) {
                log.warn(
                        "cache '{}': a stored value has {} bytes, more than maxValueBytes {} allows; treating it as a"
                                + " miss and reloading it. Further decode failures are counted, not logged.",
                        config.name(),
                        lookup.length(),
                        remote.maxValueBytes());
            }
            return Read.miss(OptionalLong.of(lookup.lease()), lookup.isLocked());
        }
        Optional<byte[]> raw = lookup.value();
        if (raw.isEmpty()) {
            remoteMisses.increment();
            return Read.miss(OptionalLong.of(lookup.lease()), lookup.isLocked());
        }
        return decode(key, raw.get(), lookup.isLocked(), lookup.lease());
    }

    private Read<V> decode(String key, byte[] bytes, boolean locked, long seen) {
        try {
            if (bytes.length
                    > (long) remote.maxValueBytes() + ENVELOPE_HEADER_BYTES) { // a store that ignored the limit
                throw new IllegalArgumentException(
                        "stored value of " + bytes.length + " bytes exceeds maxValueBytes " + remote.maxValueBytes());
            }
            Envelope envelope = Envelope.parse(bytes, codec.id());
            Stored<V> stored =
                    new Stored<>(requireNonNull(codec.decode(envelope.payload()), "decoded value"), envelope, bytes);
            remoteHits.increment();
            return Read.hit(stored, seen);
        } catch (Envelope.ForeignEnvelopeException e) {
            decodeFailed(e, "leaving it to the process that wrote it and loading without writing");
            return Read.foreign(locked, seen);
        } catch (RuntimeException e) {
            decodeFailed(e, "deleting it unless rewritten meanwhile, and reloading it");
            OptionalLong lease = tierCall("delete", () -> store.deleteIfUnchanged(key, bytes));
            return Read.miss(lease == null ? OptionalLong.empty() : lease, locked);
        }
    }

    private void decodeFailed(RuntimeException e, String action) {
        decodeFailures.increment();
        if (decodeFailureLogged.compareAndSet(false, true)) {
            log.warn(
                    "cache '{}': a stored value could not be decoded ({}); treating it as a miss, {}. Further decode"
                            + " failures are counted, not logged.",
                    config.name(),
                    e.toString(),
                    action);
        }
    }

    private V decodeFresh(byte[] bytes) {
        return codec.decode(Envelope.parse(bytes, codec.id()).payload());
    }

    // ---- loading ----

    /**
     * Loads {@code key} after {@code miss}: under the tier's lock if it is free; otherwise waits for its holder's value
     * and, whenever a poll finds the lock free without a value (the holder's loader returned null or threw, or its
     * write was refused), tries to take it, so that one waiter loads next and the others keep waiting. A wait that runs
     * out loads and writes with the lease of its latest miss, which the holder's write, if it came first, has used up.
     */
    private Loaded<V> loadThroughTier(
            K key, String encodedKey, Function<? super K, ? extends @Nullable V> loader, Read<V> miss) {
        // isOpen, not allowsRequest: the read at the start of get() has already been this period's probe, and
        // asking again here would use up the next one without calling the tier.
        if (miss.found() != Found.MISS || remote.lockWait().isZero() || breaker.isOpen()) {
            return loadAndWrite(key, encodedKey, loader, miss);
        }
        if (!miss.locked()) {
            Loaded<V> loaded = loadIfLockFree(key, encodedKey, loader, miss);
            if (loaded != null) {
                return loaded;
            }
        }
        lockWaits.increment();
        Read<V> latestMiss = miss;
        boolean interrupted = false;
        long deadline = ticker.read() + remote.lockWait().toNanos();
        while (ticker.read() - deadline < 0) {
            LockSupport.parkNanos(remote.lockPollInterval().toNanos());
            if (Thread.currentThread().isInterrupted()) {
                // parkNanos returns at once while the flag is set, so polling on would spin GETs until the deadline.
                // The caller asked to stop waiting: stop, leave the flag for its next blocking call, and load as
                // after a timeout, so that threads sharing this flight are not failed by another thread's interrupt.
                interrupted = true;
                break;
            }
            Read<V> polled = read(encodedKey);
            Stored<V> arrived = polled.stored();
            if (arrived != null) {
                return new Loaded<>(arrived.value(), arrived.bytes(), polled.seen());
            }
            if (polled.found() == Found.FOREIGN) {
                return loadAndWrite(key, encodedKey, loader, polled); // no value for us will come
            }
            if (polled.found() == Found.MISS) {
                latestMiss = polled;
                if (!polled.locked()) {
                    Loaded<V> loaded = loadIfLockFree(key, encodedKey, loader, polled);
                    if (loaded != null) {
                        return loaded;
                    }
                }
            }
            if (breaker.isOpen()) {
                break;
            }
        }
        lockTimeouts.increment();
        // An interrupt says nothing about the holder, which may still be loading: its write should land, not ours.
        return loadAndWrite(key, encodedKey, loader, interrupted ? latestMiss.withoutLease() : latestMiss);
    }

    /**
     * Takes the tier's lock on {@code key} and loads under it: re-reads first (a value may have been written while we
     * took it), then writes with the lease of that read. Returns null if another process holds the lock.
     */
    private @Nullable Loaded<V> loadIfLockFree(
            K key, String encodedKey, Function<? super K, ? extends @Nullable V> loader, Read<V> miss) {
        Optional<RemoteLock> lock = tierCall("lock", () -> store.tryLock(encodedKey, remote.lockLease()));
        if (lock == null) {
            return loadAndWrite(key, encodedKey, loader, miss); // unavailable, fail-open
        }
        if (lock.isEmpty()) {
            return null;
        }
        try (RemoteLock held = lock.get()) {
            Read<V> again = read(encodedKey);
            Stored<V> arrived = again.stored();
            if (arrived != null) {
                return new Loaded<>(arrived.value(), arrived.bytes(), again.seen());
            }
            return loadAndWrite(key, encodedKey, loader, again);
        }
    }

    /**
     * Runs the loader and writes its value if {@code basis}, the read that found the key empty, carries a lease, and
     * only while the key's fence still equals it: a write refused because the key was written, deleted or locked since
     * is no error, the caller still gets its value. A tier failure keeps the value too.
     */
    private Loaded<V> loadAndWrite(
            K key, String encodedKey, Function<? super K, ? extends @Nullable V> loader, Read<V> basis) {
        long start = ticker.read();
        V value;
        try {
            value = loader.apply(key);
        } catch (Throwable t) { // includes checked exceptions thrown by stealth
            stats.recordLoadFailure(ticker.read() - start);
            throw t;
        }
        long loadNanos = ticker.read() - start;
        stats.recordLoadSuccess(loadNanos);
        if (value == null) {
            return new Loaded<>(null, null, basis.seen());
        }
        Duration writeTtl = jitteredTtl();
        byte[] bytes = encode(value, TimeUnit.NANOSECONDS.toMillis(loadNanos), writeTtl);
        if (basis.found() == Found.UNAVAILABLE || (outage.get() && breaker.isOpen())) {
            fallbackLoads.increment();
            return new Loaded<>(value, bytes, basis.seen());
        }
        if (basis.lease().isEmpty()) {
            return new Loaded<>(value, bytes, basis.seen()); // writing could undo a value we may not touch
        }
        long lease = basis.lease().getAsLong();
        Boolean written = tierCall("put", () -> store.putIfUnchanged(encodedKey, bytes, writeTtl, lease));
        if (written == null) {
            fallbackLoads.increment();
        } else if (written) {
            stats.recordPuts(1);
        }
        return new Loaded<>(value, bytes, basis.seen());
    }

    // ---- early recompute (XFetch, Vattani et al., VLDB 2015) ----

    private boolean shouldRecomputeEarly(Envelope envelope) {
        double beta = remote.earlyRecomputeBeta();
        if (beta <= 0) {
            return false;
        }
        double u = 1.0 - ThreadLocalRandom.current().nextDouble(); // uniform in (0, 1]
        double now = remote.clock().millis();
        return now - envelope.computeMillis() * beta * Math.log(u) >= envelope.expiresAtMillis();
    }

    /**
     * Recomputes a value that is about to expire, if no one else is; everyone else keeps the current value. A
     * recompute that fails (the loader throws, or the tier refuses the lock or the write under fail-closed) returns
     * the current value too: the caller read a valid value, and early recompute must never make a read fail that
     * would have succeeded without it. The failure is counted where any such failure is (a load failure in {@link
     * #stats()}, a remote error in {@link #remoteStats()}); errors ({@link Error}) still propagate.
     */
    private V recomputeEarly(
            K key, String encodedKey, Function<? super K, ? extends @Nullable V> loader, Stored<V> current) {
        try {
            Optional<RemoteLock> lock = tierCall("lock", () -> store.tryLock(encodedKey, remote.lockLease()));
            if (lock == null || lock.isEmpty()) {
                return current.value();
            }
            try (RemoteLock held = lock.get()) {
                earlyRecomputes.increment();
                // The lock's token is the key's lease as of the lock: a put or invalidate since refuses our write.
                Loaded<V> fresh =
                        loadAndWrite(key, encodedKey, loader, Read.miss(OptionalLong.of(held.fencingToken()), true));
                return fresh.value() != null ? fresh.value() : current.value();
            }
        } catch (Exception e) { // includes checked exceptions a loader throws by stealth
            if (earlyRecomputeFailureLogged.compareAndSet(false, true)) {
                log.warn(
                        "cache '{}': an early recompute failed ({}); serving the value it was to replace. Further"
                                + " failures are counted, not logged.",
                        config.name(),
                        e.toString());
            }
            return current.value();
        }
    }

    // ---- encoding and the failure policy ----

    /**
     * Encodes {@code value} in an envelope that expires after {@code writeTtl}: the very TTL the write gives the tier,
     * so that early recompute sees the value's real expiry, jitter included.
     */
    private byte[] encode(V value, long computeMillis, Duration writeTtl) {
        byte[] payload = codec.encode(value);
        if (payload.length > remote.maxValueBytes()) {
            throw new IllegalArgumentException("cache '" + config.name() + "': encoded value of " + payload.length
                    + " bytes exceeds maxValueBytes " + remote.maxValueBytes() + "; not written");
        }
        long expiresAt = remote.clock().millis() + writeTtl.toMillis();
        return new Envelope(codec.id(), computeMillis, expiresAt, payload).toBytes();
    }

    private Duration jitteredTtl() {
        double jitter = remote.ttlJitter();
        if (jitter == 0) {
            return ttl;
        }
        double factor = 1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Duration.ofMillis(Math.max(1, Math.round(ttl.toMillis() * factor)));
    }

    /** A call to the tier. */
    private interface TierCall<T extends @Nullable Object> {
        T run();
    }

    /**
     * Runs a tier call under the breaker and the failure policy: returns its result, or null when the tier is
     * unavailable and the policy is fail-open; throws {@link CacheUnavailableException} under fail-closed. While
     * invalidations of this process are pending (fail-open only), it first applies them, and returns null without
     * calling the tier if that fails or another thread is still applying them: the tier may still hold what they
     * removed, so this process does not read it (contract item 3).
     */
    private <T extends @Nullable Object> @Nullable T tierCall(String operation, TierCall<T> call) {
        if (applyPending() != PendingInvalidations.Replay.CLEAR) {
            return null;
        }
        return attempt(operation, call);
    }

    /**
     * Writes under the failure policy. Under fail-open, a write that failed, timed out or was refused by the breaker
     * may not have reached the tier, which may then keep the old value for its whole TTL: the key (every key, for
     * {@code key} null) becomes a pending invalidation, applied before this process reads the tier again. A failed
     * put is remembered as an invalidation too: deleting is always safe. A write may run while another thread applies
     * pending invalidations: a delete commutes with them, and a value they remove is only a miss.
     */
    private void write(String operation, @Nullable String key, Runnable call) {
        boolean written = applyPending() != PendingInvalidations.Replay.PENDING
                && attempt(operation, () -> {
                            call.run();
                            return Boolean.TRUE;
                        })
                        != null;
        if (!written) { // fail-open: fail-closed threw
            if (key == null) {
                pending.addAll();
            } else {
                pending.add(key);
            }
        }
    }

    /** Applies the pending invalidations, if any and if no other thread is applying them. */
    private PendingInvalidations.Replay applyPending() {
        try {
            return pending.replay(pendingTarget, pendingListener);
        } catch (NotApplied e) {
            return PendingInvalidations.Replay.PENDING; // counted and logged by attempt
        }
    }

    /** Runs a tier call under the breaker and the failure policy, as {@link #tierCall}, pending or not. */
    private <T extends @Nullable Object> @Nullable T attempt(String operation, TierCall<T> call) {
        if (!breaker.allowsRequest()) {
            unavailable(operation, null);
            return null;
        }
        try {
            T result = call.run();
            boolean closed = breaker.onSuccess();
            if (outage.compareAndSet(true, false)) {
                log.info("cache '{}': remote tier is reachable again", config.name());
            }
            if (closed) {
                recoveryListener.run();
            }
            return result;
        } catch (CacheUnavailableException e) {
            remoteErrors.increment();
            // An exhausted connection pool says this process is busy, not that the tier is down: opening the breaker
            // would turn a burst of load into a fail-open period, and clear near tiers for nothing.
            if (!(e instanceof RemoteTierBusyException) && breaker.onFailure()) {
                outageListener.run();
            }
            unavailable(operation, e);
            return null;
        }
    }

    /** Logs the first failure of an outage; throws under fail-closed, returns under fail-open. */
    private void unavailable(String operation, @Nullable CacheUnavailableException cause) {
        if (outage.compareAndSet(false, true)) {
            log.warn(
                    "cache '{}': remote tier unavailable ({}); {} until it is back. Logged once per outage.",
                    config.name(),
                    cause == null ? operation + " refused by the open circuit breaker" : cause.getMessage(),
                    remote.failurePolicy() == FailurePolicy.FAIL_OPEN
                            ? "callers get their loader's values"
                            : "callers get CacheUnavailableException");
        }
        if (remote.failurePolicy() == FailurePolicy.FAIL_CLOSED) {
            throw cause != null
                    ? cause
                    : new CacheUnavailableException(
                            "cache '" + config.name() + "': remote tier unavailable (circuit open) for " + operation,
                            null);
        }
    }

    /**
     * Stops a replay whose call did not reach the tier, already counted and logged. One instance without a stack
     * trace: while the breaker is open, every read of a process with pending invalidations ends its replay so.
     */
    @SuppressWarnings("serial") // never serialised; it never leaves this class
    private static final class NotApplied extends RuntimeException {
        static final NotApplied INSTANCE = new NotApplied();

        private NotApplied() {
            super("pending invalidation not applied", null, false, false);
        }
    }

    /** Applies pending invalidations through the breaker; throws {@link NotApplied} when one did not reach the tier. */
    private final class PendingTarget implements PendingInvalidations.Target {
        @Override
        public void delete(String key) {
            apply("invalidate (pending)", () -> store.delete(key));
        }

        @Override
        public void deleteAll() {
            apply("invalidateAll (pending)", store::deleteAll);
        }

        private void apply(String operation, Runnable call) {
            Boolean done = attempt(operation, () -> {
                call.run();
                return Boolean.TRUE;
            });
            if (done == null) {
                throw NotApplied.INSTANCE;
            }
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
            return prepared.bytes() == null
                    ? prepared
                    : new Loaded<>(decodeFresh(prepared.bytes()), prepared.bytes(), prepared.asOf());
        }
    }
}
