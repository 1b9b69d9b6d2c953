package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.CacheUnavailableException;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;

/**
 * {@code deleteAll} on a Cluster with a node down (issue 10, violation 4): every node is visited, an unreachable
 * replica is skipped, and only a master that could not be scanned fails the call, after the others were scanned.
 */
@RedisTest
class ClusterDeleteAllTest {
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(200))
            .socketTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void aKilledMasterDoesNotStopTheScanOfTheOthers(RedisCluster cluster) {
        // Else the surviving masters refuse UNLINK (CLUSTERDOWN) once they notice the dead one, in about 2 s.
        fullCoverage(cluster.masters(), "no");
        RedisServer victim = null;
        try (RedisTier tier = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            RedisStore store = (RedisStore) tier.store("killed-master");
            for (int i = 0; i < 300; i++) {
                store.put("k" + i, RemoteStoreContract.utf8("v"), TTL);
            }
            // The node the walk visits first: before the fix, its failure ended the walk.
            String first = tier.clusterNodes().keySet().iterator().next();
            int firstPort = HostAndPort.from(first).getPort();
            victim = cluster.masters().stream()
                    .filter(master -> master.port() == firstPort)
                    .findFirst()
                    .orElseThrow();
            victim.kill();

            assertThatThrownBy(store::deleteAll)
                    .isInstanceOf(CacheUnavailableException.class)
                    .hasMessageContaining("Redis deleteAll for cache 'killed-master'")
                    .hasMessageContaining(first);

            for (RedisServer master : cluster.masters()) {
                if (master != victim) {
                    assertThat(keysOf(store, master))
                            .as("keys left on surviving master %s", master.port())
                            .isZero();
                }
            }
        } finally {
            if (victim != null) {
                victim.restart();
                cluster.awaitStateOk();
            }
            fullCoverage(cluster.masters(), "yes");
        }
    }

    @Test
    void anUnreachableNodeOutsideTheSlotMapIsSkipped(RedisCluster cluster) {
        HostAndPort nowhere = new HostAndPort("127.0.0.1", freePort());
        try (RedisTier tier = RedisTier.cluster(cluster.nodes(), CONFIG);
                ConnectionPool deadReplica = new ConnectionPool(
                        nowhere,
                        DefaultJedisClientConfig.builder()
                                .connectionTimeoutMillis(200)
                                .build())) {
            RedisStore store = (RedisStore) tier.store("dead-replica");
            for (int i = 0; i < 300; i++) {
                store.put("k" + i, RemoteStoreContract.utf8("v"), TTL);
            }
            Map<String, ConnectionPool> nodes = new LinkedHashMap<>();
            nodes.put(nowhere.toString(), deadReplica); // visited first, as a replica the slot map does not name
            nodes.putAll(tier.clusterNodes());

            long removed = RedisStore.deleteAllOnCluster(nodes, params(store));

            assertThat(removed).isEqualTo(300);
            for (RedisServer master : cluster.masters()) {
                assertThat(keysOf(store, master))
                        .as("keys on %s", master.port())
                        .isZero();
            }
        }
    }

    private static ScanParams params(RedisStore store) {
        return new ScanParams()
                .match(store.layout().keyPattern().getBytes(StandardCharsets.UTF_8))
                .count(1_000);
    }

    private static void fullCoverage(List<RedisServer> masters, String value) {
        for (RedisServer master : masters) {
            if (master.isRunning()) {
                try (Jedis jedis = new Jedis(master.host(), master.port())) {
                    jedis.configSet("cluster-require-full-coverage", value);
                }
            }
        }
    }

    /** Returns how many keys of {@code store} other than fences (which deleteAll changes but keeps) {@code node} has. */
    private static long keysOf(RedisStore store, RedisServer node) {
        try (Jedis jedis = new Jedis(node.host(), node.port())) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis).keySet().stream()
                    .filter(key -> key.startsWith(store.layout().namespace()) && !key.endsWith(":fence"))
                    .count();
        }
    }

    /** Returns a loopback port nothing listens on right now. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
