package dev.cachet.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheStats;
import dev.cachet.Cachet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * P3: hit ratios on real traces and on a synthetic Zipf stream. For each workload and cache size it replays the
 * requests against a Cachet cache, an {@link LruMap} of the same size, and computes {@link Belady}'s optimum, so a
 * reader sees both the gain over LRU and how much of the possible gain is taken.
 *
 * <p>Raw Caffeine with the same settings is replayed too, so a gap between Cachet and LRU can be told apart as the
 * policy's (Caffeine's W-TinyLFU) or the facade's.
 *
 * <p>The Cachet cache runs Caffeine's maintenance on the calling thread ({@code executor(Runnable::run)}) and the
 * harness calls {@link Cache#cleanUp()} after every request, as the traces' README advises, so each replay is
 * deterministic apart from Caffeine's deliberate admission jitter (1 in 128 for keys with a high estimated frequency).
 * Cold misses count as misses for all three.
 */
public final class HitRatioHarness {
    /** The traces and sizes of the report: file stem and the three cache sizes for it. */
    public static final List<TraceSpec> TRACES = List.of(
            new TraceSpec("multi2", List.of(256, 512, 1024)),
            new TraceSpec("gli", List.of(500, 1000, 2000)),
            new TraceSpec("sprite", List.of(500, 1000, 2000)));

    /** The synthetic workload of the report: 300,000 Zipf ({@code s = 1}) requests over 100,000 keys. */
    public static final ZipfSpec ZIPF = new ZipfSpec(100_000, 1.0, 300_000, List.of(500, 1000, 2000));

    private HitRatioHarness() {}

    /**
     * A trace file ({@code <name>.trace.gz}) and the cache sizes to replay it at.
     *
     * @param name the file's stem, also the workload's name in the report
     * @param sizes cache sizes, in entries
     */
    public record TraceSpec(String name, List<Integer> sizes) {}

    /**
     * A synthetic Zipf workload.
     *
     * @param keySpace distinct keys
     * @param exponent Zipf exponent
     * @param requests requests drawn
     * @param sizes cache sizes, in entries
     */
    public record ZipfSpec(int keySpace, double exponent, int requests, List<Integer> sizes) {
        /** Returns the workload's name in the report, such as {@code zipf-1.0}. */
        public String name() {
            return "zipf-" + exponent;
        }

        int[] trace() {
            return ZipfKeys.sample(keySpace, exponent, requests, 42);
        }
    }

    /**
     * The hit ratios of one workload at one cache size, each in {@code [0, 1]}.
     *
     * @param workload the trace's or synthetic workload's name
     * @param size the cache size, in entries
     * @param requests requests replayed
     * @param cachet Cachet's hit ratio
     * @param caffeine raw Caffeine's hit ratio, same size and settings: tells the facade from the policy
     * @param lru the LRU's hit ratio
     * @param belady the optimum's hit ratio
     */
    public record Result(
            String workload, int size, int requests, double cachet, double caffeine, double lru, double belady) {
        /** Returns Cachet's hit ratio divided by LRU's; infinite when LRU never hit and Cachet did. */
        public double ratio() {
            return cachet / lru;
        }

        /** Returns the share of the possible gain over LRU that Cachet took: 1 means it matched the optimum. */
        public double shareOfPossibleGain() {
            double possible = belady - lru;
            return possible <= 0 ? Double.NaN : (cachet - lru) / possible;
        }
    }

    /**
     * Replays the Zipf workload and every trace found in {@code tracesDir} at their sizes. A missing trace file is
     * skipped (the report says which ran).
     */
    public static List<Result> run(Optional<Path> tracesDir, List<TraceSpec> traces, ZipfSpec zipf) {
        List<Result> results = new ArrayList<>();
        if (tracesDir.isPresent()) {
            for (TraceSpec spec : traces) {
                Path file = tracesDir.get().resolve(spec.name() + ".trace.gz");
                if (Files.isRegularFile(file)) {
                    int[] trace = Traces.read(file);
                    for (int size : spec.sizes()) {
                        results.add(measure(spec.name(), trace, size));
                    }
                }
            }
        }
        int[] trace = zipf.trace();
        for (int size : zipf.sizes()) {
            results.add(measure(zipf.name(), trace, size));
        }
        return results;
    }

    /** Replays {@code trace} against all three caches of {@code size} entries. */
    public static Result measure(String workload, int[] trace, int size) {
        return new Result(
                workload,
                size,
                trace.length,
                cachetHitRatio(trace, size),
                caffeineHitRatio(trace, size),
                lruHitRatio(trace, size),
                Belady.hitRatio(trace, size));
    }

    /** Returns the hit ratio of a Cachet cache of {@code maximumSize} entries on {@code trace}. */
    static double cachetHitRatio(int[] trace, int maximumSize) {
        Cache<Integer, Integer> cache = Cachet.builder("p3-hit-ratio")
                .maximumSize(maximumSize)
                .executor(Runnable::run)
                .hitRatioWarning(0, 1) // low hit ratios are the point here, not a problem to log
                .registry(CacheRegistry.create())
                .build();
        for (int key : trace) {
            cache.get(key, Function.identity());
            cache.cleanUp();
        }
        if (cache.estimatedSize() > maximumSize) {
            throw new IllegalStateException(
                    "Cachet cache holds " + cache.estimatedSize() + " entries, over its bound " + maximumSize);
        }
        CacheStats stats = cache.stats();
        if (stats.requestCount() != trace.length) {
            throw new IllegalStateException(
                    "Cachet counted " + stats.requestCount() + " requests for a trace of " + trace.length);
        }
        return stats.hitRatio();
    }

    /** Returns the hit ratio of raw Caffeine with Cachet's settings: same bound, same executor, same cleanUp. */
    static double caffeineHitRatio(int[] trace, int maximumSize) {
        com.github.benmanes.caffeine.cache.Cache<Integer, Integer> cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .executor(Runnable::run)
                .recordStats()
                .build();
        for (int key : trace) {
            var unused = cache.get(key, Function.identity());
            cache.cleanUp();
        }
        return cache.stats().hitRate();
    }

    /** Returns the hit ratio of an LRU cache of {@code capacity} entries on {@code trace}. */
    static double lruHitRatio(int[] trace, int capacity) {
        LruMap<Integer, Boolean> lru = new LruMap<>(capacity);
        long hits = 0;
        for (int key : trace) {
            if (lru.get(key) != null) {
                hits++;
            } else {
                lru.put(key, Boolean.TRUE);
            }
        }
        return trace.length == 0 ? 0 : (double) hits / trace.length;
    }
}
