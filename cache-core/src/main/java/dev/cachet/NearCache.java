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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A two-level cache: a bounded local copy (the near tier, keyed by the remote key string) over a {@link RemoteCache}.
 * Reads go near → remote → loader; a value loaded or read from the remote tier fills the near tier. Writes and
 * invalidations go to the remote tier, then to every other process through the {@link InvalidationChannel} (the key
 * only), then to the own near tier; a process never receives its own messages, so it never evicts what it just wrote.
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
 * <p>Near-tier values are copied like any in-memory cache's. Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class NearCache<K, V> implements Cache<K, V>, LoadTracking, HitRatios, NullCaching<K> {
    private static final Logger log = LoggerFactory.getLogger(NearCache.class);

    private final CacheConfig config;
    private final LocalCache<String, V> near;
    private final RemoteCache<K, V> remote;
    private final InvalidationChannel channel;
    private final Duration nearTtl;
    private final HitRatioMonitor monitor;
    private final LongAdder invalidationsReceived = new LongAdder();
    private final LongAdder clears = new LongAdder();
    private volatile boolean clearedSinceOutage;
    /** Bumped before anything drops near-tier entries, so that a fill which read the remote tier earlier can tell. */
    private final AtomicLong evictions = new AtomicLong();

    /**
     * Builds the two-level cache and subscribes it to invalidations.
     *
     * @param config the cache's settings (the remote TTL, the hit-ratio warning)
     * @param near the local tier; built with its hit-ratio warning off (this class watches the combined ratio), and
     *     with a per-entry {@link Expiry} of its {@code expireAfterWrite}, which this class shortens per entry
     * @param remote the remote tier
     * @param channel the cache's invalidation channel; this cache subscribes to it and closes it never (the tier does)
     * @param lowHitRatioHandler told of windows whose combined (near + remote) hit ratio is low
     */
    NearCache(
            CacheConfig config,
            LocalCache<String, V> near,
            RemoteCache<K, V> remote,
            InvalidationChannel channel,
            Consumer<? super LowHitRatio> lowHitRatioHandler) {
        this.config = requireNonNull(config, "config");
        this.near = requireNonNull(near, "near");
        this.remote = requireNonNull(remote, "remote");
        this.channel = requireNonNull(channel, "channel");
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
                publish(() -> channel.publish(key));
            }

            @Override
            public void appliedAll() {
                publish(channel::publishAll);
            }
        });
        remote.onRefreshed(encodedKey -> {
            // Every other process drops its copy of the old value (the next read fills from the tier), and so do we.
            publish(() -> channel.publish(encodedKey));
            evictions.incrementAndGet();
            near.invalidate(encodedKey);
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
        String encodedKey = remote.encodeKey(key);
        Object found = near.lookupOrCachedNull(encodedKey);
        if (found != null) {
            return found == CACHED_NULL ? null : cast(found);
        }
        monitor.onMiss();
        // A null from the remote tier (cached there, or loaded) is cached near as well when nulls are cached.
        // Set by the loader below when this thread runs it: a copy must not outlive the remote value it came from.
        Lifetime[] remaining = {null};
        V loaded;
        try {
            loaded = near.loadAfterMiss(
                    encodedKey, k -> remote.get(key, loader, ttl -> remaining[0] = near.lifetime(ttl), false));
        } catch (RemoteCache.ExpiredFallback fallback) {
            // The near tier had no expired copy to serve: the remote tier's, which must not be kept near as fresh.
            return remote.serveExpired(key, fallback);
        }
        if (remaining[0] != null) {
            keepNoLongerThan(encodedKey, remaining[0]);
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
        String encodedKey = remote.encodeKey(key);
        Object found = near.lookupOrCachedNull(encodedKey);
        if (found != null) {
            return found;
        }
        monitor.onMiss();
        // Not through the near tier's single flight: a get of the same key would join it and return its null.
        long seen = evictions.get();
        Lifetime[] remaining = {null};
        Object fromRemote = remote.lookupOrCachedNull(key, ttl -> remaining[0] = near.lifetime(ttl));
        Lifetime lifetime = remaining[0];
        if (fromRemote != null
                && lifetime != null
                && !lifetime.left().isZero()
                && (fromRemote != CACHED_NULL || near.cachesNulls())) {
            fill(encodedKey, fromRemote, seen, lifetime);
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
        remote.putNull(key);
        publish(() -> channel.publish(encodedKey));
        evictions.incrementAndGet();
        near.putNull(encodedKey);
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
    private void fill(String encodedKey, Object found, long seen, Lifetime remaining) {
        if (found == CACHED_NULL) {
            near.putNull(encodedKey);
        } else {
            near.put(encodedKey, cast(found), shorter(nearTtl, remaining.left()));
        }
        keepNoLongerThan(encodedKey, remaining);
        if (evictions.get() != seen) {
            near.invalidate(encodedKey);
        }
    }

    @Override
    public Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        // Keys already near are answered from there; the rest come from the remote tier without filling the near tier:
        // a fill after the remote read could undo an invalidation that arrived meanwhile. Later gets fill it safely.
        requireNonNull(keys, "keys");
        requireNonNull(bulkLoader, "bulkLoader");
        List<K> requested = new ArrayList<>();
        keys.forEach(requested::add);
        Map<K, V> result = new LinkedHashMap<>();
        List<K> missing = new ArrayList<>();
        for (K key : requested) {
            Object found = near.lookupOrCachedNull(remote.encodeKey(requireNonNull(key, "key")));
            if (found == null) {
                missing.add(key);
            } else if (found != CACHED_NULL) {
                result.put(key, cast(found)); // a cached null is present without a value: neither here nor loaded
            }
        }
        Map<K, V> fromRemote = missing.isEmpty() ? Map.of() : remote.getAll(missing, bulkLoader);
        return BulkResults.inKeyOrder(requested, result, fromRemote);
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
        Lifetime remaining = near.lifetime(remote.write(key, value, ttl));
        publish(() -> channel.publish(encodedKey));
        evictions.incrementAndGet();
        near.put(encodedKey, value, shorter(nearTtl, remaining.left()));
        keepNoLongerThan(encodedKey, remaining);
    }

    /**
     * Shortens the copy of {@code encodedKey} just kept to what is left of the remote value's {@code remaining}
     * lifetime, read after the copy was stored, and keeps it as long to serve stale: time spent meanwhile (a copy, a
     * cold JVM's class loading) must not let it outlive the value it came from.
     */
    private void keepNoLongerThan(String encodedKey, Lifetime remaining) {
        Duration left = remaining.left();
        near.capExpiry(encodedKey, left);
        near.keepStaleFor(encodedKey, left);
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void invalidate(K key) {
        String encodedKey = remote.encodeKey(key);
        remote.invalidate(key);
        publish(() -> channel.publish(encodedKey));
        evictions.incrementAndGet();
        near.invalidate(encodedKey);
    }

    @Override
    public void invalidateAll() {
        remote.invalidateAll();
        publish(channel::publishAll);
        evictions.incrementAndGet();
        near.invalidateAll();
    }

    private void publish(Runnable send) {
        try {
            send.run();
        } catch (CacheUnavailableException e) {
            // The remote write already went through the failure policy; a lost message is bounded by the near TTL
            // and by the clear every other process does when its channel reconnects.
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
                nearStats.staleServedCount()));
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
            evictions.incrementAndGet();
            near.invalidate(key);
            invalidationsReceived.increment();
        }

        @Override
        public void onInvalidateAll() {
            evictions.incrementAndGet();
            near.invalidateAll();
            invalidationsReceived.increment();
            clears.increment();
        }

        @Override
        public void onMessagesLost() {
            clear("invalidation messages may have been lost while the channel reconnected");
            clearedSinceOutage = true;
        }
    }
}
