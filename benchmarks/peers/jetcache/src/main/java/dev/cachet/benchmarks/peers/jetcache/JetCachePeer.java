package dev.cachet.benchmarks.peers.jetcache;

import com.alicp.jetcache.Cache;
import com.alicp.jetcache.MultiLevelCacheBuilder;
import com.alicp.jetcache.SimpleCacheManager;
import com.alicp.jetcache.embedded.CaffeineCacheBuilder;
import com.alicp.jetcache.redis.RedisCacheBuilder;
import com.alicp.jetcache.support.BroadcastManager;
import com.alicp.jetcache.support.CacheNotifyMonitor;
import com.alicp.jetcache.support.Fastjson2KeyConvertor;
import com.alicp.jetcache.support.JavaValueDecoder;
import com.alicp.jetcache.support.JavaValueEncoder;
import dev.cachet.benchmarks.peers.Peer;
import dev.cachet.benchmarks.peers.PeerCache;
import dev.cachet.benchmarks.peers.Variant;
import dev.cachet.benchmarks.peers.Workload;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/**
 * JetCache 2.7.8 through its builder API (no Spring), set up as its documentation's "Builder" and "local cache sync"
 * examples do: a Redis cache on a Jedis pool ({@code jetcache-remote}), and a two-level cache, Caffeine over that Redis
 * cache, whose local copies other JVMs drop through a broadcast channel ({@code jetcache-both}, {@code syncLocal}).
 */
public final class JetCachePeer implements Peer {
    private static final String CACHE_NAME = "peers";

    private static final List<String> REMOTE = List.of(
            "`JedisPool` (Jedis 5.0.2, JetCache's own version) with the documentation's pool: `minIdle 2`, `maxIdle"
                    + " 10`, `maxTotal 10`",
            "`RedisCacheBuilder.createRedisCacheBuilder().jedisPool(pool).keyPrefix(\"peers:\")"
                    + ".keyConvertor(Fastjson2KeyConvertor.INSTANCE).valueEncoder(JavaValueEncoder.INSTANCE)"
                    + ".valueDecoder(JavaValueDecoder.INSTANCE).expireAfterWrite(10 min).cachePenetrateProtect(true)`, as"
                    + " the documentation's builder example (JetCache's default codec, Java serialization inside its own"
                    + " envelope), with penetration protection on",
            "read: `cache.computeIfAbsent(key, loader)`; write: `cache.put(key, value)`; bulk: `cache.getAll(keys)`"
                    + " (one `MGET`)",
            "stampede protection: `cachePenetrateProtect(true)` (what `@CachePenetrationProtect` sets):"
                    + " `computeIfAbsent` loads once per key in each JVM; nothing across JVMs");

    /** Creates the peer; the service loader calls this. */
    public JetCachePeer() {}

    @Override
    public String library() {
        String version = Cache.class.getPackage().getImplementationVersion();
        return "JetCache " + (version == null ? "2.7.8" : version);
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant("jetcache-remote", "JetCache remote (Redis)", Variant.Tier.REDIS, true, REMOTE),
                new Variant(
                        "jetcache-both",
                        "JetCache two-level, `syncLocal`",
                        Variant.Tier.NEAR,
                        true,
                        Variant.lines(
                                REMOTE,
                                "local: `CaffeineCacheBuilder.createCaffeineCacheBuilder().limit(10_000)"
                                        + ".expireAfterWrite(5 min).keyConvertor(Fastjson2KeyConvertor"
                                        + ".INSTANCE)` (Caffeine 2.9.3, JetCache's own version)",
                                "`MultiLevelCacheBuilder.createMultiLevelCacheBuilder().addCache(local,"
                                        + " remote).useExpireOfSubCache(true)`",
                                "`syncLocal`: a `SimpleCacheManager` with the remote builder's"
                                        + " `createBroadcastManager` on channel `peers` (subscribed), and"
                                        + " a `CacheNotifyMonitor` on the two-level cache, as"
                                        + " JetCache's `LocalCacheSyncExample` does")));
    }

    @Override
    public PeerCache open(String variantId, String host, int port, Duration ttl) {
        Variant variant = variant(variantId);
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMinIdle(2);
        poolConfig.setMaxIdle(10);
        poolConfig.setMaxTotal(10);
        JedisPool pool = new JedisPool(poolConfig, host, port);
        Cache<String, String> remote = RedisCacheBuilder.createRedisCacheBuilder()
                .jedisPool(pool)
                .keyPrefix(CACHE_NAME + ":")
                .keyConvertor(Fastjson2KeyConvertor.INSTANCE)
                .valueEncoder(JavaValueEncoder.INSTANCE)
                .valueDecoder(JavaValueDecoder.INSTANCE)
                .expireAfterWrite(ttl.toMillis(), TimeUnit.MILLISECONDS)
                .cachePenetrateProtect(true)
                .buildCache();
        if (variant.tier() == Variant.Tier.REDIS) {
            return jetCache(remote, () -> {
                remote.close();
                pool.close();
            });
        }
        Cache<String, String> local = CaffeineCacheBuilder.createCaffeineCacheBuilder()
                .limit(Workload.NEAR_SIZE)
                .expireAfterWrite(Math.min(ttl.toMillis(), Workload.NEAR_TTL.toMillis()), TimeUnit.MILLISECONDS)
                .keyConvertor(Fastjson2KeyConvertor.INSTANCE)
                .buildCache();
        SimpleCacheManager cacheManager = new SimpleCacheManager();
        BroadcastManager broadcast = RedisCacheBuilder.createRedisCacheBuilder()
                .jedisPool(pool)
                .broadcastChannel(CACHE_NAME)
                .createBroadcastManager(cacheManager);
        broadcast.startSubscribe();
        cacheManager.putBroadcastManager(broadcast);
        @SuppressWarnings("unchecked")
        Cache<String, String> both = MultiLevelCacheBuilder.createMultiLevelCacheBuilder()
                .addCache(local, remote)
                .useExpireOfSubCache(true)
                .buildCache();
        cacheManager.putCache(CACHE_NAME, both);
        both.config().getMonitors().add(new CacheNotifyMonitor(cacheManager, CACHE_NAME));
        return jetCache(both, () -> {
            both.close();
            try {
                broadcast.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close JetCache's broadcast manager", e);
            }
            pool.close();
        });
    }

    /** Returns {@code cache} as the workload drives it; {@code close} closes it and what it uses. */
    private static PeerCache jetCache(Cache<String, String> cache, Runnable close) {
        return PeerCache.of(cache::computeIfAbsent, cache::put, keys -> cache.getAll(new LinkedHashSet<>(keys)), close);
    }
}
