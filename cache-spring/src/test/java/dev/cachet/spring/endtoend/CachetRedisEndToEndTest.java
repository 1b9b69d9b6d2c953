package dev.cachet.spring.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.CacheRegistry;
import dev.cachet.spring.Callers;
import dev.cachet.spring.endtoend.PriceBook.Price;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.RedisClient;

/**
 * The whole integration against a real Redis of the test's own: an annotated bean over a near cache declared in
 * properties, called from many threads, with its metrics, an invalidation, and an outage that callers ride out.
 */
@RedisTest
@SpringBootTest(
        classes = EndToEndApplication.class,
        properties = {
            "cachet.caches.prices.tier=near",
            "cachet.caches.prices.expire-after-write=30s",
            "cachet.caches.prices.near-expire-after-write=5s",
            "cachet.caches.prices.near-maximum-size=1000",
            "cachet.caches.prices.value-type=dev.cachet.spring.endtoend.PriceBook$Price",
            "cachet.redis.key-prefix=e2e"
        })
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CachetRedisEndToEndTest {
    private static RedisServer redis;

    @Autowired
    private PriceBook prices;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private CacheRegistry caches;

    @Autowired
    private CacheManager cacheManager;

    @Autowired
    @Qualifier("cachetRedisHealthIndicator")
    private HealthIndicator health;

    @BeforeAll
    static void startRedis(@Dedicated RedisServer server) {
        redis = server;
    }

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("cachet.redis.url", () -> redis.uri());
    }

    @Test
    @Order(1)
    void loadsOncePerKeyForManyThreadsAndStoresInRedis() throws Exception {
        int threads = 32;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Callers callers = new Callers();
        List<Future<Price>> calls = new ArrayList<>();
        prices.holdLoads();
        try {
            for (int i = 0; i < threads; i++) {
                calls.add(pool.submit(() -> {
                    callers.enter();
                    return prices.price("AAPL");
                }));
            }
            callers.awaitAllWaitingForOneLoad(threads, () -> prices.loads("AAPL"));
            prices.releaseLoads();
            for (Future<Price> call : calls) {
                assertThat(call.get(20, TimeUnit.SECONDS)).isEqualTo(new Price("AAPL", 400));
            }
        } finally {
            prices.releaseLoads();
            pool.shutdownNow();
        }
        assertThat(prices.loads("AAPL")).isEqualTo(1);
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            // s: is the default key encoder's tag of a String key.
            assertThat(client.get("e2e:6:prices:{s:AAPL}")).contains("\"symbol\":\"AAPL\"");
        }
    }

    @Test
    @Order(2)
    void publishesTheCachesMetrics() throws Exception {
        FunctionCounter hits = meters.get("cache.gets")
                .tag("cache", "prices")
                .tag("result", "hit")
                .functionCounter();
        FunctionCounter misses = meters.get("cache.gets")
                .tag("cache", "prices")
                .tag("result", "miss")
                .functionCounter();
        double hitsBefore = hits.count();
        double missesBefore = misses.count();
        for (int i = 0; i < 3; i++) {
            prices.price("AAPL");
        }
        prices.price("AMZN");
        assertThat(hits.count() - hitsBefore).isEqualTo(3);
        assertThat(misses.count() - missesBefore).isEqualTo(1);
        assertThat(meters.find("cache.near.gets").tag("cache", "prices").meters())
                .hasSize(2);
        assertThat(meters.find("cache.remote.gets").tag("cache", "prices").meters())
                .isNotEmpty();
    }

    @Test
    @Order(3)
    void invalidatesThroughTheAnnotationAndTheCacheManager() throws Exception {
        assertThat(prices.price("MSFT")).isEqualTo(new Price("MSFT", 400));
        prices.reprice("MSFT");
        assertThat(prices.price("MSFT")).isEqualTo(new Price("MSFT", 400));
        assertThat(prices.loads("MSFT")).isEqualTo(2);
        cacheManager.getCache("prices").evict("MSFT");
        prices.price("MSFT");
        assertThat(prices.loads("MSFT")).isEqualTo(3);
        assertThat(caches.find("prices").orElseThrow().remoteStats()).isPresent();
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @Order(4)
    void keepsReturningLoadedValuesWhileRedisIsDown() throws Exception {
        redis.kill();
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(prices.price("NFLX")).isEqualTo(new Price("NFLX", 400));
            }
            assertThat(prices.loads("NFLX")).isPositive();
            var down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails().get("error").toString()).contains("CacheUnavailableException");
            assertThat(caches.find("prices")
                            .orElseThrow()
                            .remoteStats()
                            .orElseThrow()
                            .fallbackLoads())
                    .isPositive();
        } finally {
            redis.restart();
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.UP));
        assertThat(prices.price("GOOG")).isEqualTo(new Price("GOOG", 400));
    }
}
