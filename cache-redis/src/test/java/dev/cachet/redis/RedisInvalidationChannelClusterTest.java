package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.ClusterCommandArguments;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.SafeEncoder;

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

    private final String invalidations =
            KeyLayout.of(CONFIG.keyPrefix(), cache, CONFIG.maxKeyLength()).invalidationChannel();

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
     * Every message of a channel goes through one node, so that a receiver on each node gets one sender's messages in
     * the order sent. A keyless {@code PUBLISH} would run on a node the client picks at random, and messages the bus
     * relays from different nodes can overtake each other: a put's announcement could then come after the put's own
     * message and drop the copy a reader made in between.
     */
    @Test
    void everyMessageOfAChannelGoesThroughOneNodeAndArrivesInTheOrderSent(RedisCluster cluster) {
        int messages = 30;
        Map<HostAndPort, Long> publishesBefore = publishesByNode(cluster);
        try (RedisTier a = RedisTier.cluster(cluster.nodes(), CONFIG);
                RedisTier b = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            InvalidationChannel fromA = subscribed(a);
            List<Receiver> receivers = receiverOnEachNode(b, cluster);
            try {
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < messages; i++) {
                    sent.add("k" + i);
                    fromA.publish("k" + i);
                }
                awaitApplied(receivers, messages);
                for (Receiver receiver : receivers) {
                    assertThat(receiver.keys)
                            .as("keys in the order the receiver on %s applied them", receiver.node)
                            .containsExactlyElementsOf(sent);
                }
            } finally {
                receivers.forEach(Receiver::close);
            }
        }
        Map<HostAndPort, Long> publishesAfter = publishesByNode(cluster);
        Map<HostAndPort, Long> ran = new HashMap<>();
        publishesAfter.forEach((node, calls) -> {
            long more = calls - publishesBefore.getOrDefault(node, 0L);
            if (more > 0) {
                ran.put(node, more);
            }
        });
        assertThat(ran).as("PUBLISHes run by each node").hasSize(1).containsValue((long) messages);
    }

    /**
     * When the node of the channel's slot cannot be reached, another node publishes the message: a lost message would
     * leave the copies other processes hold until their near TTL ends.
     */
    @Test
    void aMessageWhoseNodeCannotBeReachedGoesThroughAnotherNode(RedisCluster cluster) {
        try (RedisClusterClient writerClient = FaultyClusterClient.create(
                        cluster.nodes(),
                        arguments -> isPublish(arguments)
                                && arguments instanceof ClusterCommandArguments routed
                                && routed.getCommandHashSlot() >= 0,
                        arguments -> false,
                        arguments -> {});
                RedisTier a = RedisTier.using(writerClient, CONFIG);
                RedisTier b = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            InvalidationChannel fromA = a.invalidations(cache);
            List<Receiver> receivers = receiverOnEachNode(b, cluster);
            try {
                fromA.publish("k");
                awaitApplied(receivers, 1);
                for (Receiver receiver : receivers) {
                    assertThat(receiver.keys)
                            .as("keys the receiver on %s applied", receiver.node)
                            .containsExactly("k");
                }
            } finally {
                receivers.forEach(Receiver::close);
            }
        }
    }

    /** Returns the {@code PUBLISH} calls each node of {@code cluster} ran so far. */
    private static Map<HostAndPort, Long> publishesByNode(RedisCluster cluster) {
        Map<HostAndPort, Long> calls = new HashMap<>();
        for (HostAndPort node : cluster.nodes()) {
            try (Jedis jedis = new Jedis(node)) {
                calls.put(node, BulkRoundTripTest.commandCalls(jedis).getOrDefault("publish", 0L));
            }
        }
        return calls;
    }

    /**
     * A {@code PUBLISH} that ran twice (a client tries again when the reply to its first try timed out) delivers the
     * message twice. Each receiver, and the writer's own subscription, counts once all the same, so that the answers
     * to the second copy cannot stand in for a held receiver's.
     */
    @Test
    @Timeout(30)
    void aMessageDeliveredTwiceCountsEachReceiverOnce(RedisCluster cluster) {
        try (RedisClusterClient writerClient = FaultyClusterClient.create(
                        cluster.nodes(),
                        arguments -> false,
                        arguments ->
                                isPublish(arguments) && channelOf(arguments).equals(invalidations),
                        arguments -> {});
                RedisTier a = RedisTier.using(writerClient, CONFIG);
                RedisTier b = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            InvalidationChannel fromA = subscribed(a);
            List<Receiver> receivers = receiverOnEachNode(b, cluster);
            try {
                Receiver slow = receivers.get(0);
                slow.hold();
                assertThat(fromA.publishAcknowledged(List.of("k"), SHORT_WAIT))
                        .as("acknowledged while the receiver on %s is held", slow.node)
                        .isFalse();
                slow.release();
                awaitApplied(receivers, 2);
                assertThat(fromA.publishAcknowledged(List.of("k2"), WAIT))
                        .as("acknowledged with no receiver held")
                        .isTrue();
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

    /**
     * A receiver that answers and unsubscribes before the writer counts the Cluster's receivers once the message is out
     * is still counted, by the count taken before sending, so that its answer does not stand in for a slow receiver's:
     * the write is not acknowledged while the slow one is held. The writer's client holds the return of its {@code
     * PUBLISH} until the quick receiver has answered and left, which puts that departure before the count that follows
     * the sending, whatever the timing.
     */
    @Test
    @Timeout(30)
    void aReceiverThatAnswersAndLeavesBeforeTheCountAfterSendingIsStillCounted(RedisCluster cluster) {
        List<HostAndPort> nodes = List.copyOf(cluster.nodes());
        CountDownLatch quickAnswered = new CountDownLatch(1);
        AtomicReference<Receiver> leaving = new AtomicReference<>();
        try (RedisClusterClient writerClient = clusterClient(cluster.nodes(), channel -> {
                    Receiver quick = channel.equals(invalidations) ? leaving.getAndSet(null) : null;
                    if (quick != null) {
                        leaveOnceAnswered(quick, quickAnswered);
                    }
                });
                RedisClusterClient quickClient = clusterClient(cluster.nodes(), channel -> quickAnswered.countDown());
                RedisTier a = RedisTier.using(writerClient, CONFIG);
                RedisTier b = RedisTier.cluster(cluster.nodes(), CONFIG);
                RedisTier c = RedisTier.using(quickClient, CONFIG)) {
            InvalidationChannel fromA = subscribed(a);
            Receiver slow = new Receiver(b, cache, nodes.get(0));
            Receiver quick = new Receiver(c, cache, nodes.get(1));
            List<Receiver> receivers = List.of(slow, quick);
            try {
                receivers.forEach(receiver -> receiver.channel.subscribe(receiver));
                POLLING.alias("both receivers subscribed")
                        .until(() -> slow.channel.isConnected() && quick.channel.isConnected());

                slow.hold();
                leaving.set(quick);
                long start = System.nanoTime();
                boolean acknowledged = fromA.publishAcknowledged(List.of("k"), SHORT_WAIT);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(leaving.get())
                        .as("the quick receiver left during the write")
                        .isNull();
                assertThat(quick.applied)
                        .as("the quick receiver applied the message")
                        .hasValue(1);
                assertThat(acknowledged)
                        .as("acknowledged by the writer and the receiver that left, the slow one held")
                        .isFalse();
                assertThat(took).as("waited for the slow receiver").isGreaterThanOrEqualTo(SHORT_WAIT);

                slow.release();
                POLLING.alias("the slow receiver applied the message").until(() -> slow.applied.get() == 1);
                assertThat(fromA.publishAcknowledged(List.of("k2"), WAIT))
                        .as("acknowledged once the slow receiver answers, the quick one gone")
                        .isTrue();
                assertThat(slow.applied).hasValue(2);
            } finally {
                receivers.forEach(Receiver::close);
            }
        }
    }

    /**
     * Runs on the writer's thread, its {@code PUBLISH} done: waits until {@code quick} has sent its answer, closes it
     * and waits until its node no longer counts its subscription.
     */
    private void leaveOnceAnswered(Receiver quick, CountDownLatch answered) {
        try {
            assertThat(answered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the quick receiver answered")
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        try (Jedis node = new Jedis(quick.node)) {
            // The writer's own subscription may be on that node too.
            long subscribed = node.pubsubNumSub(invalidations).getOrDefault(invalidations, 0L);
            quick.close();
            POLLING.alias("the quick receiver unsubscribed from " + quick.node)
                    .until(() -> node.pubsubNumSub(invalidations).getOrDefault(invalidations, 0L) == subscribed - 1);
        }
    }

    /**
     * Returns a client of {@code nodes} that calls {@code afterPublish} with the channel of each {@code PUBLISH} it
     * ran, on the caller's thread, before the call returns.
     */
    private static RedisClusterClient clusterClient(Set<HostAndPort> nodes, Consumer<String> afterPublish) {
        return FaultyClusterClient.create(nodes, arguments -> false, arguments -> false, arguments -> {
            if (isPublish(arguments)) {
                afterPublish.accept(channelOf(arguments));
            }
        });
    }

    private static boolean isPublish(CommandArguments arguments) {
        return arguments.getCommand() == Protocol.Command.PUBLISH;
    }

    private static String channelOf(CommandArguments publish) {
        return SafeEncoder.encode(publish.get(1).getRaw());
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
        final Queue<String> keys = new ConcurrentLinkedQueue<>();
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
            keys.add(key);
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
