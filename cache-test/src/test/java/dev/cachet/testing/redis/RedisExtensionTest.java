package dev.cachet.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

@RedisTest
class RedisExtensionTest {

    @Test
    void sharedServerAnswersPingAndStoresKeys(RedisServer redis) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            jedis.set("greeting", "hello");
            assertThat(jedis.get("greeting")).isEqualTo("hello");
        }
        assertThat(redis.isRunning()).isTrue();
    }

    @Test
    void everySharedServerParameterIsTheSameServer(RedisServer first, RedisServer second) {
        assertThat(first).isSameAs(second);
    }

    @Test
    void flushAllEmptiesTheServer(RedisServer redis) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.set("doomed", "value");
            redis.flushAll();
            assertThat(jedis.dbSize()).isZero();
        }
    }

    @Test
    void sharedServerRefusesToBeKilledSoOtherTestsKeepIt(RedisServer redis) {
        assertThatThrownBy(redis::kill)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("shared Redis server")
                .hasMessageContaining("@Dedicated");
        assertThatThrownBy(redis::restart).isInstanceOf(UnsupportedOperationException.class);
        assertThat(redis.isRunning()).isTrue();
    }

    @Test
    void dedicatedServerIsALoopbackProcessOfItsOwn(RedisServer shared, @Dedicated RedisServer dedicated) {
        assertThat(dedicated).isNotSameAs(shared);
        assertThat(dedicated.host()).isEqualTo("127.0.0.1");
        assertThat(dedicated.uri()).isEqualTo("redis://127.0.0.1:" + dedicated.port());
        assertThat(dedicated.port()).isNotEqualTo(shared.port()).isLessThan(55_000);
    }

    @Test
    void killedServerRefusesConnections(@Dedicated RedisServer redis) {
        redis.kill();

        assertThat(redis.isRunning()).isFalse();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThatThrownBy(jedis::ping).isInstanceOf(JedisConnectionException.class);
        }
        redis.kill(); // a second kill is a no-op
    }

    @Test
    void restartedServerAnswersOnTheSamePortAndIsEmpty(@Dedicated RedisServer redis) {
        int port = redis.port();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.set("lost-on-crash", "value");
        }

        redis.kill();
        redis.restart();

        assertThat(redis.port()).isEqualTo(port);
        assertThat(redis.isRunning()).isTrue();
        try (Jedis jedis = new Jedis(redis.host(), port)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.dbSize()).isZero();
        }
    }

    @Test
    void restartOfARunningServerStartsItAfresh(@Dedicated RedisServer redis) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.set("key", "value");
        }

        redis.restart();

        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(jedis.dbSize()).isZero();
        }
    }

    @Test
    void restartFailsClearlyWhenThePortWasTakenMeanwhile(@Dedicated RedisServer redis) throws IOException {
        redis.kill();
        try (ServerSocket squatter =
                new ServerSocket(redis.port(), 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            assertThat(squatter.getLocalPort()).isEqualTo(redis.port());
            assertThatThrownBy(redis::restart)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + redis.port() + " was taken")
                    .hasMessageContaining("Address already in use"); // quoted from the server's log
        }
        assertThat(redis.isRunning()).isFalse();
    }

    @Test
    void dedicatedParametersWithTheSameNameShareAServer(
            @Dedicated("a") RedisServer a, @Dedicated("a") RedisServer sameA, @Dedicated("b") RedisServer b) {
        assertThat(sameA).isSameAs(a);
        assertThat(b.port()).isNotEqualTo(a.port());
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class DedicatedServerLifetime {
        private RedisServer fromBeforeEach;
        private static RedisServer fromFirstTest;

        @BeforeEach
        void remember(@Dedicated RedisServer redis) {
            fromBeforeEach = redis;
        }

        @Test
        @Order(1)
        void testSeesTheServerItsBeforeEachGot(@Dedicated RedisServer redis) {
            assertThat(redis).isSameAs(fromBeforeEach);
            assertThat(redis.isRunning()).isTrue();
            fromFirstTest = redis;
        }

        @Test
        @Order(2)
        void serverIsStoppedWhenItsTestEnds() {
            assertThat(fromFirstTest).isNotNull();
            assertThat(fromFirstTest.isRunning()).isFalse();
            assertThat(fromBeforeEach).isNotSameAs(fromFirstTest);
        }
    }

    @Nested
    class ClassWideDedicatedServer {
        private static RedisServer fromBeforeAll;

        @BeforeAll
        static void startOneForTheClass(@Dedicated RedisServer redis) {
            fromBeforeAll = redis;
        }

        @Test
        void testsSeeTheServerTheirBeforeAllGot(@Dedicated RedisServer redis) {
            assertThat(redis).isSameAs(fromBeforeAll);
            assertThat(redis.isRunning()).isTrue();
        }
    }
}
