package dev.cachet.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

@RedisTest
class RedisClusterTest {

    @Test
    void hasThreeMastersOnLoopback(RedisCluster cluster) {
        assertThat(cluster.nodes()).hasSize(3);
        assertThat(cluster.masters())
                .extracting(master -> new HostAndPort(master.host(), master.port()))
                .containsExactlyElementsOf(cluster.nodes());
        assertThat(cluster.nodes())
                .allSatisfy(node -> assertThat(node.getHost()).isEqualTo("127.0.0.1"));
    }

    @Test
    void everyParameterGetsTheSameCluster(RedisCluster first, RedisCluster second) {
        assertThat(first).isSameAs(second);
    }

    @Test
    void everyNodeReportsAHealthyClusterOfThree(RedisCluster cluster) {
        for (HostAndPort node : cluster.nodes()) {
            try (Jedis jedis = new Jedis(node)) {
                assertThat(jedis.clusterInfo()).contains("cluster_state:ok").contains("cluster_known_nodes:3");
            }
        }
    }

    @Test
    void clientSpreadsKeysOverEveryMasterAndReadsThemBack(RedisCluster cluster) {
        cluster.flushAll();
        try (RedisClusterClient client = RedisClusterClient.create(cluster.nodes())) {
            for (int i = 0; i < 100; i++) {
                client.set("key-" + i, "value-" + i);
            }
            for (int i = 0; i < 100; i++) {
                assertThat(client.get("key-" + i)).isEqualTo("value-" + i);
            }
        }

        var keysPerMaster =
                cluster.masters().stream().collect(Collectors.toMap(RedisServer::port, RedisClusterTest::dbSize));
        assertThat(keysPerMaster.values()).allSatisfy(keys -> assertThat(keys).isPositive());
        assertThat(keysPerMaster.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(100);
    }

    @Test
    void flushAllEmptiesEveryMaster(RedisCluster cluster) {
        try (RedisClusterClient client = RedisClusterClient.create(cluster.nodes())) {
            for (int i = 0; i < 30; i++) {
                client.set("doomed-" + i, "value");
            }
        }

        cluster.flushAll();

        assertThat(cluster.masters())
                .allSatisfy(master -> assertThat(dbSize(master)).isZero());
    }

    @Test
    void restartedMasterRejoinsTheCluster(RedisCluster cluster) {
        RedisServer master = cluster.masters().get(1);

        master.kill();
        assertThat(master.isRunning()).isFalse();
        master.restart();
        cluster.awaitStateOk();

        try (RedisClusterClient client = RedisClusterClient.create(cluster.nodes())) {
            for (int i = 0; i < 30; i++) {
                client.set("after-restart-" + i, "value");
            }
            assertThat(client.get("after-restart-29")).isEqualTo("value");
        }
        assertThat(dbSize(master)).isPositive();
    }

    private static long dbSize(RedisServer server) {
        try (Jedis jedis = new Jedis(server.host(), server.port())) {
            return jedis.dbSize();
        }
    }
}
