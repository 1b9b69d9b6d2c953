package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.testing.redis.FaultProxy;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * How the invalidation subscriber sets up its subscription: a {@code SUBSCRIBE} that Redis never confirms is cut after
 * the socket timeout and tried again, not left to the heartbeat, and the listener hears of lost messages once, when
 * the subscription is finally made.
 */
@RedisTest
class InvalidationSubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** A heartbeat far longer than the test, so that only the confirmation timeout can cut an attempt in time. */
    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(300))
            .socketTimeout(Duration.ofMillis(300))
            .heartbeatTimeout(Duration.ofMinutes(2))
            .build();

    /**
     * No {@code CLIENT SETINFO} on connecting: the connection then opens on a peer that never answers, and what waits
     * is the {@code SUBSCRIBE} alone, as on a pooled connection borrowed while the network is down.
     */
    private static final JedisClientConfig NO_HANDSHAKE = DefaultJedisClientConfig.builder()
            .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
            .connectionTimeoutMillis((int) CONFIG.connectTimeout().toMillis())
            .socketTimeoutMillis((int) CONFIG.socketTimeout().toMillis())
            .build();

    @Test
    @Timeout(30)
    void aSubscribeNeverConfirmedIsCutAfterTheSocketTimeoutAndTriedAgain(RedisServer redis) {
        String cache = "unconfirmed";
        List<Long> attempts = new CopyOnWriteArrayList<>();
        try (FaultProxy proxy = FaultProxy.start(redis.host(), redis.port());
                RedisTier tier = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier publisher = RedisTier.connect(redis.uri(), CONFIG)) {
            HostAndPort through = new HostAndPort(proxy.host(), proxy.port());
            RedisInvalidationChannel channel = new RedisInvalidationChannel(
                    tier,
                    cache,
                    KeyLayout.of(CONFIG.keyPrefix(), cache, CONFIG.maxKeyLength())
                            .invalidationChannel(),
                    InvalidationMessage.newOriginId(),
                    () -> {
                        attempts.add(System.nanoTime());
                        return new Connection(through, NO_HANDSHAKE);
                    },
                    unused -> {});
            try {
                proxy.blackhole(); // accepts connections, and answers nothing on them
                InvalidationRecorder heard = new InvalidationRecorder();
                channel.subscribe(heard);

                await().alias("the unconfirmed SUBSCRIBE cut and tried again, twice")
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(5))
                        .atMost(WAIT)
                        .until(() -> attempts.size() >= 3);
                Duration firstCut = Duration.ofNanos(attempts.get(1) - attempts.get(0));
                System.out.printf(
                        "an unconfirmed SUBSCRIBE was tried again after %d ms (socket timeout %d ms, heartbeat"
                                + " timeout %d ms)%n",
                        firstCut.toMillis(),
                        CONFIG.socketTimeout().toMillis(),
                        CONFIG.heartbeatTimeout().toMillis());
                assertThat(firstCut)
                        .as("the attempt waited for its confirmation the socket timeout")
                        .isGreaterThanOrEqualTo(CONFIG.socketTimeout());
                assertThat(channel.isConnected()).isFalse();
                assertThat(heard.lost)
                        .as("nothing was received, so nothing is lost yet")
                        .hasValue(0);

                proxy.pass(); // connections from now on reach Redis
                await().alias("subscribed once the network is back")
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(5))
                        .atMost(WAIT)
                        .until(channel::isConnected);
                assertThat(heard.next())
                        .as("told once subscribed that messages may have been lost")
                        .isEqualTo("lost");
                publisher.invalidations(cache).publish("k");
                assertThat(heard.next()).isEqualTo("key k");
                assertThat(heard.lost).hasValue(1);
            } finally {
                channel.close();
            }
        }
    }
}
