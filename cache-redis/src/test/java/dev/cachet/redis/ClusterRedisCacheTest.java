package dev.cachet.redis;

import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** The cache contract on the shared three-master Redis Cluster. */
@RedisTest
class ClusterRedisCacheTest extends RedisCacheContract {
    private static RedisCluster cluster;
    private static RedisClusterClient raw;

    @BeforeAll
    static void connect(RedisCluster shared) {
        cluster = shared;
        raw = RedisClusterClient.create(shared.nodes());
    }

    @AfterAll
    static void disconnect() {
        if (raw != null) {
            raw.close();
        }
    }

    @Override
    RedisTier newTier(RedisTierConfig config) {
        return RedisTier.cluster(cluster.nodes(), config);
    }

    @Override
    UnifiedJedis raw() {
        return raw;
    }

    @Override
    Map<String, Long> ttlOfEveryKey() {
        Map<String, Long> ttls = new HashMap<>();
        for (RedisServer master : cluster.masters()) {
            try (Jedis jedis = new Jedis(master.host(), master.port())) {
                ttls.putAll(StandaloneRedisStoreTest.ttlOfEveryKey(jedis));
            }
        }
        return ttls;
    }
}
