package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/** The store contract on a three-master Redis Cluster: Lua on hash-tagged keys, deleteAll on every master. */
@RedisTest
class ClusterRedisStoreTest extends RemoteStoreContract {
    private static List<RedisServer> nodes;
    private static RedisTier tier;
    private static RedisClusterClient inspector;

    @BeforeAll
    static void connect(RedisCluster cluster) {
        nodes = cluster.masters();
        HostAndPort seed = new HostAndPort(nodes.get(0).host(), nodes.get(0).port());
        tier = RedisTier.cluster(
                Set.of(seed),
                RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build());
        inspector = RedisClusterClient.create(seed);
    }

    @AfterAll
    static void disconnect() {
        if (inspector != null) {
            inspector.close();
        }
        if (tier != null) {
            tier.close();
        }
    }

    @Override
    RedisTier tier() {
        return tier;
    }

    @Override
    Map<String, Long> ttlOfEveryKey() {
        Map<String, Long> ttls = new HashMap<>();
        for (RedisServer node : nodes) {
            try (Jedis jedis = new Jedis(node.host(), node.port())) {
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
                .isEqualTo("redis-cluster://" + nodes.get(0).host() + ":"
                        + nodes.get(0).port());
    }

    @Test
    void oneCachesKeysSpreadOverEveryMasterAndDeleteAllReachesThemAll() {
        RedisStore store = newStore("spread");
        for (int i = 0; i < 300; i++) {
            store.put("k" + i, utf8("v"), Duration.ofMinutes(5));
        }
        for (RedisServer node : nodes) {
            assertThat(keysOf(store, node)).as("keys on node %s", node.port()).isPositive();
        }

        store.deleteAll();

        for (RedisServer node : nodes) {
            assertThat(keysOf(store, node)).as("keys on node %s", node.port()).isZero();
        }
    }

    /** Returns how many value and lock keys of {@code store} live on {@code node}; fences outlive deleteAll. */
    private static long keysOf(RedisStore store, RedisServer node) {
        try (Jedis jedis = new Jedis(node.host(), node.port())) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis).keySet().stream()
                    .filter(key -> key.startsWith(store.layout().namespace()) && !key.endsWith(":fence"))
                    .count();
        }
    }
}
