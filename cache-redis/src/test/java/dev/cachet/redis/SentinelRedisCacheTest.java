package dev.cachet.redis;

import dev.cachet.testing.redis.RedisSentinel;
import dev.cachet.testing.redis.RedisTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/** The cache contract on a primary under Redis Sentinel, with ACL users for the data nodes and the Sentinels. */
@RedisTest
class SentinelRedisCacheTest extends RedisCacheContract {
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
    Map<String, Long> ttlOfEveryKey() {
        var primary = sentinel.primaryAddress();
        try (Jedis jedis = new Jedis(primary, sentinel.clientConfig())) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis);
        }
    }
}
