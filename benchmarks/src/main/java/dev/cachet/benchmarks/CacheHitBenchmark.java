package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P1 (and P9 under {@code -prof gc}): the hit path of {@link Cache#get(Object, java.util.function.Function)} against
 * raw Caffeine's {@code get(key, fn)}. Both are bounded to {@link HitWorkload#BOUND} and both record statistics
 * (Cachet always does, so the raw cache is built with {@code recordStats()}); both are pre-filled with every key of the
 * Zipf workload, so every measured call is a hit. The teardown fails the run if any measured call missed.
 *
 * <p>Each cache lives in its own state, so a fork builds only the cache it measures, and both are filled the same way
 * and then compacted by a full GC: neither gets a luckier memory layout than the other.
 *
 * <p>Run with 1 and 2 threads ({@code -t 1}, {@code -t 2}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", JmhRuns.QUIET_HIT_RATIO_LOG})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 4, time = 1)
public class CacheHitBenchmark {

    /** A Cachet cache with default settings and every key present. */
    @State(Scope.Benchmark)
    public static class CachetCache {
        Cache<Integer, String> cache;
        private long missesAfterFill;

        /** Builds and fills the cache. */
        @Setup(Level.Trial)
        public void fill() {
            cache = Cachet.builder("bench-p1")
                    .maximumSize(HitWorkload.BOUND)
                    .registry(CacheRegistry.create())
                    .build();
            for (Integer key : HitWorkload.allKeys()) {
                cache.put(key, HitWorkload.VALUE.apply(key));
            }
            cache.cleanUp();
            HitWorkload.compactHeap();
            missesAfterFill = cache.stats().missCount();
        }

        /** Fails the trial if a measured lookup missed: this benchmark measures hits only. */
        @TearDown(Level.Trial)
        public void checkAllHits() {
            HitWorkload.requireNoMisses("cachet", cache.stats().missCount() - missesAfterFill);
        }
    }

    /** Raw Caffeine with the same bound, recording statistics, and every key present. */
    @State(Scope.Benchmark)
    public static class CaffeineCache {
        com.github.benmanes.caffeine.cache.Cache<Integer, String> cache;
        private long missesAfterFill;

        /** Builds and fills the cache. */
        @Setup(Level.Trial)
        public void fill() {
            cache = HitWorkload.filledCaffeine();
            missesAfterFill = cache.stats().missCount();
        }

        /** Fails the trial if a measured lookup missed. */
        @TearDown(Level.Trial)
        public void checkAllHits() {
            HitWorkload.requireNoMisses("caffeine", cache.stats().missCount() - missesAfterFill);
        }
    }

    /** Cachet's {@code get(key, loader)} on a present key. */
    @Benchmark
    public String cachet(CachetCache state, KeyCursor cursor) {
        return state.cache.get(cursor.next(), HitWorkload.VALUE);
    }

    /** Raw Caffeine's {@code get(key, fn)} on a present key. */
    @Benchmark
    public String caffeine(CaffeineCache state, KeyCursor cursor) {
        return state.cache.get(cursor.next(), HitWorkload.VALUE);
    }
}
