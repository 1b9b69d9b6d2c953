package dev.cachet.benchmarks.peers.cachet;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.benchmarks.peers.Peer;
import dev.cachet.benchmarks.peers.PeerCache;
import dev.cachet.benchmarks.peers.Variant;
import dev.cachet.benchmarks.peers.Workload;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Cachet with a Redis tier ({@link Variant#CACHET}) and with a near tier as well ({@link Variant#CACHET_NEAR}), set up
 * as the README recommends: {@code RedisTier.connect} with its defaults, {@code Codec.string()}.
 */
public final class CachetPeer implements Peer {
    private static final List<String> COMMON = List.of(
            "`RedisTier.connect(\"redis://host:port\", RedisTierConfig.defaults())`: Jedis 7.5.3 `RedisClient`, pool of"
                    + " 16 connections, 200 ms socket timeout, fail-open",
            "`Cachet.builder(name).expireAfterWrite(10 min).remote(tier, Codec.string())`",
            "read: `cache.get(key, loader)`; write: `cache.put(key, value)`; bulk: `cache.getAll(keys, bulkLoader)`");

    /** Creates the peer; the service loader calls this. */
    public CachetPeer() {}

    @Override
    public String library() {
        String version = Cachet.class.getPackage().getImplementationVersion();
        return "Cachet " + (version == null ? "(this checkout)" : version);
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant(Variant.CACHET, "Cachet, Redis tier", Variant.Tier.REDIS, true, COMMON),
                new Variant(
                        Variant.CACHET_NEAR,
                        "Cachet, near tier",
                        Variant.Tier.NEAR,
                        true,
                        concat(
                                COMMON,
                                "`.nearCache(10_000, 5 min)`: the near tier, kept in step by invalidation"
                                        + " messages (Redis pub/sub)")));
    }

    @Override
    public PeerCache open(String variantId, String host, int port) {
        Variant variant = variant(variantId);
        RedisTier tier = RedisTier.connect("redis://" + host + ":" + port, RedisTierConfig.defaults());
        var builder = Cachet.builder("peers-" + variant.id())
                .registry(CacheRegistry.create())
                .expireAfterWrite(Workload.TTL)
                .remote(tier, Codec.string());
        if (variant.tier() == Variant.Tier.NEAR) {
            builder.nearCache(Workload.NEAR_SIZE, Workload.NEAR_TTL)
                    // The fill misses every key once on purpose.
                    .hitRatioWarning(0, 1);
        }
        Cache<String, String> cache = builder.<String, String>build();
        return new PeerCache() {
            @Override
            public String get(String key, Function<String, String> loader) {
                return cache.get(key, loader);
            }

            @Override
            public void put(String key, String value) {
                cache.put(key, value);
            }

            @Override
            public Map<String, String> getAll(List<String> keys) {
                return cache.getAll(keys, missing -> {
                    throw new IllegalStateException("getAll of present keys loaded " + missing);
                });
            }

            @Override
            public void close() {
                tier.close();
            }
        };
    }

    private static List<String> concat(List<String> lines, String line) {
        return java.util.stream.Stream.concat(lines.stream(), java.util.stream.Stream.of(line))
                .toList();
    }
}
