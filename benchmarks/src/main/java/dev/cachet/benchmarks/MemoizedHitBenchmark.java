package dev.cachet.benchmarks;

import dev.cachet.Cachet;
import dev.cachet.Memoized;
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
 * P2 (and P9 under {@code -prof gc}): a hit of {@link Memoized#apply} against two ways of memoising by hand: raw
 * Caffeine's {@code get(key, fn)} (bounded, recording statistics, like the memo) and a {@code synchronized},
 * access-ordered {@link LruMap} — the equivalent of Python's {@code functools.lru_cache}. All three hold at most
 * {@link HitWorkload#BOUND} results and are filled by computing every key through their own miss path, then compacted
 * by a full GC, so every measured call is a hit; the teardown fails the run otherwise. Each lives in its own state, so
 * a fork builds only the memo it measures.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", JmhRuns.QUIET_HIT_RATIO_LOG})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 4, time = 1)
public class MemoizedHitBenchmark {

    /** Cachet's memoised function with every argument remembered. */
    @State(Scope.Benchmark)
    public static class CachetMemo {
        Memoized<Integer, String> memo;
        private long missesAfterFill;

        /** Builds the memo and computes every key. */
        @Setup(Level.Trial)
        public void fill() {
            memo = Cachet.memoize(HitWorkload.VALUE, HitWorkload.BOUND);
            for (Integer key : HitWorkload.allKeys()) {
                memo.apply(key);
            }
            HitWorkload.compactHeap();
            missesAfterFill = memo.stats().misses();
        }

        /** Fails the trial if a measured call missed. */
        @TearDown(Level.Trial)
        public void checkAllHits() {
            HitWorkload.requireNoMisses("memoized", memo.stats().misses() - missesAfterFill);
        }
    }

    /** Raw Caffeine used as a memo, every key computed through {@code get(key, fn)}, as the memo computes them. */
    @State(Scope.Benchmark)
    public static class CaffeineMemo {
        com.github.benmanes.caffeine.cache.Cache<Integer, String> cache;
        private long missesAfterFill;

        /** Builds and fills the cache. */
        @Setup(Level.Trial)
        public void fill() {
            cache = HitWorkload.filledCaffeine(true);
            missesAfterFill = cache.stats().missCount();
        }

        /** Fails the trial if a measured call missed. */
        @TearDown(Level.Trial)
        public void checkAllHits() {
            HitWorkload.requireNoMisses("caffeine", cache.stats().missCount() - missesAfterFill);
        }
    }

    /** The {@code lru_cache} equivalent: one lock around an access-ordered {@code LinkedHashMap}. */
    @State(Scope.Benchmark)
    public static class SynchronizedLru {
        private final LruMap<Integer, String> map = new LruMap<>(HitWorkload.BOUND);
        private long misses;

        /** Computes every key. */
        @Setup(Level.Trial)
        public void fill() {
            for (Integer key : HitWorkload.allKeys()) {
                apply(key);
            }
            HitWorkload.compactHeap();
            synchronized (map) {
                misses = 0;
            }
        }

        /** Returns the remembered value of {@code key}, computing it on a miss. */
        String apply(Integer key) {
            synchronized (map) {
                String value = map.get(key);
                if (value == null) {
                    misses++;
                    value = HitWorkload.VALUE.apply(key);
                    map.put(key, value);
                }
                return value;
            }
        }

        /** Fails the trial if a measured call missed. */
        @TearDown(Level.Trial)
        public void checkAllHits() {
            synchronized (map) {
                HitWorkload.requireNoMisses("lru", misses);
            }
        }
    }

    /** Cachet's memoised function on a remembered argument. */
    @Benchmark
    public String memoized(CachetMemo state, KeyCursor cursor) {
        return state.memo.apply(cursor.next());
    }

    /** Raw Caffeine used as a memo: {@code get(key, fn)} on a present key. */
    @Benchmark
    public String caffeine(CaffeineMemo state, KeyCursor cursor) {
        return state.cache.get(cursor.next(), HitWorkload.VALUE);
    }

    /** The {@code lru_cache} equivalent on a remembered argument. */
    @Benchmark
    public String lru(SynchronizedLru state, KeyCursor cursor) {
        return state.apply(cursor.next());
    }
}
