package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisSentinel;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Locks across a failover that loses writes (Redis replicates asynchronously): a writer that took its lock, and so its
 * fencing token, on the old primary after the replica stopped hearing from it holds a token the new primary never
 * saw. The new primary's first fence change jumps to its clock, past that token, so the stale writer cannot overwrite
 * what was written since. (With fences that only count up, the new primary's first write would set the fence to that
 * very token again, and the stale write would land over it.)
 */
@RedisTest
@Timeout(120)
class SentinelFencingTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    @Test
    void aWriterHoldingATokenTheFailoverLostCannotOverwriteANewerValue(@Dedicated RedisSentinel sentinel) {
        try (RedisTier tier = SentinelTiers.connect(sentinel, RedisTierConfig.defaults())) {
            RemoteStore store = tier.store("fenced");
            store.put("k", utf8("v1"), TTL);
            HostAndPort oldPrimary = sentinel.primaryAddress();
            RedisServer replica = replicaOf(sentinel, oldPrimary);
            try (Jedis primary = new Jedis(oldPrimary, sentinel.clientConfig())) {
                assertThat(primary.waitReplicas(1, 5_000))
                        .as("the replica has v1")
                        .isEqualTo(1);
                // The replica stops hearing from the primary, as when the primary dies before it replicates.
                primary.aclSetUser(sentinel.replicationUser(), "off");
                primary.clientKill(ClientKillParams.clientKillParams().type(ClientType.REPLICA));
            }
            try (Jedis jedis = new Jedis(new HostAndPort(replica.host(), replica.port()), sentinel.clientConfig())) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> jedis.info("replication").contains("master_link_status:down"));
            }

            // The stale writer: its lock and token exist only on the primary about to die.
            RemoteLock stale = store.tryLock("k", Duration.ofMinutes(1)).orElseThrow();
            sentinel.primary().kill();
            HostAndPort newPrimary = sentinel.awaitPrimaryOtherThan(oldPrimary, Duration.ofSeconds(30));
            assertThat(newPrimary.getPort()).isEqualTo(replica.port());
            awaitWritable(store);

            // Another process writes a newer value on the new primary.
            store.put("k", utf8("v2"), TTL);

            boolean staleWrote = store.putIfUnchanged("k", utf8("stale"), TTL, stale.fencingToken());

            assertThat(staleWrote).as("the stale writer's write is refused").isFalse();
            assertThat(store.get("k").map(bytes -> new String(bytes, UTF_8))).contains("v2");
            // What remains possible: the lock itself was lost with the primary, so another writer takes it again,
            // but with a token past the stale one.
            Optional<RemoteLock> fresh = store.tryLock("k", Duration.ofMinutes(1));
            assertThat(fresh).as("the lock did not survive the failover").isPresent();
            assertThat(fresh.get().fencingToken())
                    .as("the new primary's token is past the one the old primary issued")
                    .isGreaterThan(stale.fencingToken());
        }
    }

    private static RedisServer replicaOf(RedisSentinel sentinel, HostAndPort primary) {
        return sentinel.dataNodes().stream()
                .filter(node -> node.port() != primary.getPort())
                .findFirst()
                .orElseThrow();
    }

    /** Waits until the tier reaches the promoted replica: writes fail while it still points at the dead primary. */
    private static void awaitWritable(RemoteStore store) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> {
                    store.put("probe", utf8("p"), TTL);
                    return true;
                });
    }

    private static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }
}
