package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.spi.LockedLookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClusterClient;

/**
 * A lock script that ran twice, as a Cluster client runs a command again when the reply to its first try timed out:
 * the second run finds the lock holding its own token and takes it. Reporting it as another's would make this caller,
 * and every other, wait out the lease of a lock nobody holds.
 */
@RedisTest
class RetriedLockClusterTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    private final AtomicBoolean sendTwice = new AtomicBoolean();

    @Test
    void aLockAndLookupThatRanTwiceTakesTheLock(RedisCluster cluster) {
        withStore(cluster, store -> {
            sendTwice.set(true);
            Optional<LockedLookup> locked = store.tryLockAndLookup("k", LEASE, 1_000);
            sendTwice.set(false);

            assertThat(locked).as("the lock, taken by the first run").isPresent();
            assertThat(locked.get().lookup().value()).isEmpty();
            long lease = locked.get().lookup().lease();
            assertThat(store.putIfUnchangedAndRelease(locked.get().lock(), VALUE, TTL, lease))
                    .as("written with the lock's lease, the lock released")
                    .isTrue();
            assertThat(store.tryLock("k", LEASE)).as("free again").isPresent();
        });
    }

    @Test
    void aLockThatRanTwiceTakesTheLock(RedisCluster cluster) {
        withStore(cluster, store -> {
            sendTwice.set(true);
            Optional<RemoteLock> lock = store.tryLock("k", LEASE);
            sendTwice.set(false);

            assertThat(lock).as("the lock, taken by the first run").isPresent();
            lock.get().close();
            assertThat(store.tryLock("k", LEASE)).as("released, so free again").isPresent();
        });
    }

    /** Runs {@code test} on a store of a cache of its own, through a client that runs each command twice when told. */
    private void withStore(RedisCluster cluster, Consumer<RemoteStore> test) {
        try (RedisClusterClient client = FaultyClusterClient.create(
                        cluster.nodes(), arguments -> false, arguments -> sendTwice.get(), arguments -> {});
                RedisTier tier = RedisTier.using(client, RedisTierConfig.defaults())) {
            test.accept(tier.store("retried-" + NAMES.incrementAndGet()));
        }
    }
}
