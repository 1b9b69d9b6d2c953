package dev.cachet.redis;

import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** The cache contract on the shared standalone server. */
@RedisTest
class StandaloneRedisCacheTest extends RedisCacheContract {
    private static RedisServer redis;
    private static RedisClient raw;

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
        raw = RedisClient.create(URI.create(server.uri()));
    }

    @AfterAll
    static void disconnect() {
        if (raw != null) {
            raw.close();
        }
    }

    @Override
    RedisTier newTier(RedisTierConfig config) {
        return RedisTier.connect(redis.uri(), config);
    }

    @Override
    UnifiedJedis raw() {
        return raw;
    }

    @Override
    Map<String, Long> ttlOfEveryKey() {
        try (Jedis jedis = new Jedis(URI.create(redis.uri()))) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis);
        }
    }
}
