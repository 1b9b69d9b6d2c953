package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The invalidation channel's heartbeat (violation 8 of issue 10): a subscription whose connection goes half-open (no
 * byte gets through either way, no socket is closed) is noticed within about 4/3 of {@link
 * RedisTierConfig#heartbeatTimeout()}, the listener is told that messages may be lost at once, and once the network
 * heals the channel subscribes again and delivers messages. A healthy but quiet subscription answers its heartbeats on
 * every kind of connection (standalone, Cluster node, borrowed from a caller's pool) and is never cut.
 */
@RedisTest
class InvalidationHeartbeatTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    /** The test's timeouts; the heartbeat keeps its default. */
    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(500))
            .socketTimeout(Duration.ofSeconds(1))
            .build();

    /** A short heartbeat, so that a quiet subscription meets many of them within a second. */
    private static final RedisTierConfig FAST_HEARTBEAT = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(500))
            .socketTimeout(Duration.ofSeconds(1))
            .heartbeatTimeout(Duration.ofMillis(150))
            .build();

    @Test
    void aHalfOpenSubscriptionIsCutWithinTheHeartbeatBoundAndRenewedOnceTheNetworkHeals(RedisServer redis)
            throws IOException {
        try (StallingProxy proxy = StallingProxy.to(redis.host(), redis.port());
                RedisTier a = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier b = RedisTier.connect(proxy.uri(), CONFIG)) {
            halfOpenIsNoticedAndHealed(proxy, a, b, CONFIG.heartbeatTimeout());
        }
    }

    @Test
    void aHalfOpenSubscriptionOnABorrowedConnectionIsCutAndRenewedAndTheConnectionGoesBack(RedisServer redis)
            throws IOException {
        RedisTierConfig config = RedisTierConfig.builder()
                .heartbeatTimeout(Duration.ofSeconds(1))
                .build();
        try (StallingProxy proxy = StallingProxy.to(redis.host(), redis.port());
                RedisClient client = RedisClient.create(URI.create(proxy.uri()));
                RedisTier a = RedisTier.connect(redis.uri(), CONFIG)) {
            try (RedisTier b = RedisTier.using(client, config)) {
                halfOpenIsNoticedAndHealed(proxy, a, b, config.heartbeatTimeout());
                assertThat(client.getPool().getNumActive())
                        .as("only the subscription's connection is out of the pool")
                        .isEqualTo(1);
            }
            assertThat(client.getPool().getNumActive()).isZero();
        }
    }

    /**
     * B subscribes through {@code proxy}; the proxy stalls; B must tell its listener within the heartbeat bound, and
     * hear A again once the proxy resumes.
     */
    private static void halfOpenIsNoticedAndHealed(StallingProxy proxy, RedisTier a, RedisTier b, Duration heartbeat) {
        // Noticed within 4/3 of the timeout (a ping every third of it) plus a round trip; the slack covers a busy
        // machine.
        Duration bound = heartbeat.plus(heartbeat.dividedBy(3)).plusSeconds(1);
        InvalidationChannel channel = b.invalidations("orders");
        InvalidationRecorder heard = new InvalidationRecorder();
        channel.subscribe(heard);
        POLLING.alias("B subscribes through the proxy").until(channel::isConnected);
        InvalidationChannel fromA = a.invalidations("orders");
        fromA.publish("before");
        assertThat(heard.next()).isEqualTo("key before");

        proxy.stall();
        long stalled = System.nanoTime();
        fromA.publish("dropped while half-open");
        AtomicLong noticed = new AtomicLong();
        await().alias("B notices the half-open subscription within " + bound)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .atMost(bound)
                .until(() -> {
                    if (heard.lost.get() == 0) {
                        return false;
                    }
                    noticed.set(System.nanoTime());
                    return true;
                });
        System.out.printf(
                "half-open subscription on %s noticed %d ms after the network stalled (heartbeat timeout %d ms, bound"
                        + " %d ms)%n",
                b.describe(),
                TimeUnit.NANOSECONDS.toMillis(noticed.get() - stalled),
                heartbeat.toMillis(),
                bound.toMillis());
        assertThat(heard.next()).as("the listener is told at once").isEqualTo("lost");
        assertThat(channel.isConnected())
                .as("not connected while the network is down")
                .isFalse();

        proxy.resume();
        POLLING.atMost(WAIT).alias("B subscribes again once the network heals").until(channel::isConnected);
        assertThat(heard.next()).as("and is told again once subscribed").isEqualTo("lost");
        fromA.publish("after");
        assertThat(heard.next()).isEqualTo("key after");
        assertThat(heard.events).as("the message sent while half-open is lost").isEmpty();
        assertThat(heard.lost).hasValue(2);
    }

    @Test
    void aQuietStandaloneSubscriptionAnswersItsHeartbeats(RedisServer redis) {
        try (RedisTier a = RedisTier.connect(redis.uri(), FAST_HEARTBEAT);
                RedisTier b = RedisTier.connect(redis.uri(), FAST_HEARTBEAT)) {
            staysSubscribedWhileQuiet(a, b);
        }
    }

    @Test
    void aQuietSubscriptionOnAClusterNodeAnswersItsHeartbeats(RedisCluster cluster) {
        try (RedisTier a = RedisTier.cluster(cluster.nodes(), FAST_HEARTBEAT);
                RedisTier b = RedisTier.cluster(cluster.nodes(), FAST_HEARTBEAT)) {
            staysSubscribedWhileQuiet(a, b);
        }
    }

    @Test
    void aQuietSubscriptionOnABorrowedConnectionAnswersItsHeartbeats(RedisServer redis) {
        try (RedisClient client = RedisClient.create(URI.create(redis.uri()));
                RedisTier a = RedisTier.connect(redis.uri(), FAST_HEARTBEAT);
                RedisTier b = RedisTier.using(client, FAST_HEARTBEAT)) {
            staysSubscribedWhileQuiet(a, b);
        }
    }

    /** B's channel, idle for many heartbeat timeouts, stays subscribed, reports no loss and still hears A. */
    private static void staysSubscribedWhileQuiet(RedisTier a, RedisTier b) {
        InvalidationChannel channel = b.invalidations("quiet");
        InvalidationRecorder heard = new InvalidationRecorder();
        channel.subscribe(heard);
        POLLING.alias("B subscribes").until(channel::isConnected);

        Duration quiet = FAST_HEARTBEAT.heartbeatTimeout().multipliedBy(8);
        await().alias("B stays subscribed for " + quiet + " without a message")
                .pollInterval(Duration.ofMillis(10))
                .during(quiet)
                .atMost(quiet.plus(WAIT))
                .until(() -> channel.isConnected() && heard.lost.get() == 0);

        a.invalidations("quiet").publish("k");
        assertThat(heard.next()).isEqualTo("key k");
        assertThat(heard.lost).hasValue(0);
    }

    /**
     * A loopback TCP proxy that can stop forwarding in both directions without closing any socket, as a half-open
     * network does: both ends see a live connection and nothing arrives. Bytes read while stalled are held and
     * forwarded on {@link #resume()}; connections accepted while stalled are held the same way.
     */
    private static final class StallingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final InetSocketAddress target;
        private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "stalling-proxy");
            thread.setDaemon(true);
            return thread;
        });
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private final Object gate = new Object();
        private boolean stalled; // guarded by gate
        private volatile boolean closed;

        private StallingProxy(ServerSocket server, InetSocketAddress target) {
            this.server = server;
            this.target = target;
        }

        static StallingProxy to(String host, int port) throws IOException {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            StallingProxy proxy = new StallingProxy(server, new InetSocketAddress(host, port));
            proxy.threads.execute(proxy::acceptLoop);
            return proxy;
        }

        String uri() {
            return "redis://127.0.0.1:" + server.getLocalPort();
        }

        void stall() {
            synchronized (gate) {
                stalled = true;
            }
        }

        void resume() {
            synchronized (gate) {
                stalled = false;
                gate.notifyAll();
            }
        }

        @Override
        public void close() {
            closed = true;
            resume();
            closeQuietly(server);
            sockets.forEach(StallingProxy::closeQuietly);
            threads.shutdownNow();
        }

        private void acceptLoop() {
            while (!closed) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    sockets.add(client);
                    sockets.add(upstream);
                    upstream.connect(target, 1_000);
                    threads.execute(() -> pump(client, upstream));
                    threads.execute(() -> pump(upstream, client));
                } catch (IOException e) {
                    // The server socket closed, or the target refused: the client sees its connection end.
                }
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    awaitOpen();
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // One side closed, or the proxy did: close both below.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private void awaitOpen() throws InterruptedException {
            synchronized (gate) {
                while (stalled && !closed) {
                    gate.wait();
                }
            }
        }

        private static void closeQuietly(AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing is best effort here.
            }
        }
    }
}
