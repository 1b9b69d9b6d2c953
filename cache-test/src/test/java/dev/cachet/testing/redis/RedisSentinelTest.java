package dev.cachet.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

@RedisTest
@Timeout(120)
class RedisSentinelTest {

    @Test
    void everyParameterGetsTheSameSharedTopology(RedisSentinel first, RedisSentinel second) {
        assertThat(first).isSameAs(second);
    }

    @Test
    void threeSentinelsKnowThePrimaryItsReplicaAndEachOther(RedisSentinel sentinel) {
        assertThat(sentinel.sentinels()).hasSize(3);
        HostAndPort primary = sentinel.primaryAddress();
        for (HostAndPort address : sentinel.sentinels()) {
            try (Jedis jedis = new Jedis(address, sentinelConfig(sentinel))) {
                assertThat(jedis.sentinelGetMasterAddrByName(sentinel.masterName()))
                        .containsExactly(primary.getHost(), Integer.toString(primary.getPort()));
                Map<String, String> master = jedis.sentinelMaster(sentinel.masterName());
                assertThat(master).containsEntry("num-other-sentinels", "2").containsEntry("num-slaves", "1");
            }
        }
    }

    @Test
    void theReplicaCopiesThePrimaryAndRefusesWrites(RedisSentinel sentinel) {
        RedisServer primary = sentinel.primary();
        RedisServer replica = sentinel.dataNodes().stream()
                .filter(node -> node.port() != primary.port())
                .findFirst()
                .orElseThrow();
        try (Jedis writer = new Jedis(new HostAndPort(primary.host(), primary.port()), sentinel.clientConfig());
                Jedis reader = new Jedis(new HostAndPort(replica.host(), replica.port()), sentinel.clientConfig())) {
            writer.set("copied", "yes");
            writer.waitReplicas(1, 5_000);
            assertThat(reader.get("copied")).isEqualTo("yes");
            assertThatThrownBy(() -> reader.set("copied", "no"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("READONLY");
        }
    }

    @Test
    void withoutCredentialsNodesAndSentinelsAnswerOnlyPingAndInfo(RedisSentinel sentinel) {
        HostAndPort primary = sentinel.primaryAddress();
        try (Jedis anonymous = new Jedis(primary)) {
            assertThat(anonymous.ping()).isEqualTo("PONG");
            assertThatThrownBy(() -> anonymous.get("k")).hasMessageContaining("NOPERM");
        }
        try (Jedis anonymous = new Jedis(sentinel.sentinels().iterator().next())) {
            assertThatThrownBy(() -> anonymous.sentinelGetMasterAddrByName(sentinel.masterName()))
                    .hasMessageContaining("NOPERM");
        }
    }

    @Test
    void killingThePrimaryPromotesTheReplica(@Dedicated RedisSentinel sentinel) {
        RedisServer oldPrimary = sentinel.primary();
        HostAndPort oldAddress = new HostAndPort(oldPrimary.host(), oldPrimary.port());
        try (Jedis writer = new Jedis(oldAddress, sentinel.clientConfig())) {
            writer.set("survives", "yes");
            writer.waitReplicas(1, 5_000);
        }

        oldPrimary.kill();
        HostAndPort promoted = sentinel.awaitPrimaryOtherThan(oldAddress, Duration.ofSeconds(30));

        assertThat(promoted).isNotEqualTo(oldAddress);
        assertThat(List.of(
                        sentinel.dataNodes().get(0).port(),
                        sentinel.dataNodes().get(1).port()))
                .contains(promoted.getPort());
        try (Jedis jedis = new Jedis(promoted, sentinel.clientConfig())) {
            assertThat(jedis.get("survives")).isEqualTo("yes");
            jedis.set("writable", "yes");
        }
    }

    private static DefaultJedisClientConfig sentinelConfig(RedisSentinel sentinel) {
        return DefaultJedisClientConfig.builder()
                .user(sentinel.sentinelUser())
                .password(sentinel.sentinelPassword())
                .build();
    }
}
