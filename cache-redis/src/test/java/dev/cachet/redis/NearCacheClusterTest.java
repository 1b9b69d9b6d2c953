package dev.cachet.redis;

import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The near-cache contract on the shared three-master Cluster: each process publishes through whichever node its
 * client picks and subscribes on a random node, so an invalidation usually crosses the cluster bus.
 */
@RedisTest
class NearCacheClusterTest extends NearCacheContract {
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
    String deployment() {
        return "cluster";
    }
}
