package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.Copier;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * A diagnostic, not part of the report: takes the P1 hit path apart to show where Cachet's time goes relative to raw
 * Caffeine. Each variant adds one ingredient of Cachet's {@code get}: the lookup method Cachet uses ({@code
 * getIfPresent}), the default copier on the looked-up value, the facade without copying, the whole facade. Run it
 * with {@code ./jmh.sh HitPathBreakdownBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", JmhRuns.QUIET_HIT_RATIO_LOG})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 4, time = 1)
public class HitPathBreakdownBenchmark {
    private static final Copier<String> DEFENSIVE = Copier.defensive();

    /** Raw Caffeine, bounded and recording statistics, every key present. */
    @State(Scope.Benchmark)
    public static class RawCaffeine {
        com.github.benmanes.caffeine.cache.Cache<Integer, String> cache;

        /** Builds and fills the cache. */
        @Setup(Level.Trial)
        public void fill() {
            cache = HitWorkload.filledCaffeine();
        }
    }

    /** A Cachet cache that copies nothing ({@code Copier.identity()}), every key present. */
    @State(Scope.Benchmark)
    public static class CachetIdentity {
        Cache<Integer, String> cache;

        /** Builds and fills the cache. */
        @Setup(Level.Trial)
        public void fill() {
            cache = Cachet.builder("breakdown-identity")
                    .maximumSize(HitWorkload.BOUND)
                    .copier(Copier.<String>identity())
                    .registry(CacheRegistry.create())
                    .build();
            for (Integer key : HitWorkload.allKeys()) {
                cache.put(key, HitWorkload.VALUE.apply(key));
            }
            cache.cleanUp();
            HitWorkload.compactHeap();
        }
    }

    /** Raw Caffeine {@code get(key, fn)}: the P1 baseline. */
    @Benchmark
    public String caffeineGet(RawCaffeine state, KeyCursor cursor) {
        return state.cache.get(cursor.next(), HitWorkload.VALUE);
    }

    /** Raw Caffeine {@code getIfPresent}: the lookup Cachet's hit path makes. */
    @Benchmark
    public String caffeineGetIfPresent(RawCaffeine state, KeyCursor cursor) {
        return state.cache.getIfPresent(cursor.next());
    }

    /** Raw Caffeine {@code getIfPresent} followed by the default copier: Cachet's hit path without the facade. */
    @Benchmark
    public String caffeineGetIfPresentThenCopy(RawCaffeine state, KeyCursor cursor) {
        String value = state.cache.getIfPresent(cursor.next());
        return value == null ? null : DEFENSIVE.copy(value);
    }

    /** Cachet with {@code Copier.identity()}: the facade without copying. */
    @Benchmark
    public String cachetIdentityCopier(CachetIdentity state, KeyCursor cursor) {
        return state.cache.get(cursor.next(), HitWorkload.VALUE);
    }

    /** Cachet with its default copier, exactly as in P1. */
    @Benchmark
    public String cachetDefaultCopier(CacheHitBenchmark.CachetCache state, KeyCursor cursor) {
        return state.cache.get(cursor.next(), HitWorkload.VALUE);
    }
}
