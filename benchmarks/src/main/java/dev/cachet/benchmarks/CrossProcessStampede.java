package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import dev.cachet.testing.StampedeHarness;
import java.time.Duration;
import java.util.List;

/**
 * P5: loader calls per expiry across processes, measured with cache-test's {@link StampedeHarness} (the harness
 * cache-redis's {@code StampedeAcrossProcessesTest} uses too). {@code processes} JVMs of {@code threads} threads each
 * ask a Redis-backed cache for one key at the start of every round, a cold key of that round (as after an expiry);
 * the loader takes {@link #LOAD_TIME}. With the cross-process lock (Cachet's default) it should run once per expiry;
 * the baseline is the same run with the lock off ({@code lockWait(0)}), where each process still loads once per round
 * through its own single flight.
 */
public final class CrossProcessStampede {
    /** JVMs in the suite's run (issue 6). */
    public static final int PROCESSES = 4;

    /** Threads per JVM in the suite's run. */
    public static final int THREADS = 16;

    /** Expiries (rounds) in the suite's run. */
    public static final int ROUNDS = 20;

    /** Time between rounds. */
    public static final Duration PERIOD = Duration.ofMillis(400);

    /** How long one load takes. */
    public static final Duration LOAD_TIME = Duration.ofMillis(50);

    private CrossProcessStampede() {}

    /**
     * Loads per round, with the lock and without.
     *
     * @param processes worker JVMs
     * @param threads threads per JVM
     * @param locked loads per round with the cross-process lock
     * @param unlocked loads per round with the lock off
     */
    public record Result(int processes, int threads, List<Long> locked, List<Long> unlocked) {
        /** Returns the mean loads per expiry with the lock. */
        public double lockedMean() {
            return locked.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        }

        /** Returns the mean loads per expiry without the lock. */
        public double unlockedMean() {
            return unlocked.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        }

        /** Returns the number of expiries. */
        public int rounds() {
            return locked.size();
        }
    }

    /** Builds each worker JVM's cache: Redis-backed, the lock on or off. Created by name in the workers. */
    public static final class RedisCaches implements StampedeHarness.CacheFactory {
        /** Called by name in each worker JVM. */
        public RedisCaches() {}

        @Override
        public Cache<String, String> create(String uri, boolean lockOn, Duration ttl) {
            // Generous timeouts: a JVM starting beside three others must not see a slow reply as an outage. The tier
            // lives as long as the worker JVM.
            RedisTier tier = RedisTier.connect(
                    uri,
                    RedisTierConfig.builder()
                            .connectTimeout(Duration.ofSeconds(2))
                            .socketTimeout(Duration.ofSeconds(2))
                            .build());
            RemoteConfig config = lockOn
                    ? RemoteConfig.ofDefaults()
                    : RemoteConfig.custom().lockWait(Duration.ZERO).build();
            return Cachet.builder("stampede")
                    .expireAfterWrite(ttl)
                    .hitRatioWarning(0, 1) // every round starts with a miss on purpose
                    .registry(CacheRegistry.create())
                    .remote(tier, Codec.string(), config)
                    .<String, String>build();
        }
    }

    /**
     * Runs the locked, then the unlocked stampede against the Redis at {@code uri}.
     *
     * @throws IllegalStateException if a worker fails, hangs or reports a problem (its output is in the message)
     */
    public static Result run(String uri, int processes, int threads, int rounds, Duration period)
            throws InterruptedException {
        StampedeHarness harness = StampedeHarness.builder(RedisCaches.class)
                .uri(uri)
                .processes(processes)
                .threads(threads)
                .rounds(rounds)
                .period(period)
                .loadTime(LOAD_TIME)
                .jvmOptions("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .build();
        List<Long> locked = harness.run(true).loadsPerRound();
        List<Long> unlocked = harness.run(false).loadsPerRound();
        return new Result(processes, threads, locked, unlocked);
    }
}
