package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.Cached;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Cachet.proxy} in front of caches over real Redis, remote-only and near: hits, misses, single flight and
 * invalidation across two tiers, each with its own registry, standing for two processes.
 */
@RedisTest
@Timeout(60) // run alone, its first test pays for the JVM's first Redis connections: about 5 s of a busy machine
class RedisProxyTest {
    private static final int THREADS = 8;
    private static RedisServer redis;

    private final String run = UUID.randomUUID().toString();
    private final List<RedisTier> tiers = new ArrayList<>();
    private final List<Cache<?, ?>> caches = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
    }

    @AfterEach
    void checkAndDisconnect() throws InterruptedException {
        try {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            caches.forEach(CacheInvariants::check);
        } finally {
            tiers.forEach(RedisTier::close);
        }
    }

    interface Prices {
        @Cached(name = "prices")
        String price(String symbol);

        @Cached(name = "venue-prices")
        String price(String symbol, int venue);

        @CacheInvalidate(name = "prices")
        void reprice(String symbol);

        @CacheInvalidate(name = "venue-prices")
        void reprice(String symbol, int venue);
    }

    /** The source of prices: answers with its process and call number, so a second call shows. */
    static final class Source implements Prices {
        final String process;
        final AtomicInteger calls = new AtomicInteger();
        final Set<Thread> callers = ConcurrentHashMap.newKeySet();

        Source(String process) {
            this.process = process;
        }

        @Override
        public String price(String symbol) {
            int call = calls.incrementAndGet();
            if (!callers.isEmpty()) {
                awaitOthersWaitingForThisCall(callers);
            }
            return symbol + " from " + process + " #" + call;
        }

        @Override
        public String price(String symbol, int venue) {
            return symbol + "@" + venue + " from " + process + " #" + calls.incrementAndGet();
        }

        @Override
        public void reprice(String symbol) {}

        @Override
        public void reprice(String symbol, int venue) {}
    }

    /** A process: its own tier and registry, the caches built first, then the proxy with no settings of its own. */
    private Prices process(Source source, boolean near) {
        RedisTier tier = RedisTier.connect(
                redis.uri(), RedisTierConfig.builder().keyPrefix("proxy-" + run).build());
        tiers.add(tier);
        CacheRegistry registry = CacheRegistry.create();
        for (String name : List.of("prices", "venue-prices")) {
            var builder = Cachet.builder(name)
                    .registry(registry)
                    .expireAfterWrite(Duration.ofMinutes(1))
                    .remote(tier, Codec.string());
            if (near) {
                builder.nearCache(100, Duration.ofMinutes(1));
            }
            caches.add(builder.build());
        }
        return Cachet.proxy(Prices.class, source, registry);
    }

    @Test
    void overRedisTheProxyLoadsOncePerKeyAcrossProcessesAndInvalidatesEverywhere() {
        Source first = new Source("first");
        Source second = new Source("second");
        Prices a = process(first, true);
        Prices b = process(second, true);

        assertThat(a.price("AAPL")).as("a miss calls the source").isEqualTo("AAPL from first #1");
        assertThat(a.price("AAPL")).as("a hit").isEqualTo("AAPL from first #1");
        assertThat(b.price("AAPL")).as("the other process reads Redis").isEqualTo("AAPL from first #1");
        assertThat(second.calls.get()).isZero();

        b.reprice("AAPL");
        await("the invalidation reaches the first process's near tier")
                .atMost(Duration.ofSeconds(5))
                .until(() -> a.price("AAPL").equals("AAPL from first #2"));
        assertThat(b.price("AAPL")).isEqualTo("AAPL from first #2");

        assertThat(a.price("MSFT", 3)).as("a key of two arguments").isEqualTo("MSFT@3 from first #3");
        assertThat(b.price("MSFT", 3)).isEqualTo("MSFT@3 from first #3");
        a.reprice("MSFT", 3);
        await("the invalidation reaches the second process's near tier")
                .atMost(Duration.ofSeconds(5))
                .until(() -> b.price("MSFT", 3).startsWith("MSFT@3 from second"));
        assertThat(second.calls.get()).isEqualTo(1);
    }

    @Test
    void threadsMissingOneKeyInRedisCallTheSourceOnce() throws Exception {
        Source source = new Source("only");
        Prices prices = process(source, false);
        for (int round = 1; round <= 3; round++) {
            prices.reprice("AAPL");
            source.callers.clear();
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            List<Future<String>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    source.callers.add(Thread.currentThread());
                    barrier.await(10, TimeUnit.SECONDS);
                    return prices.price("AAPL");
                }));
            }
            List<String> results = new ArrayList<>();
            for (Future<String> future : futures) {
                results.add(future.get(10, TimeUnit.SECONDS));
            }
            source.callers.clear();

            assertThat(results).as("round %d", round).containsOnly("AAPL from only #" + round);
            assertThat(source.calls.get()).as("calls after round %d", round).isEqualTo(round);
        }
    }

    /**
     * Blocks the thread calling the source until every other caller waits for that call's result, parked in a {@code
     * CompletableFuture} as single-flight waiters are; then none of them can miss and call again.
     */
    private static void awaitOthersWaitingForThisCall(Set<Thread> callers) {
        Thread calling = Thread.currentThread();
        await("the other callers all wait for the call in flight")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    long waiting = callers.stream()
                            .filter(t -> t != calling)
                            .map(LockSupport::getBlocker)
                            .filter(blocker -> blocker != null
                                    && blocker.getClass()
                                            .getName()
                                            .startsWith("java.util.concurrent.CompletableFuture"))
                            .count();
                    return callers.size() == THREADS && waiting == THREADS - 1;
                });
    }
}
