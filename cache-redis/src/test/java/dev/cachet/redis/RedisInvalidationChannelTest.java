package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Invalidations over Redis pub/sub between two tiers, A and B, standing for two processes: delivery, isolation, key
 * fidelity, propagation delay, and recovery from a killed subscription or a stopped server.
 */
@RedisTest
class RedisInvalidationChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(500))
            .socketTimeout(Duration.ofSeconds(1))
            .build();

    @Test
    void anotherTierHearsAKeyAndEveryKeyButATierNeverHearsItself(RedisServer redis) {
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG)) {
            InvalidationRecorder heardByA = subscribe(a, "orders");
            InvalidationRecorder heardByB = subscribe(b, "orders");
            InvalidationChannel fromA = a.invalidations("orders");

            InvalidationChannel fromB = b.invalidations("orders");

            fromA.publish("k1");
            fromA.publishAll();
            fromB.publish("from-b");
            fromA.publish("from-a");
            fromB.publish("last-from-b");

            // Redis delivers in order on each connection: had a tier heard itself, that would show between these.
            assertThat(heardByB.next()).isEqualTo("key k1");
            assertThat(heardByB.next()).isEqualTo("all");
            assertThat(heardByB.next()).isEqualTo("key from-a");
            assertThat(heardByA.next()).isEqualTo("key from-b");
            assertThat(heardByA.next()).isEqualTo("key last-from-b");
            assertThat(heardByA.events).isEmpty();
            assertThat(heardByA.lost.get() + heardByB.lost.get()).isZero();
        }
    }

    @Test
    void anotherCachesChannelHearsNothing(RedisServer redis) {
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG)) {
            InvalidationRecorder otherCache = subscribe(b, "orders:2");
            InvalidationRecorder sameNamePrefix = subscribe(b, "order");

            a.invalidations("orders").publish("k1");
            a.invalidations("orders").publishAll();
            a.invalidations("orders:2").publish("marker");
            a.invalidations("order").publish("marker");

            assertThat(otherCache.next()).isEqualTo("key marker");
            assertThat(sameNamePrefix.next()).isEqualTo("key marker");
            assertThat(otherCache.events).isEmpty();
            assertThat(sameNamePrefix.events).isEmpty();
        }
    }

    @Test
    void theChannelLivesInTheCachesNamespaceApartFromItsKeys() {
        KeyLayout layout = KeyLayout.of("cachet", "us{e}rs", 512);

        assertThat(layout.invalidationChannel()).isEqualTo("cachet:11:us%7Be%7Drs:invalidations");
        assertThat(layout.invalidationChannel()).doesNotContain("{").startsWith(layout.namespace());
        assertThat(layout.valueKey("invalidations")).isNotEqualTo(layout.invalidationChannel());
    }

    @Test
    void keysRoundTripExactly(RedisServer redis) {
        List<String> keys = List.of(
                "with space",
                "a:b:c",
                ":1:a",
                "{braces}",
                "}{",
                "%25 and %7B literally",
                "%u0041",
                "ünïcødé 日本語 😀",
                "",
                "unpaired \uD800 high and \uDC00 low",
                "line\nbreak\ttab\u0000nul",
                "k".repeat(10_000));
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG)) {
            InvalidationRecorder heard = subscribe(b, "orders");
            InvalidationChannel channel = a.invalidations("orders");

            keys.forEach(channel::publish);

            for (String key : keys) {
                assertThat(heard.next()).isEqualTo("key " + key);
            }
        }
    }

    @Test
    void messagesAreSmallAndCarryTheOriginTypeAndEscapedKey() {
        assertThat(InvalidationMessage.decode("1:abc:k:a:b%7B%25%uD800"))
                .isEqualTo(new InvalidationMessage("abc", List.of("a:b{%\uD800")));
        assertThat(InvalidationMessage.decode("1:abc:a")).isEqualTo(new InvalidationMessage("abc", List.of()));
        for (String malformed : List.of("", "2:abc:a", "1::a", "1:abc", "1:abc:", "1:abc:ax", "1:abc:k", "1:abc:x:y")) {
            assertThatThrownBy(() -> InvalidationMessage.decode(malformed))
                    .as(malformed)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> InvalidationMessage.unescape("%7")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InvalidationMessage.unescape("%uZZZZ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(InvalidationMessage.newOriginId()).matches("[0-9a-f]{32}");
    }

    /**
     * A message that asks for an acknowledgement carries its id after the origin, and reads in a release that predates
     * acknowledgements as a message from another origin about the same key: that release's parser, kept here, takes
     * everything between the first two colons as the origin.
     */
    @Test
    void anAcknowledgementRequestRidesInTheOriginFieldWhereOlderReleasesReadItAsAForeignOrigin() {
        String origin = InvalidationMessage.newOriginId();
        String sender = InvalidationMessage.sender(origin, 42);
        String key = InvalidationMessage.encodeKey(sender, "a:b");
        assertThat(key).isEqualTo("1:" + origin + "+42:k:a:b");
        assertThat(InvalidationMessage.decode(key)).isEqualTo(new InvalidationMessage(origin, List.of("a:b"), 42));
        assertThat(InvalidationMessage.decode(key).wantsAck()).isTrue();
        assertThat(InvalidationMessage.decode(InvalidationMessage.encodeAll(sender)))
                .isEqualTo(new InvalidationMessage(origin, List.of(), 42));
        assertThat(InvalidationMessage.decode(InvalidationMessage.encodeBatch(sender, List.of("x", "y"))))
                .isEqualTo(new InvalidationMessage(origin, List.of("x", "y"), 42));
        assertThat(InvalidationMessage.decode("1:abc:k:x").wantsAck()).isFalse();

        int versionEnd = key.indexOf(':');
        int originEnd = key.indexOf(':', versionEnd + 1);
        assertThat(key.substring(versionEnd + 1, originEnd))
                .as("the origin an older release reads: not its own, so it drops the key")
                .isEqualTo(origin + "+42")
                .isNotEqualTo(origin);
        assertThat(key.charAt(originEnd + 1)).isEqualTo('k');

        for (String malformed : List.of("1:abc+:k:x", "1:abc+0:k:x", "1:+5:k:x", "1:abc+x:k:x", "1:abc+1,2:k:x")) {
            assertThatThrownBy(() -> InvalidationMessage.decode(malformed))
                    .as(malformed)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> InvalidationMessage.sender(origin, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(InvalidationMessage.encodeAnswer("r1", List.of(3L, 17L))).isEqualTo("r1:3,17");
        assertThat(InvalidationMessage.decodeAnswer("r1:3,17"))
                .isEqualTo(new InvalidationMessage.Answer("r1", List.of(3L, 17L)));
        for (String malformed : List.of("", "3,17", ":3", "r1:", "r1:,", "r1:3,", "r1:x", "r1:1 2", "r1:3:4")) {
            assertThatThrownBy(() -> InvalidationMessage.decodeAnswer(malformed))
                    .as(malformed)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        String ahead = InvalidationMessage.encodeKey(InvalidationMessage.aheadSender(origin), "a:b");
        assertThat(ahead).isEqualTo("1:" + origin + "~:k:a:b");
        assertThat(InvalidationMessage.decode(ahead))
                .isEqualTo(new InvalidationMessage(origin, List.of("a:b"), 0, true));
        assertThat(InvalidationMessage.decode(InvalidationMessage.encodeBatch(
                                InvalidationMessage.aheadSender(origin), List.of("x", "y")))
                        .ahead())
                .isTrue();
        assertThat(InvalidationMessage.decode("1:abc:k:x").ahead()).isFalse();
        assertThat(InvalidationMessage.ackChannel("cachet:5:users:invalidations", origin))
                .isEqualTo("cachet:5:users:invalidations:acks:" + origin);
    }

    @Test
    void anUnreadableMessageDropsEveryKeyAndAListenerFailureIsIgnored(RedisServer redis) {
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG);
                Jedis raw = new Jedis(URI.create(redis.uri()))) {
            InvalidationRecorder heard = new InvalidationRecorder();
            AtomicInteger calls = new AtomicInteger();
            b.invalidations("orders").subscribe(new InvalidationListener() {
                @Override
                public void onInvalidate(String key) {
                    if (calls.getAndIncrement() == 0) {
                        throw new IllegalStateException("listener bug, on purpose");
                    }
                    heard.onInvalidate(key);
                }

                @Override
                public void onInvalidateAll() {
                    heard.onInvalidateAll();
                }

                @Override
                public void onMessagesLost() {
                    heard.onMessagesLost();
                }
            });
            String channel = KeyLayout.of("cachet", "orders", 512).invalidationChannel();

            a.invalidations("orders").publish("thrown-away");
            raw.publish(channel, "not a message");
            a.invalidations("orders").publish("k2");

            assertThat(heard.next()).isEqualTo("all");
            assertThat(heard.next()).isEqualTo("key k2");
            assertThat(heard.lost).hasValue(0);
        }
    }

    @Test
    void measuresThePropagationDelay(RedisServer redis) throws InterruptedException {
        int count = 1_000;
        long[] delays = new long[count];
        AtomicInteger received = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(count);
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG)) {
            b.invalidations("timed").subscribe(new InvalidationRecorder() {
                @Override
                public void onInvalidate(String key) {
                    long now = System.nanoTime();
                    int index = received.getAndIncrement();
                    if (index < count) {
                        delays[index] = now - Long.parseLong(key);
                    }
                    done.countDown();
                }
            });
            InvalidationChannel channel = a.invalidations("timed");

            for (int i = 0; i < count; i++) {
                channel.publish(Long.toString(System.nanoTime()));
            }

            assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("all %d messages arrive", count)
                    .isTrue();
        }
        Arrays.sort(delays);
        System.out.printf(
                "Invalidation propagation over %d messages: p50 %d µs, p99 %d µs, max %d µs%n",
                count,
                TimeUnit.NANOSECONDS.toMicros(delays[count / 2]),
                TimeUnit.NANOSECONDS.toMicros(delays[count * 99 / 100]),
                TimeUnit.NANOSECONDS.toMicros(delays[count - 1]));
    }

    @Test
    void aKilledSubscriptionReconnectsAndReportsTheLossOnce(RedisServer redis) {
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG);
                Jedis admin = new Jedis(URI.create(redis.uri()))) {
            InvalidationRecorder heard = subscribe(b, "orders");
            InvalidationChannel fromA = a.invalidations("orders");
            fromA.publish("before");
            assertThat(heard.next()).isEqualTo("key before");

            assertThat(admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB)))
                    .isPositive();

            assertThat(heard.next()).isEqualTo("lost");
            fromA.publish("after");
            assertThat(heard.next()).isEqualTo("key after");
            assertThat(heard.lost).hasValue(1);
        }
    }

    @Test
    void aStoppedServerDisconnectsAndARestartedOneReconnectsAndReportsTheLossOnce(@Dedicated RedisServer redis) {
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG)) {
            InvalidationChannel channel = b.invalidations("orders");
            InvalidationRecorder heard = new InvalidationRecorder();
            channel.subscribe(heard);
            assertThat(channel.isConnected()).isTrue();
            InvalidationChannel fromA = a.invalidations("orders");
            fromA.publish("before");
            assertThat(heard.next()).isEqualTo("key before");

            redis.kill();
            POLLING.alias("the channel notices the server is gone").until(() -> !channel.isConnected());
            assertThatThrownBy(() -> fromA.publish("while down"))
                    .isInstanceOf(CacheUnavailableException.class)
                    .hasMessageContaining("publish for cache 'orders'");

            redis.restart();
            POLLING.alias("the channel subscribes again").until(channel::isConnected);
            assertThat(heard.next()).isEqualTo("lost");
            publishUntilSent(fromA, "after");
            assertThat(heard.next()).isEqualTo("key after");
            assertThat(heard.lost).hasValue(1);
        }
    }

    @Test
    void aFirstSubscriptionThatFailsReportsTheLossOnceItSucceeds(@Dedicated RedisServer redis) {
        redis.kill();
        try (RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(redis.uri(), CONFIG)) {
            InvalidationChannel channel = b.invalidations("orders");
            InvalidationRecorder heard = new InvalidationRecorder();
            long start = System.nanoTime();
            // Returns although the server is down: the server comes back only after this, so a subscribe that waited
            // for it would never return, and the test's timeout would fail it.
            channel.subscribe(heard);
            System.out.printf(
                    "subscribe with the server down returned after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(channel.isConnected()).isFalse();

            redis.restart();
            assertThat(heard.next()).isEqualTo("lost");
            assertThat(channel.isConnected()).isTrue();
            publishUntilSent(a.invalidations("orders"), "k1");
            assertThat(heard.next()).isEqualTo("key k1");
            assertThat(heard.lost).hasValue(1);
        }
    }

    @Test
    void aPublishOnTheClusterReachesAnotherTier(RedisCluster cluster) {
        try (RedisTier a = RedisTier.cluster(cluster.nodes(), CONFIG);
                RedisTier b =
                        RedisTier.cluster(Set.of(cluster.nodes().iterator().next()), CONFIG)) {
            InvalidationRecorder heard = subscribe(b, "orders");
            InvalidationRecorder heardByA = subscribe(a, "orders");
            InvalidationChannel fromA = a.invalidations("orders");

            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                // PUBLISH goes to any node; the cluster bus relays it to the node B listens on.
                fromA.publish("k" + i);
                sent.add("key k" + i);
            }
            fromA.publishAll();
            sent.add("all");

            Set<String> received = new HashSet<>();
            for (int i = 0; i < sent.size(); i++) {
                received.add(heard.next());
            }
            assertThat(received).isEqualTo(sent);
            b.invalidations("orders").publish("from-b");
            assertThat(heardByA.next()).isEqualTo("key from-b");
        }
    }

    @Test
    void aCallersPooledClientLendsAConnectionAndGetsItBack(RedisServer redis) {
        try (RedisClient client = RedisClient.create(URI.create(redis.uri()));
                RedisTier a = RedisTier.connect(redis.uri(), CONFIG)) {
            try (RedisTier b = RedisTier.using(client, CONFIG)) {
                InvalidationRecorder heard = subscribe(b, "orders");
                InvalidationRecorder heardByA = subscribe(a, "orders");
                assertThat(client.getPool().getNumActive()).isEqualTo(1);

                a.invalidations("orders").publish("k1");
                b.invalidations("orders").publish("k2");

                assertThat(heard.next()).isEqualTo("key k1");
                assertThat(heardByA.next()).isEqualTo("key k2");
            }
            assertThat(client.getPool().getNumActive()).isZero();
            assertThat(client.ping()).isEqualTo("PONG");
        }
    }

    @Test
    @SuppressWarnings("deprecation") // the deprecated one-connection UnifiedJedis is what callers may still pass
    void aCallersSingleConnectionClientCannotCarryInvalidations(RedisServer redis) {
        URI uri = URI.create(redis.uri());
        try (UnifiedJedis client = new UnifiedJedis(new Connection(new HostAndPort(uri.getHost(), uri.getPort())));
                RedisTier tier = RedisTier.using(client, CONFIG)) {
            assertThatThrownBy(() -> tier.invalidations("orders"))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("no connection pool");
        }
    }

    @Test
    void closingStopsTheThreadPromptlyAndLaterUseFails(RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri(), CONFIG)) {
            closesPromptly(tier);
        }
    }

    private static void closesPromptly(RedisTier tier) {
        InvalidationChannel closedFirst = tier.invalidations("closing-1");
        closedFirst.subscribe(new InvalidationRecorder());
        InvalidationChannel closedWithTier = tier.invalidations("closing-2");
        closedWithTier.subscribe(new InvalidationRecorder());
        assertThat(threadsNamed("cachet-invalidations-closing-1")).hasSize(1);
        assertThatThrownBy(() -> closedFirst.subscribe(new InvalidationRecorder()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a listener");

        // The subscriber threads are gone as soon as close() returns (checked below). How long closing took is
        // printed, not bounded: a close that never ended would fail the test's timeout.
        long start = System.nanoTime();
        closedFirst.close();
        tier.close();
        System.out.printf(
                "closing a channel and its tier took %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

        assertThat(threadsNamed("cachet-invalidations-closing-1")).isEmpty();
        assertThat(threadsNamed("cachet-invalidations-closing-2")).isEmpty();
        assertThat(closedFirst.isConnected()).isFalse();
        assertThat(closedWithTier.isConnected()).isFalse();
        assertThatThrownBy(() -> closedFirst.publish("k"))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("publish for cache 'closing-1'");
        assertThatThrownBy(() -> closedWithTier.subscribe(new InvalidationRecorder()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tier.invalidations("closing-3")).isInstanceOf(CacheUnavailableException.class);
        closedFirst.close(); // idempotent
    }

    private static InvalidationRecorder subscribe(RedisTier tier, String cacheName) {
        InvalidationChannel channel = tier.invalidations(cacheName);
        InvalidationRecorder recorder = new InvalidationRecorder();
        channel.subscribe(recorder);
        POLLING.alias("the channel of '" + cacheName + "' subscribes").until(channel::isConnected);
        return recorder;
    }

    /** Publishes, retrying while the publishing tier's pool drops connections the server's restart broke. */
    private static void publishUntilSent(InvalidationChannel channel, String key) {
        POLLING.alias("a publish of " + key + " after the restart")
                .ignoreException(CacheUnavailableException.class)
                .untilAsserted(() -> channel.publish(key));
    }

    private static List<Thread> threadsNamed(String name) {
        List<Thread> threads = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals(name) && thread.isAlive()) {
                threads.add(thread);
            }
        }
        return threads;
    }
}
