package dev.cachet.benchmarks.peers.cachet;

import dev.cachet.Cache;
import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.benchmarks.peers.Peer;
import dev.cachet.benchmarks.peers.PeerCache;
import dev.cachet.benchmarks.peers.Variant;
import dev.cachet.benchmarks.peers.Workload;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Cachet with a Redis tier ({@link Variant#CACHET}), with a near tier as well ({@link Variant#CACHET_NEAR}) and with a
 * near tier whose writes wait for the other processes' acknowledgements ({@code cachet-near-ack}), set up as the
 * README recommends: {@code RedisTier.connect} with its defaults, {@code Codec.string()}. A further way of
 * setting Cachet up is one more line in {@link #SETUPS}: its id, label, tier, the configuration line the report shows
 * and what it does to the builder. Every figure of its tier then measures it.
 */
public final class CachetPeer implements Peer {
    private static final List<String> COMMON = List.of(
            "`RedisTier.connect(\"redis://host:port\", RedisTierConfig.defaults())`: Jedis 7.5.3 `RedisClient`, pool of"
                    + " 16 connections, 200 ms socket timeout, fail-open",
            "`Cachet.builder(name).expireAfterWrite(10 min).remote(tier, Codec.string())`",
            "read: `cache.get(key, loader)`; write: `cache.put(key, value)`; bulk: `cache.getAll(keys, bulkLoader)`",
            "stampede protection: built in, on by default: one load per JVM (single flight), and across JVMs a Redis"
                    + " lock per key (`SET NX PX`) that the other JVMs wait on (`lockWait`, 2 s)");

    private static final String NEAR =
            "`.nearCache(10_000, 5 min)`: the near tier, kept in step by invalidation" + " messages (Redis pub/sub)";

    /** How long a write of the acknowledged variant waits for the other processes at most. */
    private static final Duration ACK_WAIT = Duration.ofMillis(100);

    /**
     * One way of setting Cachet up.
     *
     * @param variant what the report shows
     * @param setup what it does to the builder, after the remote tier (and the near tier, for a near variant)
     */
    private record Setup(Variant variant, UnaryOperator<CacheBuilder<Object, String>> setup) {
        static Setup of(
                String id,
                String label,
                Variant.Tier tier,
                String configuration,
                UnaryOperator<CacheBuilder<Object, String>> setup) {
            List<String> lines = tier == Variant.Tier.NEAR ? Variant.lines(COMMON, NEAR) : COMMON;
            if (configuration != null) {
                lines = Variant.lines(lines, configuration);
            }
            return new Setup(new Variant(id, label, tier, true, lines), setup);
        }
    }

    private static final List<Setup> SETUPS = List.of(
            Setup.of(Variant.CACHET, "Cachet, Redis tier", Variant.Tier.REDIS, null, b -> b),
            Setup.of(Variant.CACHET_NEAR, "Cachet, near tier", Variant.Tier.NEAR, null, b -> b),
            Setup.of(
                    "cachet-near-ack",
                    "Cachet, near tier, acknowledged invalidation",
                    Variant.Tier.NEAR,
                    "`.acknowledgedInvalidation(Duration.ofMillis(100))`: a `put` returns once every other subscribed"
                            + " process has dropped its copy and said so, or after 100 ms more at most",
                    b -> b.acknowledgedInvalidation(ACK_WAIT)));

    /** Creates the peer; the service loader calls this. */
    public CachetPeer() {}

    @Override
    public String library() {
        String version = Cachet.class.getPackage().getImplementationVersion();
        return "Cachet " + (version == null ? "(this checkout)" : version);
    }

    @Override
    public List<Variant> variants() {
        return SETUPS.stream().map(Setup::variant).toList();
    }

    @Override
    public PeerCache open(String variantId, String host, int port, Duration ttl) {
        Variant variant = variant(variantId);
        Setup setup = SETUPS.stream()
                .filter(s -> s.variant().equals(variant))
                .findFirst()
                .orElseThrow();
        RedisTier tier = RedisTier.connect("redis://" + host + ":" + port, RedisTierConfig.defaults());
        var builder = Cachet.builder("peers-" + variant.id())
                .registry(CacheRegistry.create())
                .expireAfterWrite(ttl)
                .remote(tier, Codec.string());
        if (variant.tier() == Variant.Tier.NEAR) {
            builder.nearCache(Workload.NEAR_SIZE, ttl.compareTo(Workload.NEAR_TTL) < 0 ? ttl : Workload.NEAR_TTL)
                    // The fill misses every key once on purpose.
                    .hitRatioWarning(0, 1);
        }
        Cache<String, String> cache = setup.setup().apply(builder).<String, String>build();
        return PeerCache.of(
                cache::get,
                cache::put,
                keys -> cache.getAll(keys, missing -> {
                    throw new IllegalStateException("getAll of present keys loaded " + missing);
                }),
                tier::close);
    }
}
