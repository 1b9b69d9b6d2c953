package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Acknowledged invalidation on the Cluster, with one receiver subscribed to each master. {@code PUBLISH} counts only
 * the subscribers of the node that ran it, while the cluster bus relays the message to the others: a writer that
 * trusted that count would return before the receivers of the other nodes had answered. The writer of these tests
 * subscribes too, on a node of its client's choosing, and counts itself.
 */
@RedisTest
class RedisInvalidationChannelClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration SHORT_WAIT = Duration.ofMillis(200);
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(500))
            .socketTimeout(Duration.ofSeconds(1))
            .build();

    /** The cache, one per test, so that no subscription of an earlier test can be counted. */
    private final String cache = "acknowledged-" + NAMES.incrementAndGet();

    /**
     * With the receiver of each node held in turn (twice over), the write is never acknowledged and returns at the
     * deadline, whichever node its {@code PUBLISH} ran on; with none held, it is acknowledged, and only once every
     * receiver's listener has returned.
     */
    @Test
    @Timeout(30)
    void anAcknowledgedPublishWaitsForTheReceiversOfEveryNode(RedisCluster cluster) {
        try (RedisTier a = RedisTier.cluster(cluster.nodes(), CONFIG);
                RedisTier b = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            InvalidationChannel fromA = subscribed(a);
            List<Receiver> receivers = receiverOnEachNode(b, cluster);
            try {
                int published = 0;
                for (int round = 0; round < 2; round++) {
                    for (Receiver slow : receivers) {
                        slow.hold();
                        long start = System.nanoTime();
                        boolean acknowledged = fromA.publishAcknowledged(List.of("k" + published), SHORT_WAIT);
                        Duration took = Duration.ofNanos(System.nanoTime() - start);
                        published++;
                        assertThat(acknowledged)
                                .as("acknowledged while the receiver on %s is held", slow.node)
                                .isFalse();
                        assertThat(took)
                                .as("waited for the receiver on %s", slow.node)
                                .isGreaterThanOrEqualTo(SHORT_WAIT);
                        slow.release();
                        awaitApplied(receivers, published);
                    }
                }

                assertThat(fromA.publishAcknowledged(List.of("k" + published), WAIT))
                        .as("acknowledged with no receiver held")
                        .isTrue();
                published++;
                for (Receiver receiver : receivers) {
                    assertThat(receiver.applied)
                            .as("messages the receiver on %s applied when the write returned", receiver.node)
                            .hasValue(published);
                }
                assertThat(fromA.publishAllAcknowledged(WAIT)).isTrue();
                for (Receiver receiver : receivers) {
                    assertThat(receiver.cleared)
                            .as("receiver on %s cleared", receiver.node)
                            .hasValue(1);
                }
            } finally {
                receivers.forEach(Receiver::close);
            }
        }
    }

    /**
     * A node that cannot be asked how many subscribers it has (here it refuses {@code PUBSUB NUMSUB}): the write is
     * published all the same, and returns false at once rather than throw, or wait out its deadline, or trust a count
     * that leaves that node's receivers out.
     */
    @Test
    @Timeout(20)
    void aNodeThatCannotBeAskedMakesTheWriteUnacknowledgedAfterPublishing(RedisCluster cluster) {
        HostAndPort refusing = cluster.nodes().iterator().next();
        try (RedisTier a = RedisTier.cluster(cluster.nodes(), CONFIG);
                RedisTier b = RedisTier.cluster(cluster.nodes(), CONFIG);
                Jedis admin = new Jedis(refusing)) {
            InvalidationChannel fromA = subscribed(a);
            List<Receiver> receivers = receiverOnEachNode(b, cluster);
            try {
                assertThat(fromA.publishAcknowledged(List.of("before"), WAIT)).isTrue();
                admin.aclSetUser("default", "-pubsub|numsub");

                assertThat(fromA.publishAcknowledged(List.of("k"), Duration.ofMinutes(1)))
                        .as("acknowledged though %s could not be asked", refusing)
                        .isFalse();
                assertThat(fromA.publishAllAcknowledged(Duration.ofMinutes(1))).isFalse();

                awaitApplied(receivers, 2);
                POLLING.alias("every receiver cleared")
                        .until(() -> receivers.stream().allMatch(receiver -> receiver.cleared.get() == 1));
                admin.aclSetUser("default", "+pubsub|numsub");
                assertThat(fromA.publishAcknowledged(List.of("after"), WAIT))
                        .as("acknowledged again once the node answers")
                        .isTrue();
            } finally {
                admin.aclSetUser("default", "+@all");
                receivers.forEach(Receiver::close);
            }
        }
    }

    private InvalidationChannel subscribed(RedisTier tier) {
        InvalidationChannel channel = tier.invalidations(cache);
        channel.subscribe(new InvalidationRecorder());
        POLLING.alias("the writer subscribed").until(channel::isConnected);
        return channel;
    }

    /** Subscribes one receiver, of its own origin, to each master of {@code cluster}, using {@code tier} to answer. */
    private List<Receiver> receiverOnEachNode(RedisTier tier, RedisCluster cluster) {
        List<Receiver> receivers = new ArrayList<>();
        for (HostAndPort node : cluster.nodes()) {
            Receiver receiver = new Receiver(tier, cache, node);
            receiver.channel.subscribe(receiver);
            receivers.add(receiver);
        }
        POLLING.alias("every receiver subscribed")
                .until(() -> receivers.stream().allMatch(receiver -> receiver.channel.isConnected()));
        return receivers;
    }

    private static void awaitApplied(List<Receiver> receivers, int messages) {
        POLLING.alias("every receiver applied " + messages + " message(s)")
                .until(() -> receivers.stream().allMatch(receiver -> receiver.applied.get() == messages));
    }

    /** A channel subscribed to one given node, whose listener a test can hold, to stand for a slow process there. */
    private static final class Receiver implements InvalidationListener {
        final HostAndPort node;
        final RedisInvalidationChannel channel;
        final AtomicInteger applied = new AtomicInteger();
        final AtomicInteger cleared = new AtomicInteger();
        private volatile CountDownLatch gate = new CountDownLatch(0);

        Receiver(RedisTier tier, String cache, HostAndPort node) {
            this.node = node;
            this.channel = new RedisInvalidationChannel(
                    tier,
                    cache,
                    KeyLayout.of(CONFIG.keyPrefix(), cache, CONFIG.maxKeyLength())
                            .invalidationChannel(),
                    InvalidationMessage.newOriginId(),
                    () -> new Connection(
                            node, DefaultJedisClientConfig.builder().build()),
                    unused -> {});
        }

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        void close() {
            release();
            channel.close();
        }

        @Override
        public void onInvalidate(String key) {
            try {
                gate.await(WAIT.toMillis() * 4, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            applied.incrementAndGet();
        }

        @Override
        public void onInvalidateAll() {
            cleared.incrementAndGet();
        }

        @Override
        public void onMessagesLost() {}
    }
}
