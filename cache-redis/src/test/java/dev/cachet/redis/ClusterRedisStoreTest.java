package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/** The store contract on a three-master Redis Cluster: Lua on hash-tagged keys, deleteAll on every master. */
class ClusterRedisStoreTest extends RemoteStoreContract {
    private static List<LocalRedis> nodes;
    private static RedisTier tier;
    private static RedisClusterClient inspector;

    @BeforeAll
    static void startCluster() {
        nodes = LocalRedis.startCluster(3);
        tier = RedisTier.cluster(
                Set.of(nodes.get(0).hostAndPort()),
                RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build());
        inspector = RedisClusterClient.create(nodes.get(0).hostAndPort());
    }

    @AfterAll
    static void stopCluster() {
        if (inspector != null) {
            inspector.close();
        }
        if (tier != null) {
            tier.close();
        }
        if (nodes != null) {
            nodes.forEach(LocalRedis::close);
        }
    }

    @Override
    RedisTier tier() {
        return tier;
    }

    @Override
    Map<String, Long> ttlOfEveryKey() {
        Map<String, Long> ttls = new HashMap<>();
        for (LocalRedis node : nodes) {
            try (Jedis jedis = node.connect()) {
                ttls.putAll(StandaloneRedisStoreTest.ttlOfEveryKey(jedis));
            }
        }
        return ttls;
    }

    @Override
    long pttl(String key) {
        return inspector.pttl(key);
    }

    @Override
    void deleteKey(String key) {
        inspector.del(key);
    }

    @Test
    void describesTheSeedNodes() {
        assertThat(tier.describe())
                .isEqualTo("redis-cluster://127.0.0.1:" + nodes.get(0).port());
    }

    @Test
    void oneCachesKeysSpreadOverEveryMasterAndDeleteAllReachesThemAll() {
        RedisStore store = newStore("spread");
        for (int i = 0; i < 300; i++) {
            store.put("k" + i, utf8("v"), Duration.ofMinutes(5));
        }
        for (LocalRedis node : nodes) {
            assertThat(keysOf(store, node)).as("keys on node %s", node.port()).isPositive();
        }

        store.deleteAll();

        for (LocalRedis node : nodes) {
            assertThat(keysOf(store, node)).as("keys on node %s", node.port()).isZero();
        }
    }

    private static long keysOf(RedisStore store, LocalRedis node) {
        try (Jedis jedis = node.connect()) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis).keySet().stream()
                    .filter(key -> key.startsWith(store.layout().namespace()))
                    .count();
        }
    }
}
