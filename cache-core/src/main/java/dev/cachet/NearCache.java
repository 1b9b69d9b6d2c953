package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.BulkResults;
import dev.cachet.internal.HitRatios;
import dev.cachet.internal.LoadTracking;
import dev.cachet.internal.NullCaching;
import dev.cachet.internal.remote.PendingInvalidations;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A two-level cache: a bounded local copy (the near tier) over a {@link RemoteCache}. Reads go near → remote → loader;
 * a value loaded or read from the remote tier fills the near tier. Writes and invalidations go to the remote tier, then
 * to every other process through the {@link InvalidationChannel} (the key only), then to the own near tier; a process
 * never receives its own messages, so it never evicts what it just wrote.
 * Bulk operations do the same with one remote call and one message per batch ({@link
 * InvalidationChannel#publishEach}); a {@code getAll} fills the near tier as {@code getIfPresent} does.
 *
 * <p>Staleness is bounded: the near tier's TTL caps how long a copy can outlive a lost message, and the whole near
 * tier is dropped when messages may have been lost: the channel reports it, or the remote tier comes back after an
 * outage (its circuit breaker opened; a single failed call is no outage). While the remote tier is down the near tier
 * keeps serving what it has until its TTL; then the remote tier's failure policy applies. An invalidation that could
 * not reach the remote tier under fail-open is published again once the remote tier has applied it.
 *
 * <p>With {@code cacheNulls} a cached null is held in the near tier too, no longer than the null TTL and the near TTL,
 * and invalidated like a value.
 *
 * <p>With {@code staleIfError} the near tier keeps each copy, once expired, until the remote value's expiry plus the
 * grace: while the remote tier is down and the loader fails, callers get that copy. When the remote tier answers with
 * an expired value of its own instead, that one is served and never kept near as a fresh copy.
 * <p>With {@code refreshAfterWrite} a near copy lives no longer than its value's refresh point, so that the first read
 * after it reaches the remote tier, which returns the value and refreshes it ({@link RefreshAhead}); once a refresh
 * wrote its value, the key is published like a write, so every process drops its copy and reads the new value.
 *
 * <p>Without {@code acknowledgedInvalidation}, a write or invalidation of one key or of a batch ({@code putAll},
 * {@code invalidateAll(keys)}: one message for the batch) also tells the other processes before it goes to the remote
 * tier ({@link InvalidationChannel#publishAhead}): they drop their copies while the write is on its way, so that a
 * read of theirs right after it returned mostly goes to the remote tier instead of finding a copy the write's own
 * message has not dropped yet. That costs one more round trip per write.
 *
 * <p>With {@code acknowledgedInvalidation} a write or invalidation publishes its message through {@link
 * InvalidationChannel#publishAcknowledged} and returns once every receiver confirmed it, or once the bounded wait ran
 * out; each outcome is counted. Messages published in the background (a pending invalidation applied late, a refresh)
 * are not waited for: no caller waits for them.
 *
 * <p>With the default key encoder the near tier is keyed by the caller's keys: a near hit encodes nothing, and a copy
 * costs no string of its own. A message carries the remote tier's string for a key, which is decoded back to the key;
 * a string that decodes to no key names no copy of this process. With a custom encoder, whose strings need not decode,
 * the near tier is keyed by the encoded keys ({@link NearKeys}).
 *
 * <p>Near-tier values are copied like any in-memory cache's. Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class NearCache<K, V> implements Cache<K, V>, LoadTracking, HitRatios, NullCaching<K> {
    private static final Logger log = LoggerFactory.getLogger(NearCache.class);

    private final CacheConfig config;
    private final LocalCache<Object, V> near;
    private final NearKeys<K> nearKeys;
    private final RemoteCache<K, V> remote;
    private final InvalidationChannel channel;
    private final Duration nearTtl;
    private final HitRatioMonitor monitor;
    private final LongAdder invalidationsReceived = new LongAdder();
    private final LongAdder clears = new LongAdder();
    private final @Nullable Duration acknowledgeWait;
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder unacknowledged = new LongAdder();
    private final LongAdder invalidationsNotSent = new LongAdder();
    /** Set by a message that could not be sent, cleared by one that was: the first failure of each run is a warning. */
    private final AtomicBoolean sendingFails = new AtomicBoolean();
    /**
     * What the messages that could not be sent were about: sent again after the next message that goes through.
     * Forgiven when this process's own subscription was lost and renewed: then the outage reached the others'
     * subscriptions too, and each cleared its near tier on its own.
     */
    private final UnsentMessages unsent = new UnsentMessages();

    private volatile boolean clearedSinceOutage;
    /** Bumped before anything drops near-tier entries, so that a fill which read the remote tier earlier can tell. */
    private final AtomicLong evictions = new AtomicLong();
    /**
     * Makes a fill's check of {@link #evictions} and its store one step against another process's invalidation: once
     * the listener returned (and the channel may have confirmed the message), no copy read before it can appear, even
     * for a moment. Fills share it; the listener takes it alone.
     */
    private final ReadWriteLock fillGate = new ReentrantReadWriteLock();

    /**
     * Builds the two-level cache and subscribes it to invalidations.
     *
     * @param config the cache's settings (the remote TTL, the hit-ratio warning)
     * @param near the local tier; built with its hit-ratio warning off (this class watches the combined ratio), and
     *     with a per-entry {@link Expiry} of its {@code expireAfterWrite}, which this class shortens per entry
     * @param nearKeys what the near tier is keyed by: {@link NearKeys#byKey} only for the remote tier's default key
     *     encoder
     * @param remote the remote tier
     * @param channel the cache's invalidation channel; this cache subscribes to it and closes it never (the tier does)
     * @param lowHitRatioHandler told of windows whose combined (near + remote) hit ratio is low
     * @param acknowledgeWait with acknowledged invalidation, how long a write waits for confirmations at most
     */
    NearCache(
            CacheConfig config,
            LocalCache<Object, V> near,
            NearKeys<K> nearKeys,
            RemoteCache<K, V> remote,
            InvalidationChannel channel,
            Consumer<? super LowHitRatio> lowHitRatioHandler,
            Optional<Duration> acknowledgeWait) {
        this.config = requireNonNull(config, "config");
        this.near = requireNonNull(near, "near");
        this.nearKeys = requireNonNull(nearKeys, "nearKeys");
        this.remote = requireNonNull(remote, "remote");
        this.channel = requireNonNull(channel, "channel");
        this.acknowledgeWait = acknowledgeWait.orElse(null);
        Duration nearExpiry = near.config()
                .expireAfterWrite()
                .orElseThrow(() -> new IllegalArgumentException("the near tier needs an expireAfterWrite"));
        // With refresh-ahead a copy lives no longer than its value stays fresh: a read after that reaches the remote
        // tier, which serves the value and refreshes it.
        this.nearTtl = config.refreshAfterWrite()
                .map(refresh -> shorter(nearExpiry, refresh))
                .orElse(nearExpiry);
        this.monitor = new HitRatioMonitor(
                config.name(),
                config.hitRatioThreshold(),
                config.hitRatioWindow(),
                () -> near.stats().hitCount() + remote.stats().hitCount(),
                () -> combinedMisses(near.stats(), remote.stats()),
                near::estimatedSize,
                near.config().bound(),
                lowHitRatioHandler);
        remote.onOutage(() -> clearedSinceOutage = false);
        remote.onRecovery(() -> {
            // If the channel already reconnected (and cleared) during this outage, nothing could have changed since:
            // clearing again would only throw away what was read after that. If it is still reconnecting (the server
            // it listened on died, as in a failover), it clears when it is back, which this clear could not spare.
            if (!clearedSinceOutage && channel.isConnected()) {
                clear("the remote tier is reachable again");
            }
        });
        remote.onPendingApplied(new PendingInvalidations.Applied() {
            // Other processes may have refilled their near tiers from the value this invalidation removes only now.
            @Override
            public void applied(String key) {
                publish(List.of(key), () -> channel.publish(key));
            }

            @Override
            public void appliedAll() {
                publish(null, channel::publishAll);
            }
        });
        remote.onRefreshed(encodedKey -> {
            // Every other process drops its copy of the old value (the next read fills from the tier), and so do we.
            publish(List.of(encodedKey), () -> channel.publish(encodedKey));
            Object named = nearKeys.named(encodedKey);
            evictions.incrementAndGet();
            drop(named);
        });
        channel.subscribe(new Listener());
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public @Nullable V get(K key, Function<? super K, ? extends @Nullable V> loader) {
        requireNonNull(key, "key");
        requireNonNull(loader, "loader");
        Object nearKey = nearKeys.of(key);
        Object found = near.lookupOrCachedNull(nearKey);
        if (found != null) {
            return found == CACHED_NULL ? null : cast(found);
        }
        monitor.onMiss();
        nearKeys.remember(key); // before the load begins: a message about the key from here on finds it
        // A null from the remote tier (cached there, or loaded) is cached near as well when nulls are cached.
        // Set by the loader below when this thread runs it: a copy must not outlive the remote value it came from.
        Lifetime[] remaining = {null};
        V loaded;
        try {
            loaded = near.loadAfterMiss(
                    nearKey, k -> remote.get(key, loader, ttl -> remaining[0] = near.lifetime(ttl), false));
        } catch (RemoteCache.ExpiredFallback fallback) {
            // The near tier had no expired copy to serve: the remote tier's, which must not be kept near as fresh.
            return remote.serveExpired(key, fallback);
        }
        if (remaining[0] != null) {
            keepNoLongerThan(nearKey, remaining[0]);
        }
        return loaded;
    }

    @Override
    public @Nullable V getIfPresent(K key) {
        Object found = lookupOrCachedNull(key);
        return found == CACHED_NULL ? null : cast(found);
    }

    @Override
    public @Nullable Object lookupOrCachedNull(K key) {
        Object nearKey = nearKeys.of(key);
        Object found = near.lookupOrCachedNull(nearKey);
        if (found != null) {
            return found;
        }
        monitor.onMiss();
        nearKeys.remember(key); // before the remote read, as in get
        // Not through the near tier's single flight: a get of the same key would join it and return its null.
        long seen = evictions.get();
        Lifetime[] remaining = {null};
        Object fromRemote = remote.lookupOrCachedNull(key, ttl -> remaining[0] = near.lifetime(ttl));
        Lifetime lifetime = remaining[0];
        if (fromRemote != null
                && lifetime != null
                && !lifetime.left().isZero()
                && (fromRemote != CACHED_NULL || near.cachesNulls())) {
            fill(nearKey, fromRemote, seen, lifetime);
        }
        return fromRemote;
    }

    @Override
    public boolean cachesNulls() {
        return remote.cachesNulls();
    }

    @Override
    public void putNull(K key) {
        String encodedKey = remote.encodeKey(key);
        nearKeys.remember(key);
        publishAhead(List.of(encodedKey));
        remote.putNull(key);
        publishKeys(List.of(encodedKey));
        evictions.incrementAndGet();
        near.putNull(nearKeys.of(key, encodedKey));
    }

    @SuppressWarnings("unchecked") // a value, not the marker
    private @Nullable V cast(@Nullable Object found) {
        return (V) found;
    }

    /**
     * Stores a value (or cached null) read from the remote tier unless the near tier dropped something since {@code
     * seen}: a message or clear that arrived while the value was on its way may be about a newer write, so the copy
     * is dropped again. Checking after the put closes the race with a drop between the check and the put (drops bump
     * first).
     */
    private void fill(Object nearKey, Object found, long seen, Lifetime remaining) {
        Lock gate = fillGate.readLock();
        gate.lock();
        try {
            if (evictions.get() != seen) {
                return;
            }
            if (found == CACHED_NULL) {
                near.putNull(nearKey);
            } else {
                near.put(nearKey, cast(found), shorter(nearTtl, remaining.left()));
            }
        } finally {
            gate.unlock();
        }
        keepNoLongerThan(nearKey, remaining);
        if (evictions.get() != seen) {
            near.invalidate(nearKey);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Keys held near are answered from there; the rest come from the remote tier in one bulk read, and the keys it
     * misses from one call of the bulk loader ({@link RemoteCache#getAll(Iterable, Function, RemoteCache.BulkFill)}).
     * What the remote tier answered, and what was loaded and written there, fills the near tier as {@link
     * #getIfPresent} fills it: each copy lives no longer than its remote value, and a copy is dropped again when
     * anything was dropped from the near tier since the remote read began (an invalidation that arrived meanwhile may
     * be about a newer write). A loaded value whose remote write was refused is not kept near. If the bulk loader
     * fails and the remote tier has no expired values to serve for every key, the near tier's stale copies are
     * served when it holds one for every key (staleIfError).
     */
    @Override
    public Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        requireNonNull(keys, "keys");
        requireNonNull(bulkLoader, "bulkLoader");
        return readThrough(keys, (missing, fill) -> {
            try {
                return remote.getAll(missing, bulkLoader, fill);
            } catch (RuntimeException e) {
                return serveNearStale(missing, e);
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Keys held near are answered from there, the rest from the remote tier in one bulk read, which fills the near
     * tier as {@link #getAll} does. Nothing is loaded or written.
     */
    @Override
    public Map<K, V> getAllPresent(Iterable<? extends K> keys) {
        requireNonNull(keys, "keys");
        return readThrough(keys, remote::getAllPresent);
    }

    /**
     * The bulk read behind {@link #getAll} and {@link #getAllPresent}: answers the keys the near tier holds, asks
     * {@code remoteRead} for the others (once, and only if there are any), then keeps near copies of what it reported
     * to its {@link RemoteCache.BulkFill} as {@link #fillAll} does. Returns what was found, in the order of {@code
     * keys}.
     */
    private Map<K, V> readThrough(
            Iterable<? extends K> keys, BiFunction<List<K>, RemoteCache.BulkFill, Map<K, V>> remoteRead) {
        List<K> requested = new ArrayList<>();
        keys.forEach(requested::add);
        Map<K, V> result = new LinkedHashMap<>();
        List<K> missing = new ArrayList<>();
        for (K key : requested) {
            Object found = near.lookupOrCachedNull(nearKeys.of(key));
            if (found == null) {
                monitor.onMiss();
                missing.add(key);
            } else if (found != CACHED_NULL) {
                result.put(key, cast(found)); // a cached null is present without a value: neither here nor loaded
            }
        }
        if (missing.isEmpty()) {
            return BulkResults.inKeyOrder(requested, result, Map.of());
        }
        // The fills name keys by their encoded keys; the near tier keeps the caller's keys.
        Map<String, Object> nearKeyOf = new HashMap<>();
        for (K key : missing) {
            String encodedKey = remote.encodeKey(key);
            nearKeys.remember(key); // before the remote read, as in get
            nearKeyOf.put(encodedKey, nearKeys.of(key, encodedKey));
        }
        long seen = evictions.get();
        List<Fill> fills = new ArrayList<>();
        Map<K, V> fromRemote = remoteRead.apply(missing, (encodedKey, found, remaining) -> {
            Object nearKey = nearKeyOf.get(encodedKey);
            if (nearKey != null) { // always: the remote tier reports only keys it was asked for
                fills.add(new Fill(nearKey, found, near.lifetime(remaining)));
            }
        });
        fillAll(fills, seen);
        return BulkResults.inKeyOrder(requested, result, fromRemote);
    }

    /** Keeps near copies of what a bulk read or load found, as {@link #fill} keeps one. */
    private void fillAll(List<Fill> fills, long seen) {
        for (Fill fill : fills) {
            if (!fill.lifetime().left().isZero() && (fill.found() != CACHED_NULL || near.cachesNulls())) {
                fill(fill.nearKey(), fill.found(), seen, fill.lifetime());
            }
        }
    }

    /** Serves the near tier's stale copies of {@code keys} after a failed bulk load, or throws {@code failure}. */
    private Map<K, V> serveNearStale(List<K> keys, RuntimeException failure) {
        Map<Object, K> byNearKey = new LinkedHashMap<>();
        keys.forEach(key -> byNearKey.put(nearKeys.of(key), key));
        Map<Object, V> stale = near.serveStaleAll(byNearKey.keySet(), failure);
        Map<K, V> served = new LinkedHashMap<>();
        stale.forEach((nearKey, value) -> served.put(byNearKey.get(nearKey), value));
        return served;
    }

    /** What a bulk read or load found for a key that the near tier may keep, and for how long. */
    private record Fill(Object nearKey, Object found, Lifetime lifetime) {}

    /**
     * {@inheritDoc}
     *
     * <p>One ahead message for the whole batch (without acknowledged invalidation), then one bulk write to the remote
     * tier, then one invalidation message for the whole batch, then a near copy of each value that lives no longer
     * than its remote value. An empty map sends nothing.
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        entries.keySet().forEach(nearKeys::remember);
        Map<String, Duration> remaining = remote.writeAll(entries, this::publishAhead);
        if (remaining.isEmpty()) {
            return;
        }
        Map<String, Lifetime> lifetimes = new LinkedHashMap<>();
        remaining.forEach((encodedKey, left) -> lifetimes.put(encodedKey, near.lifetime(left)));
        publishKeys(remaining.keySet());
        evictions.incrementAndGet();
        entries.forEach((key, value) -> {
            String encodedKey = remote.encodeKey(key);
            Lifetime lifetime = requireNonNull(lifetimes.get(encodedKey), "lifetime");
            Object nearKey = nearKeys.of(key, encodedKey);
            near.put(nearKey, value, shorter(nearTtl, lifetime.left()));
            keepNoLongerThan(nearKey, lifetime);
        });
    }

    @Override
    public void put(K key, V value) {
        write(key, value, null);
    }

    @Override
    public void put(K key, V value, Duration ttl) {
        write(key, value, GuardedExpiry.requireTtl(ttl, config.name()));
    }

    /** Writes through to the remote tier, then keeps a copy no longer than the TTL the remote tier wrote. */
    private void write(K key, V value, @Nullable Duration ttl) {
        requireNonNull(value, "value");
        String encodedKey = remote.encodeKey(key);
        nearKeys.remember(key);
        publishAhead(List.of(encodedKey));
        Lifetime remaining = near.lifetime(remote.write(key, value, ttl));
        publishKeys(List.of(encodedKey));
        evictions.incrementAndGet();
        Object nearKey = nearKeys.of(key, encodedKey);
        near.put(nearKey, value, shorter(nearTtl, remaining.left()));
        keepNoLongerThan(nearKey, remaining);
    }

    /**
     * Shortens the copy of {@code nearKey} just kept to what is left of the remote value's {@code remaining}
     * lifetime, read after the copy was stored, and keeps it as long to serve stale: time spent meanwhile (a copy, a
     * cold JVM's class loading) must not let it outlive the value it came from.
     */
    private void keepNoLongerThan(Object nearKey, Lifetime remaining) {
        Duration left = remaining.left();
        near.capExpiry(nearKey, left);
        near.keepStaleFor(nearKey, left);
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void invalidate(K key) {
        String encodedKey = remote.encodeKey(key);
        publishAhead(List.of(encodedKey));
        remote.invalidate(key);
        publishKeys(List.of(encodedKey));
        evictions.incrementAndGet();
        near.invalidate(nearKeys.of(key, encodedKey));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One ahead message for the whole batch (without acknowledged invalidation), then one bulk delete in the remote
     * tier, then one invalidation message for the whole batch, then the near copies. No keys, no message.
     */
    @Override
    public void invalidateAll(Iterable<? extends K> keys) {
        requireNonNull(keys, "keys");
        List<K> toInvalidate = new ArrayList<>();
        keys.forEach(toInvalidate::add); // iterated once, as a caller's Iterable may allow
        Set<String> encodedKeys = remote.invalidateEach(toInvalidate, this::publishAhead);
        if (encodedKeys.isEmpty()) {
            return;
        }
        publishKeys(encodedKeys);
        evictions.incrementAndGet();
        toInvalidate.forEach(key -> near.invalidate(nearKeys.of(key)));
    }

    @Override
    public void invalidateAll() {
        remote.invalidateAll();
        Duration wait = acknowledgeWait;
        if (wait == null) {
            publish(null, channel::publishAll);
        } else {
            countAcknowledgement(null, () -> channel.publishAllAcknowledged(wait));
        }
        evictions.incrementAndGet();
        near.invalidateAll();
    }

    /**
     * Tells the other processes that {@code encodedKeys} changed, for a caller's write: with acknowledged invalidation
     * waits for their confirmations, bounded, and counts the outcome.
     */
    private void publishKeys(Collection<String> encodedKeys) {
        Duration wait = acknowledgeWait;
        if (wait == null && encodedKeys.size() == 1) {
            String encodedKey = encodedKeys.iterator().next();
            publish(encodedKeys, () -> channel.publish(encodedKey));
        } else if (wait == null) {
            publish(encodedKeys, () -> channel.publishEach(encodedKeys));
        } else {
            countAcknowledgement(encodedKeys, () -> channel.publishAcknowledged(encodedKeys, wait));
        }
    }

    /**
     * Tells the other processes that {@code encodedKeys} are about to change, in one message where the channel can,
     * unless the write waits for their acknowledgements anyway. A hint: a failure is logged and the write goes on.
     */
    private void publishAhead(Collection<String> encodedKeys) {
        if (acknowledgeWait == null) {
            publish(List.of(), () -> channel.publishAhead(encodedKeys)); // the write's own message follows
        }
    }

    /** Like {@link #publish}, waiting for the acknowledgements as {@code sendAndWait} does, and counting them. */
    private void countAcknowledgement(@Nullable Collection<String> about, BooleanSupplier sendAndWait) {
        boolean confirmed;
        try {
            confirmed = sendAndWait.getAsBoolean();
            sent();
        } catch (CacheUnavailableException e) {
            notSent(about, e);
            confirmed = false;
        }
        (confirmed ? acknowledged : unacknowledged).increment();
    }

    /**
     * Sends a message with {@code send}, about {@code about} ({@code null}: every key; empty: nothing owed if it is
     * lost, as for an announcement the write's own message follows). A message that cannot be sent is counted, logged
     * and owed ({@link #unsent}); one that is sent is followed by what is owed.
     */
    private void publish(@Nullable Collection<String> about, Runnable send) {
        try {
            send.run();
            sent();
        } catch (CacheUnavailableException e) {
            notSent(about, e);
        }
    }

    private void sent() {
        if (sendingFails.get()) { // read first: the common case writes nothing shared
            sendingFails.set(false);
        }
        if (unsent.isEmpty()) {
            return;
        }
        try {
            int keys = unsent.sendAgain(channel);
            log.info(
                    "cache '{}': invalidation messages are sent again; sent what the lost ones were about ({})",
                    config.name(),
                    keys < 0 ? "every key" : keys + " key(s)");
        } catch (CacheUnavailableException e) {
            notSent(List.of(), e); // still owed: sendAgain kept it
        }
    }

    /**
     * Counts a message that could not be sent and logs it: at WARN for the first of a run of failures, so that a tier
     * that takes writes but refuses messages (an ACL without {@code PUBLISH}, say) does not go unnoticed. The caller's
     * write stands; what the message would have dropped elsewhere stays until the other processes' near TTL ends, until
     * each clears on its channel's reconnection, or until this process next sends a message, which it follows with what
     * is owed ({@link #unsent}).
     */
    private void notSent(@Nullable Collection<String> about, CacheUnavailableException e) {
        invalidationsNotSent.increment();
        if (about == null) {
            unsent.oweAll();
        } else if (!about.isEmpty()) {
            unsent.owe(about);
        }
        if (sendingFails.compareAndSet(false, true)) {
            log.warn(
                    "cache '{}': invalidation message not sent; other processes may serve their copies of the key(s)"
                            + " until their near TTL ({}) ends or their channel reconnects, or this process sends a"
                            + " message again and the lost ones with it. Further failures are logged at DEBUG until"
                            + " then: {}",
                    config.name(),
                    nearTtl,
                    e.getMessage());
        } else {
            log.debug("cache '{}': invalidation message not sent: {}", config.name(), e.getMessage());
        }
    }

    /** Returns the near tier's size; the remote tier's is not counted. */
    @Override
    public long estimatedSize() {
        return near.estimatedSize();
    }

    @Override
    public void cleanUp() {
        near.cleanUp();
    }

    /**
     * Returns the combined figures: hits in either tier, the other requests as misses, the remote tier's loads and
     * puts, the near tier's evictions, the stale values either tier served.
     */
    @Override
    public CacheStats stats() {
        CacheStats nearStats = near.stats();
        CacheStats remoteStats = remote.stats();
        return new CacheStats(
                nearStats.hitCount() + remoteStats.hitCount(),
                combinedMisses(nearStats, remoteStats),
                remoteStats.loadSuccessCount(),
                remoteStats.loadFailureCount(),
                remoteStats.totalLoadTimeNanos(),
                nearStats.evictionCount(),
                nearStats.evictionWeight(),
                remoteStats.putCount(),
                nearStats.staleServedCount() + remoteStats.staleServedCount());
    }

    /**
     * Every request is a near hit or a near miss; a near miss is a hit if the remote tier answered it, otherwise a
     * miss, including callers that waited for another caller's load of the same key (as in any cache).
     */
    private static long combinedMisses(CacheStats nearStats, CacheStats remoteStats) {
        return Math.max(0, nearStats.missCount() - remoteStats.hitCount());
    }

    @Override
    public Optional<RemoteStats> remoteStats() {
        return remote.remoteStats();
    }

    @Override
    public Optional<NearStats> nearStats() {
        CacheStats nearStats = near.stats();
        return Optional.of(new NearStats(
                nearStats.hitCount(),
                nearStats.missCount(),
                invalidationsReceived.sum(),
                clears.sum(),
                nearStats.staleServedCount(),
                acknowledged.sum(),
                unacknowledged.sum(),
                invalidationsNotSent.sum()));
    }

    @Override
    public CacheConfig config() {
        return config;
    }

    @Override
    public int loadsInFlight() {
        return near.loadsInFlight() + remote.loadsInFlight();
    }

    @Override
    public double cumulativeHitRatio() {
        return stats().hitRatio();
    }

    @Override
    public double recentHitRatio() {
        return monitor.recentHitRatio();
    }

    /**
     * Returns the near tier's own figures (its hits over all requests) or the remote tier's (over near misses). Their
     * monitors are off, so each tier's recent ratio is its cumulative one: only the combined ratio is windowed.
     */
    @Override
    public HitRatios tier(Tier tier) {
        return switch (tier) {
            case NEAR -> near;
            case REMOTE -> remote;
        };
    }

    /** Drops the copy a message or refresh names ({@link NearKeys#named}), after {@link #evictions} was bumped. */
    private void drop(Object named) {
        if (named == NearKeys.Unkeyed.ALL) {
            near.invalidateAll();
            clears.increment();
        } else if (named != NearKeys.Unkeyed.NONE) {
            near.invalidate(named);
        }
    }

    private void clear(String why) {
        evictions.incrementAndGet();
        near.invalidateAll();
        clears.increment();
        log.info("cache '{}': near tier cleared: {}", config.name(), why);
    }

    /** Applies other processes' messages to the near tier. */
    private final class Listener implements InvalidationListener {
        @Override
        public void onInvalidate(String key) {
            dropCopy(key);
            invalidationsReceived.increment();
        }

        /** Drops the copy as {@link #onInvalidate} does, but counts nothing: the write's own message is counted. */
        @Override
        public void onInvalidateAhead(String key) {
            dropCopy(key);
        }

        /**
         * Drops the near copy of {@code key}, excluding fills meanwhile so that none stores a copy read before. A
         * message that names no held key still bumps {@link #evictions}: a fill in flight must not tell it from one
         * that did.
         */
        private void dropCopy(String key) {
            Object named = nearKeys.named(key); // decoded outside the gate, which fills wait for
            Lock gate = fillGate.writeLock();
            gate.lock();
            try {
                evictions.incrementAndGet();
                drop(named);
            } finally {
                gate.unlock();
            }
        }

        @Override
        public void onInvalidateAll() {
            Lock gate = fillGate.writeLock();
            gate.lock();
            try {
                evictions.incrementAndGet();
                near.invalidateAll();
            } finally {
                gate.unlock();
            }
            invalidationsReceived.increment();
            clears.increment();
        }

        @Override
        public void onMessagesLost() {
            clear("invalidation messages may have been lost while the channel reconnected");
            clearedSinceOutage = true;
            unsent.forgive();
        }
    }
}
