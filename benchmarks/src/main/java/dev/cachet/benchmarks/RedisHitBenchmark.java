package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.benchmarks.environment.RedisServerProcess;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * P6 and P7: hits through a Redis-backed Cachet cache, against its own redis-server on loopback.
 *
 * <ul>
 *   <li>{@link #redisTier}: {@code get(k, loader)} on a cache with a Redis tier and no near tier: every hit is a
 *       {@code GET} plus decoding the tier's envelope and the String codec.
 *   <li>{@link #jedisGet}: the baseline of P6, a raw {@code GET} of the very key (and so the very bytes, envelope
 *       included) that the tier wrote, through a Jedis {@link RedisClient} with the tier's pool size and timeouts.
 *   <li>{@link #nearTier}: the same cache with a near tier ({@code nearCache(10_000, 5 min)}), every key near: P7
 *       compares it with {@link #redisTier}.
 * </ul>
 *
 * <p>{@value #KEYS} keys {@code k0}, {@code k1}, ... with {@value #VALUE_LENGTH}-character String values, written
 * before measuring; each thread walks the keys in turn. A loader call during measurement fails the trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RedisHitBenchmark {
    /** Keys written before measuring. */
    public static final int KEYS = 1_000;

    /** Characters of each value. */
    public static final int VALUE_LENGTH = 100;

    /** The cache's name, part of the Redis key layout {@code <prefix>:<name length>:<name>:{<encoded key>}}. */
    static final String CACHE_NAME = "bench";

    private static final String NEAR_CACHE_NAME = "bench-near";

    /** Returns the value stored under {@code key}: {@value #VALUE_LENGTH} characters. */
    static String valueOf(String key) {
        StringBuilder value = new StringBuilder(VALUE_LENGTH).append(key).append('=');
        while (value.length() < VALUE_LENGTH) {
            value.append((char) ('a' + value.length() % 26));
        }
        return value.toString();
    }

    /**
     * Returns the Redis key under which {@link RedisTier} keeps String key {@code key} of cache {@code cacheName} with
     * the default prefix and key encoder (which tags a String {@code s:}), for names and keys that need no escaping:
     * {@code cachet:5:bench:{s:k42}}.
     */
    static String redisKey(String cacheName, String key) {
        return RedisTierConfig.defaults().keyPrefix() + ':' + cacheName.getBytes(StandardCharsets.UTF_8).length + ':'
                + cacheName + ":{s:" + key + '}';
    }

    /** The server, the caches, the raw client, and every key written. */
    @State(Scope.Benchmark)
    public static class Fixture {
        RedisServerProcess server;
        RedisTier tier;
        Cache<String, String> remote;
        Cache<String, String> near;
        RedisClient raw;
        String[] keys;
        byte[][] rawKeys;
        final AtomicLong loads = new AtomicLong();
        final Function<String, String> loader = key -> {
            loads.incrementAndGet();
            return valueOf(key);
        };

        /** Starts redis-server and writes every key through both caches. */
        @Setup(Level.Trial)
        public void start() {
            server = RedisServerProcess.start();
            RedisTierConfig config = RedisTierConfig.defaults();
            tier = RedisTier.connect(server.uri(), config);
            remote = Cachet.builder(CACHE_NAME)
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .remote(tier, Codec.string())
                    .<String, String>build();
            near = Cachet.builder(NEAR_CACHE_NAME)
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .remote(tier, Codec.string())
                    .nearCache(10_000, Duration.ofMinutes(5))
                    .hitRatioWarning(0, 1) // the fill misses every key on purpose
                    .<String, String>build();
            // Configured like the tier's own client (see RedisTier.connect): same timeouts, same pool.
            ConnectionPoolConfig pool = new ConnectionPoolConfig();
            pool.setMaxTotal(config.maxConnections());
            pool.setMaxIdle(config.maxConnections());
            pool.setMinIdle(0);
            pool.setBlockWhenExhausted(true);
            pool.setMaxWait(config.connectTimeout());
            URI uri = URI.create(server.uri());
            raw = RedisClient.builder()
                    .hostAndPort(new HostAndPort(uri.getHost(), uri.getPort()))
                    .clientConfig(DefaultJedisClientConfig.builder()
                            .connectionTimeoutMillis(
                                    (int) config.connectTimeout().toMillis())
                            .socketTimeoutMillis((int) config.socketTimeout().toMillis())
                            .build())
                    .poolConfig(pool)
                    .build();
            keys = new String[KEYS];
            rawKeys = new byte[KEYS][];
            for (int i = 0; i < KEYS; i++) {
                keys[i] = "k" + i;
                remote.put(keys[i], valueOf(keys[i]));
                near.get(keys[i], loader);
                rawKeys[i] = redisKey(CACHE_NAME, keys[i]).getBytes(StandardCharsets.UTF_8);
                byte[] stored = raw.get(rawKeys[i]);
                if (stored == null || stored.length < VALUE_LENGTH) {
                    throw new IllegalStateException("the tier did not write " + redisKey(CACHE_NAME, keys[i])
                            + " (" + (stored == null ? "absent" : stored.length + " bytes")
                            + "): has RedisTier's key layout changed?");
                }
            }
            loads.set(0);
        }

        /** Fails the trial if a measured lookup loaded, then stops everything. */
        @TearDown(Level.Trial)
        public void stop() {
            try {
                if (loads.get() != 0) {
                    throw new IllegalStateException(
                            loads.get() + " loader calls while measuring: this benchmark measures hits only");
                }
            } finally {
                raw.close();
                tier.close();
                server.close();
            }
        }
    }

    /** Each thread's position in the keys. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int index() {
            int i = next;
            next = i + 1 == KEYS ? 0 : i + 1;
            return i;
        }
    }

    /** A hit of the Redis tier: {@code GET}, envelope and codec. */
    @Benchmark
    public String redisTier(Fixture f, Cursor c) {
        return f.remote.get(f.keys[c.index()], f.loader);
    }

    /** Raw Jedis {@code GET} of the bytes the tier wrote for the same key. */
    @Benchmark
    public byte[] jedisGet(Fixture f, Cursor c) {
        return f.raw.get(f.rawKeys[c.index()]);
    }

    /** A hit of the near tier. */
    @Benchmark
    public String nearTier(Fixture f, Cursor c) {
        return f.near.get(f.keys[c.index()], f.loader);
    }
}
