package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.CacheUnavailableException;
import dev.cachet.RemoteTierBusyException;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/** How the tier fails: unreachable, stopped and unresponsive servers, credentials. Each test runs its own server. */
@RedisTest
class RedisTierAvailabilityTest {
    private static final Duration SOCKET_TIMEOUT = Duration.ofMillis(200);
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(200))
            .socketTimeout(SOCKET_TIMEOUT)
            .build();

    @Test
    void aStoppedServerFailsEveryOperation(@Dedicated RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri(), CONFIG)) {
            RemoteStore store = tier.store("orders");
            store.put("k", RemoteStoreContract.utf8("v"), TTL);
            RemoteLock lock = store.tryLock("k", TTL).orElseThrow();

            redis.kill();

            assertUnavailable(() -> store.get("k"), "get", tier);
            assertUnavailable(() -> store.put("k", new byte[1], TTL), "put", tier);
            assertUnavailable(() -> store.delete("k"), "delete", tier);
            assertUnavailable(store::deleteAll, "deleteAll", tier);
            assertUnavailable(() -> store.tryLock("k", TTL), "tryLock", tier);
            assertUnavailable(
                    () -> store.putIfUnchanged("k", new byte[1], TTL, lock.fencingToken()), "putIfUnchanged", tier);
            assertUnavailable(() -> store.deleteIfUnchanged("k", new byte[1]), "deleteIfUnchanged", tier);
            lock.close(); // logs, never throws: the lease expires on its own
        }
    }

    @Test
    void anUnresponsiveServerFailsAtTheSocketTimeout(@Dedicated RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri(), CONFIG);
                Jedis admin = new Jedis(redis.host(), redis.port())) {
            RemoteStore store = tier.store("orders");
            assertThat(store.get("k")).isEmpty(); // a pooled connection is ready

            // The server accepts connections and commands but answers nothing for longer than the socket timeout:
            // a client that ignored the timeout would get its answer after the pause instead of failing.
            admin.clientPause(1_500);

            long start = System.nanoTime();
            assertUnavailable(() -> store.get("k"), "get", tier);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(SOCKET_TIMEOUT.minusMillis(50));
        }
    }

    @Test
    void aServerThatNeverRanFailsAtTheFirstOperation() {
        int port = freePort();
        try (RedisTier tier = RedisTier.connect("redis://127.0.0.1:" + port, CONFIG)) {
            assertUnavailable(() -> tier.store("orders").get("k"), "get", tier);
        }
    }

    @Test
    void anUnreachableClusterFailsAtConnection() {
        HostAndPort nowhere = new HostAndPort("127.0.0.1", freePort());

        assertThatThrownBy(() -> RedisTier.cluster(Set.of(nowhere), CONFIG))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("redis-cluster://" + nowhere);
    }

    @Test
    void thePasswordInTheUriAuthenticatesAndIsNeverShown(@Dedicated RedisServer redis) {
        String password = "s3cret-Pw";
        try (Jedis admin = new Jedis(redis.host(), redis.port())) {
            admin.configSet("requirepass", password);
        }
        String uri = "redis://:" + password + "@127.0.0.1:" + redis.port();
        try (RedisTier tier = RedisTier.connect(uri, CONFIG);
                RedisTier wrong = RedisTier.connect("redis://:wrong-Pw@127.0.0.1:" + redis.port(), CONFIG)) {
            RemoteStore store = tier.store("secured");
            store.put("k", RemoteStoreContract.utf8("v"), TTL);
            assertThat(store.get("k")).isPresent();
            assertThat(tier.describe()).isEqualTo(redis.uri()).doesNotContain(password);

            assertThatThrownBy(() -> wrong.store("secured").get("k"))
                    .isInstanceOf(CacheUnavailableException.class)
                    .hasMessageContaining("'secured'")
                    .message()
                    .doesNotContain("wrong-Pw", password);

            redis.kill();
            assertThatThrownBy(() -> store.get("k"))
                    .isInstanceOf(CacheUnavailableException.class)
                    .message()
                    .doesNotContain(password);
        }
    }

    @Test
    void anAclUserFromTheUri(@Dedicated RedisServer redis) {
        try (Jedis admin = new Jedis(redis.host(), redis.port())) {
            admin.aclSetUser("cachet", "on", ">app:Pw", "~cachet:*", "+@all");
        }
        String uri = "redis://cachet:app%3APw@127.0.0.1:" + redis.port();
        try (RedisTier tier = RedisTier.connect(uri, CONFIG)) {
            RemoteStore store = tier.store("acl");
            store.put("k", RemoteStoreContract.utf8("v"), TTL);
            try (RemoteLock lock = store.tryLock("k", TTL).orElseThrow()) {
                assertThat(store.putIfUnchanged("k", RemoteStoreContract.utf8("w"), TTL, lock.fencingToken()))
                        .isTrue();
            }
            assertThat(store.get("k").map(RemoteStoreContract::text)).contains("w");
        }
        // The ACL confines the user to the prefix: another prefix is refused, and reported as unavailable.
        try (RedisTier outside = RedisTier.connect(
                uri, RedisTierConfig.builder().keyPrefix("elsewhere").build())) {
            assertThatThrownBy(() -> outside.store("acl").get("k"))
                    .isInstanceOf(CacheUnavailableException.class)
                    .hasMessageContaining("NOPERM")
                    .message()
                    .doesNotContain("app:Pw");
        }
    }

    /**
     * Connections that idled in the pool while the server was killed must not be handed out one by one after its
     * restart, each failing a call (behind a cache, each failure would be a failed breaker probe and one more open
     * period): the first failure clears the idle connections.
     */
    @Test
    void afterARestartAtMostOneCallFailsOnAConnectionThatDiedWithTheServer(@Dedicated RedisServer redis)
            throws Exception {
        int idle = 4;
        RedisTierConfig patient =
                RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(5)).build();
        ExecutorService callers = Executors.newFixedThreadPool(idle);
        try (RedisTier tier = RedisTier.connect(redis.uri(), patient);
                Jedis admin = new Jedis(redis.host(), redis.port())) {
            RemoteStore store = tier.store("orders");
            // Calls that overlap while the server is paused each hold a connection of their own, then leave it idle.
            admin.clientPause(300);
            List<Future<Optional<byte[]>>> overlapping = new ArrayList<>();
            for (int i = 0; i < idle; i++) {
                overlapping.add(callers.submit(() -> store.get("k")));
            }
            for (Future<Optional<byte[]>> call : overlapping) {
                assertThat(call.get(5, TimeUnit.SECONDS)).isEmpty();
            }

            redis.kill();
            redis.restart();

            int failures = 0;
            for (int i = 0; i < idle; i++) {
                try {
                    store.put("k", RemoteStoreContract.utf8("v" + i), TTL);
                } catch (CacheUnavailableException e) {
                    failures++;
                }
            }
            assertThat(failures)
                    .as("calls failed on connections to the killed server")
                    .isLessThanOrEqualTo(1);
            assertThat(store.get("k")).isPresent();
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * A socket timeout says the server is slow, not gone: the connections idling in the pool are as good as before,
     * and reconnecting them all (TLS, AUTH) would add load just when the server is slow (issue 10, violation 7).
     */
    @Test
    void aSocketTimeoutKeepsTheIdleConnections(@Dedicated RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri(), CONFIG);
                Jedis admin = new Jedis(redis.host(), redis.port())) {
            RemoteStore store = tier.store("orders");
            Pool<Connection> pool = ((RedisClient) tier.client("orders", "test")).getPool();
            List<Connection> borrowed = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                borrowed.add(pool.getResource());
            }
            borrowed.forEach(Connection::close); // back to the pool, idle
            assertThat(pool.getNumIdle()).isEqualTo(4);

            admin.clientPause(SOCKET_TIMEOUT.multipliedBy(3).toMillis());
            assertUnavailable(() -> store.get("k"), "get", tier);

            assertThat(pool.getNumIdle())
                    .as("idle connections left after one call timed out on another")
                    .isEqualTo(3);
        }
    }

    /**
     * No free connection within the wait says this process is busy, not that the server is down: the failure is a
     * {@link RemoteTierBusyException}, which caches do not count towards their circuit breaker.
     */
    @Test
    void anExhaustedPoolIsReportedAsBusy(@Dedicated RedisServer redis) {
        RedisTierConfig oneConnection = RedisTierConfig.builder()
                .connectTimeout(Duration.ofMillis(100))
                .socketTimeout(SOCKET_TIMEOUT)
                .maxConnections(1)
                .build();
        try (RedisTier tier = RedisTier.connect(redis.uri(), oneConnection)) {
            RemoteStore store = tier.store("orders");
            Pool<Connection> pool = ((RedisClient) tier.client("orders", "test")).getPool();
            try (Connection held = pool.getResource()) {
                assertThat(held.isConnected()).isTrue();
                assertThatThrownBy(() -> store.get("k"))
                        .isInstanceOf(RemoteTierBusyException.class)
                        .hasMessageContaining("Redis get for cache 'orders' failed on " + tier.describe())
                        .hasMessageContaining("connection pool exhausted");
            }
            assertThat(store.get("k")).as("the held connection is free again").isEmpty();
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

    /**
     * Checks that {@code operation} fails with {@link CacheUnavailableException} and prints how long that took. The
     * time is not bounded here: it depends on the machine's load, and an operation that never failed would fail the
     * test's timeout.
     */
    private static void assertUnavailable(ThrowingCallable operation, String operationName, RedisTier tier) {
        long start = System.nanoTime();
        assertThatThrownBy(operation)
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("Redis " + operationName + " for cache 'orders' failed on " + tier.describe())
                .hasCauseInstanceOf(JedisException.class);
        System.out.printf(
                "%s failed after %d ms (socket timeout %d ms)%n",
                operationName, Duration.ofNanos(System.nanoTime() - start).toMillis(), SOCKET_TIMEOUT.toMillis());
    }
}
