package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheUnavailableException;
import dev.cachet.Cachet;
import dev.cachet.FailurePolicy;
import dev.cachet.RemoteConfig;
import dev.cachet.RemoteStats;
import dev.cachet.Ticker;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The failure policy against a real server that is killed (SIGKILL) under load and restarted: fail-open callers never
 * notice, and the tier is used again soon after the restart; fail-closed callers get {@link
 * CacheUnavailableException}.
 */
@RedisTest
class RedisFailurePolicyTest {
    private static final RedisTierConfig FAST = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(150))
            .socketTimeout(Duration.ofMillis(150))
            .build();
    private static final Duration TTL = Duration.ofMinutes(1);
    // The bound: the tier is used again within 2 s of the restart.
    private static final Duration OUTAGE = Duration.ofMillis(800);
    private static final Duration AWAIT = Duration.ofSeconds(12);
    /**
     * Awaitility, polling every 5 ms from the start. How soon the tier is used again after a restart is printed, not
     * bounded: it depends on the machine's load; a tier never used again fails the wait.
     */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).dontCatchUncaughtExceptions();

    private static final int THREADS = 32;
    private static final int KEYS = 64;
    private static final int MAX_CALLS_PER_THREAD = 2_000_000;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    @Test
    void failOpenCallersNeverNoticeAKillAndTheTierIsUsedAgainAfterTheRestart(@Dedicated RedisServer redis)
            throws Exception {
        try (RedisTier tier = RedisTier.connect(redis.uri(), FAST)) {
            Cache<String, String> cache = cache("prices", tier, FailurePolicy.FAIL_OPEN);
            Load load = new Load(cache);
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int offset = i;
                workers.add(pool.submit(() -> load.run(offset)));
            }
            POLLING.alias("warm-up hits").until(() -> remote(cache).hits() > 1_000);

            redis.kill();
            long callsAtKill = load.calls.sum();
            long outageEnd = System.nanoTime() + OUTAGE.toNanos();
            POLLING.alias("the outage").until(() -> System.nanoTime() - outageEnd >= 0 || load.stopped());
            long callsDuringOutage = load.calls.sum() - callsAtKill;
            RemoteStats duringOutage = remote(cache);

            redis.restart();
            long restarted = System.nanoTime();
            long errorsAtRestart = remote(cache).errors();
            String probeKey = RedisCacheContract.valueKey("prices", "probe");
            try (Jedis raw = new Jedis(redis.host(), redis.port())) {
                POLLING.untilAsserted(() -> {
                    cache.put("probe", "probe-v");
                    assertThat(raw.exists(probeKey))
                            .as(() -> "a put reaching the restarted server; " + remote(cache))
                            .isTrue();
                });
            }
            Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
            long errorsAfterRestart = remote(cache).errors() - errorsAtRestart;
            long hitsAtRecovery = remote(cache).hits();
            POLLING.alias("hits after the restart").until(() -> remote(cache).hits() > hitsAtRecovery + 100);
            Duration hitsAgain = Duration.ofNanos(System.nanoTime() - restarted);
            System.out.printf(
                    "fail-open: %d calls during the outage; a put reached Redis %d ms after the restart (%d errors"
                            + " meanwhile), hits grew again after %d ms; %s%n",
                    callsDuringOutage, recovery.toMillis(), errorsAfterRestart, hitsAgain.toMillis(), remote(cache));

            load.stop.set(true);
            for (Future<?> worker : workers) {
                worker.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(load.failures.sum())
                    .as("exceptions thrown to callers, the first: %s", load.firstFailure.get())
                    .isZero();
            assertThat(load.wrongValues.sum()).as("wrong values").isZero();
            assertThat(callsDuringOutage).as("calls served during the outage").isPositive();
            assertThat(duringOutage.errors()).isPositive();
            assertThat(duringOutage.fallbackLoads()).isPositive();
        }
    }

    @Test
    void failClosedCallersGetCacheUnavailableDuringTheOutage(@Dedicated RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri(), FAST)) {
            Cache<String, String> cache = cache("orders", tier, FailurePolicy.FAIL_CLOSED);
            assertThat(cache.get("k", k -> k + "-v")).isEqualTo("k-v");
            AtomicInteger loads = new AtomicInteger();

            redis.kill();

            // The first calls reach the dead server; once the breaker opens, they are refused without a call.
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> cache.get("k", k -> k + "-" + loads.incrementAndGet()))
                        .isInstanceOf(CacheUnavailableException.class)
                        .hasMessageContaining("'orders'");
            }
            assertThatThrownBy(() -> cache.put("k", "v")).isInstanceOf(CacheUnavailableException.class);
            assertThatThrownBy(() -> cache.invalidate("k")).isInstanceOf(CacheUnavailableException.class);
            assertThat(loads).as("fail-closed never falls back to the loader").hasValue(0);
            RemoteStats stats = remote(cache);
            assertThat(stats.errors()).isEqualTo(3); // the breaker's threshold; later calls fail fast
            assertThat(stats.fallbackLoads()).isZero();

            redis.restart();
            long restarted = System.nanoTime();
            List<String> values = new ArrayList<>();
            POLLING.untilAsserted(() -> {
                try {
                    values.add(cache.get("k", k -> k + "-reloaded"));
                } catch (CacheUnavailableException e) {
                    throw new AssertionError("no successful call after the restart yet; " + remote(cache), e);
                }
            });
            Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
            System.out.printf("fail-closed: a call succeeded %d ms after the restart%n", recovery.toMillis());
            assertThat(values).containsExactly("k-reloaded"); // the restarted server is empty
            assertThat(cache.getIfPresent("k")).isEqualTo("k-reloaded");
        }
    }

    /**
     * A call whose miss straddles the end of the breaker's open period must really probe the tier: spending the probe
     * without calling the tier would leave it unused for another open period although it is back.
     */
    @Test
    void theFirstCallAfterTheOpenPeriodProbesTheTier(@Dedicated RedisServer redis) {
        SteppingTicker ticker = new SteppingTicker();
        RemoteConfig config =
                RemoteConfig.custom().circuitBreaker(1, Duration.ofMillis(500)).build();
        try (RedisTier tier = RedisTier.connect(redis.uri(), FAST);
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> cache = Cachet.builder("quotes")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(TTL)
                    .ticker(ticker)
                    .remote(tier, Codec.string(), config)
                    .build();
            assertThat(cache.get("warm", k -> k + "-v")).isEqualTo("warm-v");
            redis.kill();
            assertThat(cache.get("a", k -> k + "-v")).isEqualTo("a-v");
            assertThat(remote(cache).errors()).as("the breaker opened").isEqualTo(1);
            redis.restart();

            // The open period ends while this call runs: its read is refused, its load comes after the period.
            ticker.nextReadings(Duration.ofMillis(499), Duration.ofMillis(501));
            assertThat(cache.get("b", k -> k + "-v")).isEqualTo("b-v");
            assertThat(cache.get("c", k -> k + "-v")).isEqualTo("c-v");

            assertThat(raw.exists(RedisCacheContract.valueKey("quotes", "c")))
                    .as("the first call after the open period reaches the restarted tier")
                    .isTrue();
        }
    }

    private static Cache<String, String> cache(String name, RedisTier tier, FailurePolicy policy) {
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .remote(
                        tier,
                        Codec.string(),
                        RemoteConfig.custom().failurePolicy(policy).build())
                .build();
    }

    private static RemoteStats remote(Cache<?, ?> cache) {
        return cache.remoteStats().orElseThrow();
    }

    /** Callers in a loop over a set of keys, each value a pure function of its key, counting what they see. */
    private static final class Load {
        final Cache<String, String> cache;
        final AtomicBoolean stop = new AtomicBoolean();
        final LongAdder calls = new LongAdder();
        final LongAdder wrongValues = new LongAdder();
        final LongAdder failures = new LongAdder();
        final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        final CountDownLatch finished = new CountDownLatch(THREADS);
        final long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();

        Load(Cache<String, String> cache) {
            this.cache = cache;
        }

        void run(int offset) {
            try {
                for (int i = 0; i < MAX_CALLS_PER_THREAD && !stop.get() && System.nanoTime() - deadline < 0; i++) {
                    String key = "k" + ((offset + i) % KEYS);
                    try {
                        String value = cache.get(key, k -> k + "-v");
                        if (!(key + "-v").equals(value)) {
                            wrongValues.increment();
                        }
                    } catch (RuntimeException | Error e) {
                        failures.increment();
                        firstFailure.compareAndSet(null, e);
                    }
                    calls.increment();
                }
            } finally {
                finished.countDown();
            }
        }

        /** Returns whether every caller has left its loop (count or time bound reached). */
        boolean stopped() {
            return finished.getCount() == 0;
        }
    }

    /** A ticker that stands still, except for readings queued with {@link #nextReadings}. */
    private static final class SteppingTicker implements Ticker {
        private static final long START = 1_000_000_000L;

        private final AtomicLong now = new AtomicLong(START);
        private final Queue<Long> pending = new ConcurrentLinkedQueue<>();

        /** Makes the next reads return these offsets from the start, one each; later reads repeat the last. */
        void nextReadings(Duration... offsets) {
            for (Duration offset : offsets) {
                pending.add(START + offset.toNanos());
            }
        }

        @Override
        public long read() {
            Long next = pending.poll();
            if (next != null) {
                now.set(next);
            }
            return now.get();
        }
    }
}
