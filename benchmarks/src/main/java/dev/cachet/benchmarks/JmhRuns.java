package dev.cachet.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.ListStatistics;

/**
 * The JMH configurations of the suite and of the smoke test, and a runner that returns scores by benchmark name.
 * Scores are throughput in operations per microsecond (millions per second).
 */
public final class JmhRuns {
    /** The secondary result of JMH's GC profiler that holds bytes allocated per operation. */
    public static final String ALLOCATED_BYTES_PER_OP = "gc.alloc.rate.norm";

    /** The in-process hit benchmarks: P1, P2, and P9 under the GC profiler. */
    private static final Class<?>[] BENCHMARKS = {CacheHitBenchmark.class, MemoizedHitBenchmark.class};

    /** The Redis hit benchmarks (P6, P7); each trial starts its own redis-server. */
    private static final Class<?>[] REDIS_BENCHMARKS = {RedisHitBenchmark.class};

    private JmhRuns() {}

    /**
     * Warm-up iterations of 1 s per fork. Four, not three: on a busy 2-core machine C2 was seen still settling in the
     * third second.
     */
    public static final int WARMUP_ITERATIONS = 4;

    /**
     * Measured iterations of 1 s per fork in the throughput runs; the suite runs {@link BenchmarkSuite#JMH_ROUNDS}
     * forks of each, so each figure pools that many times more.
     */
    public static final int MEASUREMENT_ITERATIONS = 4;

    /** Measured iterations of 1 s in the allocation run (P9): bytes per operation hardly vary. */
    public static final int ALLOCATION_MEASUREMENT_ITERATIONS = 3;

    /** Silences the low-hit-ratio WARN that every pre-fill (all misses, by design) would log in each fork. */
    static final String QUIET_HIT_RATIO_LOG = "-Dorg.slf4j.simpleLogger.log.dev.cachet.HitRatio=error";

    /**
     * One benchmark's figures: the mean over all measured iterations with JMH's 99.9 % confidence half-width (NaN
     * with a single iteration), and likewise for the bytes allocated per operation (NaN without the GC profiler).
     *
     * @param score mean throughput, ops/µs
     * @param error its 99.9 % confidence half-width
     * @param bytesPerOp mean bytes allocated per operation
     * @param bytesPerOpError its 99.9 % confidence half-width
     */
    public record Score(double score, double error, double bytesPerOp, double bytesPerOpError) {}

    /**
     * The measured iterations of one benchmark, possibly from several forks run at different times; {@link #score()}
     * pools them as JMH pools the iterations of its forks.
     *
     * @param throughput ops/µs of each measured iteration
     * @param bytesPerOp bytes per operation of each iteration; empty without the GC profiler
     */
    public record Samples(List<Double> throughput, List<Double> bytesPerOp) {
        /** Returns these iterations followed by {@code other}'s. */
        public Samples plus(Samples other) {
            List<Double> ops = new ArrayList<>(throughput);
            ops.addAll(other.throughput);
            List<Double> bytes = new ArrayList<>(bytesPerOp);
            bytes.addAll(other.bytesPerOp);
            return new Samples(List.copyOf(ops), List.copyOf(bytes));
        }

        /** Returns the pooled mean and confidence half-width of the iterations. */
        public Score score() {
            ListStatistics ops = statistics(throughput);
            ListStatistics bytes = statistics(bytesPerOp);
            return new Score(
                    ops.getMean(),
                    ops.getMeanErrorAt(0.999),
                    bytesPerOp.isEmpty() ? Double.NaN : bytes.getMean(),
                    bytesPerOp.isEmpty() ? Double.NaN : bytes.getMeanErrorAt(0.999));
        }

        private static ListStatistics statistics(List<Double> values) {
            ListStatistics statistics = new ListStatistics();
            values.forEach(statistics::addValue);
            return statistics;
        }
    }

    /** Returns {@code rounds} merged benchmark by benchmark, each benchmark's samples in round order. */
    public static Map<String, Samples> merge(List<Map<String, Samples>> rounds) {
        Map<String, Samples> merged = new LinkedHashMap<>();
        for (Map<String, Samples> round : rounds) {
            round.forEach((name, samples) -> merged.merge(name, samples, Samples::plus));
        }
        return merged;
    }

    /** Returns the pooled score of each benchmark. */
    public static Map<String, Score> scores(Map<String, Samples> samples) {
        Map<String, Score> scores = new LinkedHashMap<>();
        samples.forEach((name, s) -> scores.put(name, s.score()));
        return scores;
    }

    /**
     * Returns the suite's throughput run: every hit benchmark, one fork, {@value #WARMUP_ITERATIONS} × 1 s
     * warm-up, {@value #MEASUREMENT_ITERATIONS} × 1 s measurement.
     *
     * @param jsonResult where JMH writes its raw results
     */
    public static Options throughput(int threads, Path jsonResult) {
        return common(BENCHMARKS)
                .include(includes(REDIS_BENCHMARKS))
                .forks(1)
                .warmupIterations(WARMUP_ITERATIONS)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(MEASUREMENT_ITERATIONS)
                .measurementTime(TimeValue.seconds(1))
                .threads(threads)
                .jvmArgsAppend("-Xms1g", "-Xmx1g", QUIET_HIT_RATIO_LOG)
                .resultFormat(ResultFormatType.JSON)
                .result(jsonResult.toString())
                .build();
    }

    /**
     * Returns the suite's allocation run (P9): every hit benchmark on one thread under the GC profiler, one fork, the
     * same warm-up, {@value #ALLOCATION_MEASUREMENT_ITERATIONS} × 1 s measurement.
     */
    public static Options allocation(Path jsonResult) {
        return common(BENCHMARKS)
                .forks(1)
                .warmupIterations(WARMUP_ITERATIONS)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(ALLOCATION_MEASUREMENT_ITERATIONS)
                .measurementTime(TimeValue.seconds(1))
                .threads(1)
                .jvmArgsAppend("-Xms1g", "-Xmx1g", QUIET_HIT_RATIO_LOG)
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(jsonResult.toString())
                .build();
    }

    /** Returns the smoke configuration: in-process, no warm-up, one 100 ms iteration per benchmark. */
    public static Options smoke() {
        return smoke(BENCHMARKS);
    }

    /**
     * Returns the smoke configuration of the Redis benchmarks (P6, P7): in-process, no warm-up, one 100 ms iteration
     * each; needs {@code redis-server} on the {@code PATH}.
     */
    public static Options smokeRedis() {
        return smoke(REDIS_BENCHMARKS);
    }

    private static Options smoke(Class<?>... benchmarks) {
        return common(benchmarks)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .threads(1)
                .build();
    }

    private static ChainedOptionsBuilder common(Class<?>... benchmarks) {
        ChainedOptionsBuilder builder = new OptionsBuilder()
                .mode(Mode.Throughput)
                .timeUnit(TimeUnit.MICROSECONDS)
                .shouldFailOnError(true);
        builder.include(includes(benchmarks));
        return builder;
    }

    /** Returns a pattern matching the benchmark methods of {@code benchmarks}. */
    private static String includes(Class<?>... benchmarks) {
        List<String> patterns = new ArrayList<>();
        for (Class<?> benchmark : benchmarks) {
            patterns.add("^" + Pattern.quote(benchmark.getName()) + "\\.");
        }
        return String.join("|", patterns);
    }

    /**
     * Runs {@code options} and returns each benchmark's measured iterations, keyed by {@code SimpleClassName.method},
     * in run order.
     *
     * @throws IllegalStateException if JMH fails
     */
    public static Map<String, Samples> run(Options options) {
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH run failed", e);
        }
        Map<String, Samples> samples = new LinkedHashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            List<Double> throughput = new ArrayList<>();
            List<Double> bytesPerOp = new ArrayList<>();
            for (BenchmarkResult fork : result.getBenchmarkResults()) {
                for (IterationResult iteration : fork.getIterationResults()) {
                    throughput.add(iteration.getPrimaryResult().getScore());
                    Result<?> allocated = iteration.getSecondaryResults().get(ALLOCATED_BYTES_PER_OP);
                    if (allocated != null) {
                        bytesPerOp.add(allocated.getScore());
                    }
                }
            }
            samples.put(name, new Samples(List.copyOf(throughput), List.copyOf(bytesPerOp)));
        }
        return samples;
    }
}
