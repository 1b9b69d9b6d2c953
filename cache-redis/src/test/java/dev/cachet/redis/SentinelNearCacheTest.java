package dev.cachet.redis;

import dev.cachet.testing.redis.RedisSentinel;
import dev.cachet.testing.redis.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/** The near-cache contract on a primary under Redis Sentinel: invalidations travel through the primary. */
@RedisTest
class SentinelNearCacheTest extends NearCacheContract {
    private static RedisSentinel sentinel;
    private static UnifiedJedis raw;

    @BeforeAll
    static void connect(RedisSentinel shared) {
        sentinel = shared;
        raw = SentinelTiers.raw(shared);
    }

    @AfterAll
    static void disconnect() {
        if (raw != null) {
            raw.close();
        }
    }

    @Override
    RedisTier newTier(RedisTierConfig config) {
        return SentinelTiers.connect(sentinel, config);
    }

    @Override
    UnifiedJedis raw() {
        return raw;
    }

    @Override
    String deployment() {
        return "sentinel";
    }
}
