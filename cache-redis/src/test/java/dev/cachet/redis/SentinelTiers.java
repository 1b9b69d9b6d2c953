package dev.cachet.redis;

import dev.cachet.testing.redis.RedisSentinel;
import java.util.Optional;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

/** Connects tiers and raw clients to a {@link RedisSentinel} topology, with its ACL users. */
final class SentinelTiers {
    private SentinelTiers() {}

    /** Returns a tier under {@code sentinel}, with {@code config} and the topology's users and passwords. */
    static RedisTier connect(RedisSentinel sentinel, RedisTierConfig config) {
        return RedisTier.sentinel(sentinel.masterName(), sentinel.sentinels(), withCredentials(sentinel, config));
    }

    /** Returns {@code config} with the data nodes' and the Sentinels' users and passwords of {@code sentinel}. */
    static RedisTierConfig withCredentials(RedisSentinel sentinel, RedisTierConfig config) {
        return new RedisTierConfig(
                config.keyPrefix(),
                config.connectTimeout(),
                config.socketTimeout(),
                config.maxConnections(),
                config.maxKeyLength(),
                Optional.of(sentinel.user()),
                Optional.of(sentinel.password()),
                config.tls(),
                config.trustStore(),
                config.trustStorePassword(),
                Optional.of(sentinel.sentinelUser()),
                Optional.of(sentinel.sentinelPassword()),
                config.heartbeatTimeout());
    }

    /** Returns a raw client of the primary, following failovers; the caller closes it. */
    static UnifiedJedis raw(RedisSentinel sentinel) {
        return RedisSentinelClient.builder()
                .masterName(sentinel.masterName())
                .sentinels(sentinel.sentinels())
                .clientConfig(sentinel.clientConfig())
                .sentinelClientConfig(redis.clients.jedis.DefaultJedisClientConfig.builder()
                        .user(sentinel.sentinelUser())
                        .password(sentinel.sentinelPassword())
                        .build())
                .build();
    }
}
