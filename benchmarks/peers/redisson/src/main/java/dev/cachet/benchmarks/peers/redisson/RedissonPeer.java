package dev.cachet.benchmarks.peers.redisson;

import dev.cachet.benchmarks.peers.Peer;
import dev.cachet.benchmarks.peers.PeerCache;
import dev.cachet.benchmarks.peers.Variant;
import dev.cachet.benchmarks.peers.Workload;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RLock;
import org.redisson.api.RMapCache;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.spring.cache.CacheConfig;
import org.redisson.spring.cache.RedissonSpringCacheManager;
import org.springframework.cache.Cache;

/**
 * Redisson 3.52.0 with its default client settings, and {@link StringCodec} for the String values (its default codec,
 * Kryo 5, would write class information around each one): one key per value ({@code RBucket}), a hash with per-entry
 * TTL ({@code RMapCache}), the same through its Spring {@code CacheManager}, and a hash with a near tier ({@code
 * RLocalCachedMap}).
 */
public final class RedissonPeer implements Peer {
    private static final String CLIENT =
            "`Redisson.create(config)`, `config.useSingleServer().setAddress(\"redis://host:port\")`,"
                    + " every other setting Redisson's default (Netty, 32 event-loop threads, a pool of 64 connections with 24"
                    + " idle); `StringCodec.INSTANCE` for every object";

    /** Creates the peer; the service loader calls this. */
    public RedissonPeer() {}

    @Override
    public String library() {
        return "Redisson " + Redisson.class.getPackage().getImplementationVersion();
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant(
                        "redisson-bucket",
                        "Redisson `RBucket`",
                        Variant.Tier.REDIS,
                        true,
                        List.of(
                                CLIENT,
                                "one `RBucket` per key: `redisson.getBucket(key, codec)`; read: `get()`, and on a miss"
                                        + " `set(value, 10 min)` under the lock below; write: `set(value,"
                                        + " Duration.ofMinutes(10))`",
                                "stampede protection: on a miss, an `RLock` per key (`redisson.getLock(\"peers-lock:\" +"
                                        + " key)`), `get()` again once it is held, load and `set` only if still"
                                        + " missing",
                                "bulk: `redisson.getBuckets(codec).get(keys...)` (`RBuckets`, one `MGET`)")),
                new Variant(
                        "redisson-mapcache",
                        "Redisson `RMapCache`",
                        Variant.Tier.REDIS,
                        true,
                        List.of(
                                CLIENT,
                                "one `RMapCache` (`redisson.getMapCache(\"peers\", codec)`, a hash with per-entry TTL"
                                        + " kept by scripts); read: `get(key)`, and on a miss `fastPut` under the lock"
                                        + " below; write: `fastPut(key, value, 10, MINUTES)`",
                                "stampede protection: on a miss, the map's own lock of the entry (`map.getLock(key)`,"
                                        + " an `RLock`), `get(key)` again once it is held, load and `fastPut` only if"
                                        + " still missing",
                                "bulk: `getAll(keys)` (one script)")),
                new Variant(
                        "redisson-spring",
                        "Redisson `RedissonSpringCacheManager`",
                        Variant.Tier.REDIS,
                        false,
                        List.of(
                                CLIENT,
                                "`new RedissonSpringCacheManager(redisson, Map.of(\"peers\", new CacheConfig(10 min"
                                        + " TTL, 0)), codec)`: a Spring `Cache` on an `RMapCache`",
                                "read: `cache.get(key, valueLoader)`; write: `cache.put(key, value)`; no bulk read in"
                                        + " Spring's `Cache`: `getAll` is a loop over `cache.get(key, String.class)`",
                                "stampede protection: its own, `RedissonCache.get(key, valueLoader)` (what"
                                        + " `@Cacheable(sync = true)` calls), which locks the entry in Redis around the"
                                        + " load")),
                new Variant(
                        "redisson-local",
                        "Redisson `RLocalCachedMap`",
                        Variant.Tier.NEAR,
                        true,
                        List.of(
                                CLIENT,
                                "`redisson.getLocalCachedMap(LocalCachedMapOptions.name(\"peers-local\").codec(codec)"
                                        + ".cacheSize(10_000).evictionPolicy(LRU).timeToLive(5 min)"
                                        + ".reconnectionStrategy(CLEAR).syncStrategy(INVALIDATE))`, as Redisson's"
                                        + " documentation shows it; entries in Redis have no TTL (a plain hash)",
                                "read: `get(key)`, and on a miss `fastPut`; write: `fastPut(key, value)`; bulk:"
                                        + " `getAll(keys)`")));
    }

    @Override
    public PeerCache open(String variantId, String host, int port, Duration ttl) {
        Variant variant = variant(variantId);
        Config config = new Config();
        config.useSingleServer().setAddress("redis://" + host + ":" + port);
        RedissonClient redisson = Redisson.create(config);
        return switch (variant.id()) {
            case "redisson-bucket" -> buckets(redisson, ttl);
            case "redisson-mapcache" -> mapCache(redisson, ttl);
            case "redisson-spring" -> springCache(redisson, ttl);
            case "redisson-local" -> localMap(redisson, ttl);
            default -> throw new IllegalArgumentException("no variant " + variantId);
        };
    }

    private static PeerCache buckets(RedissonClient redisson, Duration ttl) {
        Function<String, RBucket<String>> bucket = key -> redisson.getBucket(key, StringCodec.INSTANCE);
        Function<String, String> read = key -> bucket.apply(key).get();
        Function<String, RLock> lock = key -> redisson.getLock("peers-lock:" + key);
        BiConsumer<String, String> put = (key, value) -> bucket.apply(key).set(value, ttl);
        return PeerCache.of(
                (key, loader) -> lockedReadThrough(key, read, lock, loader, put),
                put,
                keys -> redisson.getBuckets(StringCodec.INSTANCE).get(keys.toArray(String[]::new)),
                redisson::shutdown);
    }

    private static PeerCache mapCache(RedissonClient redisson, Duration ttl) {
        RMapCache<String, String> map = redisson.getMapCache("peers", StringCodec.INSTANCE);
        Function<String, String> read = map::get;
        Function<String, RLock> lock = map::getLock;
        BiConsumer<String, String> put = (key, value) -> map.fastPut(key, value, ttl.toMillis(), TimeUnit.MILLISECONDS);
        return PeerCache.of(
                (key, loader) -> lockedReadThrough(key, read, lock, loader, put),
                put,
                keys -> map.getAll(new LinkedHashSet<>(keys)),
                redisson::shutdown);
    }

    /**
     * The read-through of the variants with an {@code RLock} (its functions are made once per cache, so a hit
     * allocates no more than the library does): {@code read}, and on a miss, under {@code lock}, {@code
     * read} again, then load and {@code write} only if still missing. The lock is not even made on a hit.
     */
    private static String lockedReadThrough(
            String key,
            Function<String, String> read,
            Function<String, RLock> lock,
            Function<String, String> loader,
            BiConsumer<String, String> write) {
        String value = read.apply(key);
        if (value != null) {
            return value;
        }
        RLock held = lock.apply(key);
        held.lock();
        try {
            value = read.apply(key);
            if (value == null) {
                value = loader.apply(key);
                write.accept(key, value);
            }
            return value;
        } finally {
            held.unlock();
        }
    }

    private static PeerCache localMap(RedissonClient redisson, Duration ttl) {
        RLocalCachedMap<String, String> map =
                redisson.getLocalCachedMap(LocalCachedMapOptions.<String, String>name("peers-local")
                        .codec(StringCodec.INSTANCE)
                        .cacheSize(Workload.NEAR_SIZE)
                        .evictionPolicy(LocalCachedMapOptions.EvictionPolicy.LRU)
                        .timeToLive(ttl.compareTo(Workload.NEAR_TTL) < 0 ? ttl : Workload.NEAR_TTL)
                        .reconnectionStrategy(LocalCachedMapOptions.ReconnectionStrategy.CLEAR)
                        .syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE));
        return PeerCache.of(
                (key, loader) -> {
                    String value = map.get(key);
                    if (value == null) {
                        value = loader.apply(key);
                        map.fastPut(key, value);
                    }
                    return value;
                },
                map::fastPut,
                keys -> map.getAll(new LinkedHashSet<>(keys)),
                redisson::shutdown);
    }

    private static PeerCache springCache(RedissonClient redisson, Duration ttl) {
        RedissonSpringCacheManager manager = new RedissonSpringCacheManager(
                redisson, Map.of("peers-spring", new CacheConfig(ttl.toMillis(), 0)), StringCodec.INSTANCE);
        Cache cache = Objects.requireNonNull(manager.getCache("peers-spring"), "no cache peers-spring");
        return PeerCache.of(
                (key, loader) -> cache.get(key, () -> loader.apply(key)),
                cache::put,
                keys -> PeerCache.readEach(keys, key -> cache.get(key, String.class)),
                redisson::shutdown);
    }
}
