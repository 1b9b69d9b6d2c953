package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.metrics.CachetMetrics;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Random keys by the thousand through a near cache and a Redis-only cache on a dedicated, empty server, then the
 * hygiene checks: the near tier within its bound, every key in Redis with a time to live, as many Micrometer meters as
 * before (no meter per key), and the memory Cachet takes per entry beside a raw {@code SET} of the same value.
 *
 * <p>In the normal build it runs {@value #SUITE_KEYS} keys per cache in a few seconds. The full run, one million keys
 * per cache, prints the figures quoted in {@code benchmarks/README.md}:
 *
 * <pre>
 * CI=true mvn -B -o -pl cache-redis -am -Dcachet.keyload=full -Dtest=KeyLoadTest -Dsurefire.failIfNoSpecifiedTests=false test
 * </pre>
 *
 * (the figures are in {@code cache-redis/target/surefire-reports/dev.cachet.redis.KeyLoadTest-output.txt}).
 */
@RedisTest
class KeyLoadTest {
    private static final int SUITE_KEYS = 20_000;
    private static final int FULL_KEYS = 1_000_000;
    private static final int NEAR_BOUND = 1_000;
    private static final int VALUE_CHARS = 100;
    private static final int SAMPLES = 1_000;
    private static final Duration TTL = Duration.ofMinutes(30);
    private static final RedisTierConfig CONFIG = RedisTierConfig.builder()
            .socketTimeout(Duration.ofSeconds(5))
            .maxConnections(16)
            .build();

    @Test
    @Timeout(300)
    void twentyThousandKeys(@Dedicated RedisServer redis) throws Exception {
        run(redis, SUITE_KEYS, 4);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    @EnabledIfSystemProperty(named = "cachet.keyload", matches = "full")
    void oneMillionKeys(@Dedicated RedisServer redis) throws Exception {
        run(redis, FULL_KEYS, 8);
    }

    private static void run(RedisServer redis, int keys, int threads) throws Exception {
        redis.flushAll();
        // A long timeout: FLUSHALL of millions of keys blocks the server for seconds.
        try (Jedis jedis = new Jedis(
                        redis.host(), redis.port(), (int) Duration.ofMinutes(2).toMillis());
                RedisTier tier = RedisTier.connect(redis.uri(), CONFIG)) {
            long emptyMemory = usedMemory(jedis);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            CacheRegistry caches = CacheRegistry.create();
            CachetMetrics.bindAll(caches, meters);
            Cache<String, String> near = Cachet.builder("keyload-near")
                    .registry(caches)
                    .expireAfterWrite(TTL)
                    .remote(tier, Codec.string())
                    .nearCache(NEAR_BOUND, TTL)
                    .build();
            Cache<String, String> remote = Cachet.builder("keyload-redis")
                    .registry(caches)
                    .expireAfterWrite(TTL)
                    .remote(tier, Codec.string())
                    .build();
            int metersBefore = meters.getMeters().size();

            long started = System.nanoTime();
            send(keys, threads, near, remote);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            near.cleanUp();
            long nearSize = near.estimatedSize();
            int metersAfter = meters.getMeters().size();
            KeyCensus census = census(jedis);
            long cachetMemory = usedMemory(jedis) - emptyMemory;
            Sizes cachetSizes = sampleSizes(jedis);
            // Reads of keys never written: a getIfPresent peeks, and a peek hands out no lease, so it leaves nothing.
            int readOnlyMisses = keys / 10;
            SplittableRandom absent = new SplittableRandom(-1);
            for (int i = 0; i < readOnlyMisses; i++) {
                assertThat(remote.getIfPresent(String.format(Locale.ROOT, "absent:%016x", absent.nextLong())))
                        .isNull();
            }
            KeyCensus afterMisses = census(jedis);

            // The baseline: what the application would store by hand, one SET ... PX of the value under its own key.
            jedis.flushAll();
            long emptyAgain = usedMemory(jedis);
            rawSets(jedis, census.values());
            long rawMemory = usedMemory(jedis) - emptyAgain;
            long rawSample = rawSampleSize(jedis);

            System.out.printf(
                    Locale.ROOT,
                    "key load: %,d random keys per cache (%d threads) through a near cache (bound %,d) and a Redis"
                            + " cache in %,d ms%n"
                            + "  near size after cleanUp: %,d (bound %,d)%n"
                            + "  Redis keys: %,d (values %,d, fences %,d, locks %,d, other %,d); without a TTL: %,d%n"
                            + "  Micrometer meters: %d before, %d after%n"
                            + "  INFO used_memory delta: Cachet %,d bytes = %.1f per value (value, fence and the"
                            + " fences of invalidated keys); raw SET of the same %,d values: %,d bytes = %.1f per"
                            + " value%n"
                            + "  MEMORY USAGE (mean of %,d samples): Cachet value key %.1f + fence key %.1f bytes;"
                            + " raw SET key %.1f bytes%n"
                            + "  then %,d getIfPresent misses of keys never written: %,d more keys, %,d"
                            + " without a TTL%n",
                    keys,
                    threads,
                    NEAR_BOUND,
                    elapsedMillis,
                    nearSize,
                    NEAR_BOUND,
                    census.total(),
                    census.values(),
                    census.fences(),
                    census.locks(),
                    census.other(),
                    census.withoutTtl(),
                    metersBefore,
                    metersAfter,
                    cachetMemory,
                    (double) cachetMemory / census.values(),
                    census.values(),
                    rawMemory,
                    (double) rawMemory / census.values(),
                    SAMPLES,
                    cachetSizes.value(),
                    cachetSizes.fence(),
                    (double) rawSample / SAMPLES,
                    readOnlyMisses,
                    afterMisses.total() - census.total(),
                    afterMisses.withoutTtl());

            assertThat(nearSize).as("near size after cleanUp").isLessThanOrEqualTo(NEAR_BOUND);
            assertThat(census.withoutTtl()).as("Redis keys without a TTL").isZero();
            assertThat(afterMisses.total() - census.total())
                    .as("keys left by %,d getIfPresent misses of keys never written", readOnlyMisses)
                    .isZero();
            assertThat(afterMisses.withoutTtl())
                    .as("Redis keys without a TTL after the misses")
                    .isZero();
            assertThat(census.other())
                    .as("Redis keys that are neither value, fence nor lock")
                    .isZero();
            assertThat(census.values()).as("values in Redis").isGreaterThan(keys); // both caches, less invalidations
            assertThat(metersAfter).as("meters after the run").isEqualTo(metersBefore);
            for (Meter meter : meters.getMeters()) {
                for (Tag tag : meter.getId().getTags()) {
                    assertThat(tag.getValue()).as("tag of %s", meter.getId()).doesNotStartWith("user:");
                }
            }
        }
    }

    /**
     * Sends {@code keys} random keys through each cache from {@code threads} threads: each key is read with a loader
     * in both caches (a miss, a load, a write), every tenth is then overwritten and every twentieth invalidated.
     */
    private static void send(int keys, int threads, Cache<String, String> near, Cache<String, String> remote)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(thread);
                    for (int i = thread; i < keys; i += threads) {
                        String key = String.format(Locale.ROOT, "user:%016x", random.nextLong());
                        near.get(key, KeyLoadTest::value);
                        remote.get(key, KeyLoadTest::value);
                        if (i % 10 == 0) {
                            near.put(key, value(key + "'"));
                            remote.put(key, value(key + "'"));
                        }
                        if (i % 20 == 5) {
                            near.invalidate(key);
                            remote.invalidate(key);
                        }
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Returns a value of {@value #VALUE_CHARS} ASCII characters derived from {@code key}. */
    private static String value(String key) {
        StringBuilder value = new StringBuilder(VALUE_CHARS);
        while (value.length() < VALUE_CHARS) {
            value.append(key);
        }
        return value.substring(0, VALUE_CHARS);
    }

    /** How many keys of each kind the server holds, and how many have no time to live. */
    record KeyCensus(long total, long values, long fences, long locks, long other, long withoutTtl) {}

    private static KeyCensus census(Jedis jedis) {
        long total = 0;
        long values = 0;
        long fences = 0;
        long locks = 0;
        long other = 0;
        long withoutTtl = 0;
        ScanParams params = new ScanParams().count(1_000);
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanResult<String> page;
        do {
            page = jedis.scan(cursor, params);
            List<Response<Long>> ttls = new ArrayList<>();
            try (Pipeline pipeline = jedis.pipelined()) {
                for (String key : page.getResult()) {
                    ttls.add(pipeline.pttl(key));
                }
                pipeline.sync();
            }
            for (int i = 0; i < ttls.size(); i++) {
                String key = page.getResult().get(i);
                total++;
                if (ttls.get(i).get() < 0) {
                    withoutTtl++;
                }
                if (key.endsWith("}")) {
                    values++;
                } else if (key.endsWith("}" + KeyLayout.FENCE_SUFFIX)) {
                    fences++;
                } else if (key.endsWith("}:lock")) {
                    locks++;
                } else {
                    other++;
                }
            }
            cursor = page.getCursor();
        } while (!page.isCompleteIteration());
        return new KeyCensus(total, values, fences, locks, other, withoutTtl);
    }

    /** Mean {@code MEMORY USAGE} of value and fence keys, sampled at random among the keys a cache holds. */
    record Sizes(double value, double fence) {}

    private static Sizes sampleSizes(Jedis jedis) {
        long value = 0;
        long fence = 0;
        int found = 0;
        while (found < SAMPLES) {
            String key = jedis.randomKey();
            if (key == null || !key.endsWith("}")) {
                continue;
            }
            Long valueBytes = jedis.memoryUsage(key, 0);
            Long fenceBytes = jedis.memoryUsage(key + KeyLayout.FENCE_SUFFIX, 0);
            if (valueBytes != null && fenceBytes != null) {
                value += valueBytes;
                fence += fenceBytes;
                found++;
            }
        }
        return new Sizes((double) value / found, (double) fence / found);
    }

    /** Writes {@code count} raw values as the application would: the user's key, the value's bytes, a TTL. */
    private static void rawSets(Jedis jedis, long count) {
        SplittableRandom random = new SplittableRandom(42);
        SetParams ttl = new SetParams().px(TTL.toMillis());
        Pipeline pipeline = jedis.pipelined();
        for (long i = 0; i < count; i++) {
            String key = String.format(Locale.ROOT, "user:%016x", random.nextLong());
            pipeline.set(key, value(key), ttl);
            if (i % 1_000 == 999) {
                pipeline.sync();
            }
        }
        pipeline.sync();
        pipeline.close();
    }

    private static long rawSampleSize(Jedis jedis) {
        long total = 0;
        for (int i = 0; i < SAMPLES; i++) {
            total += jedis.memoryUsage(jedis.randomKey(), 0);
        }
        return total;
    }

    private static long usedMemory(Jedis jedis) {
        for (String line : jedis.info("memory").lines().toList()) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).strip());
            }
        }
        throw new IllegalStateException("INFO memory has no used_memory");
    }
}
