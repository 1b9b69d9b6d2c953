package dev.cachet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.benchmarks.environment.MachineInfo;
import dev.cachet.benchmarks.environment.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmarks' smoke mode for CI: every benchmark and harness runs once with a tiny configuration, in seconds, to
 * prove it still runs and produces sane figures. No timing assertions: the real numbers come from {@code run.sh}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS) // JMH forks and worker JVMs: up to 6 s a test on an idle machine
class SmokeTest {

    @Test
    void everyJmhBenchmarkRunsInProcessAndScores() {
        Map<String, JmhRuns.Score> scores = JmhRuns.scores(JmhRuns.run(JmhRuns.smoke()));

        assertThat(scores)
                .containsOnlyKeys(
                        "CacheHitBenchmark.cachet",
                        "CacheHitBenchmark.caffeine",
                        "MemoizedHitBenchmark.memoized",
                        "MemoizedHitBenchmark.caffeine",
                        "MemoizedHitBenchmark.lru");
        scores.forEach((name, score) -> assertThat(score.score()).as(name).isPositive());
    }

    @Test
    void redisJmhBenchmarksRunInProcessAndScore() {
        requireRedisServer();

        Map<String, JmhRuns.Score> scores = JmhRuns.scores(JmhRuns.run(JmhRuns.smokeRedis()));

        assertThat(scores)
                .containsOnlyKeys(
                        "RedisHitBenchmark.redisTier", "RedisHitBenchmark.jedisGet", "RedisHitBenchmark.nearTier");
        scores.forEach((name, score) -> assertThat(score.score()).as(name).isPositive());
    }

    @Test
    void redisKeyLayoutIsTheTiers() {
        assertThat(RedisHitBenchmark.redisKey("bench", "k42")).isEqualTo("cachet:5:bench:{s:k42}");
    }

    @Test
    void theCrossProcessLockLoadsOncePerExpiry() throws InterruptedException {
        requireRedisServer();

        CrossProcessStampede.Result result;
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            result = CrossProcessStampede.run(redis.uri(), 2, 4, 3, Duration.ofMillis(400));
        }

        assertThat(result.locked()).containsExactly(1L, 1L, 1L);
        assertThat(result.unlocked())
                .hasSize(3)
                .allSatisfy(loads -> assertThat(loads).isBetween(1L, 2L));
    }

    /** Fails under {@code CI=true}, aborts elsewhere, when redis-server cannot be run: never a silent skip in CI. */
    private static void requireRedisServer() {
        if (RedisServerProcess.available()) {
            return;
        }
        String message = RedisServerProcess.EXECUTABLE + " is not on the PATH: the Redis figures (P5-P7) need it"
                + " (e.g. apt-get install redis-server)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true, so this fails instead of being skipped");
        }
        Assumptions.abort(message);
    }

    @Test
    void hitRatiosAreFractionsAndBeladyIsTheCeiling() {
        // Zipf always; one trace (the smallest) only where the traces directory exists, as on CI and dev machines.
        Optional<Path> traces = Traces.directory();
        List<HitRatioHarness.TraceSpec> gliOnly = List.of(new HitRatioHarness.TraceSpec("gli", List.of(500)));
        HitRatioHarness.ZipfSpec zipf = new HitRatioHarness.ZipfSpec(10_000, 1.0, 20_000, List.of(100, 400));

        List<HitRatioHarness.Result> results = HitRatioHarness.run(traces, gliOnly, zipf);

        assertThat(results).hasSize(traces.isPresent() ? 3 : 2);
        for (HitRatioHarness.Result r : results) {
            assertThat(List.of(r.cachet(), r.caffeine(), r.lru(), r.belady()))
                    .as(r.toString())
                    .allSatisfy(ratio -> assertThat(ratio).isBetween(0.0, 1.0));
            assertThat(r.belady()).as(r.toString()).isGreaterThanOrEqualTo(r.cachet());
            assertThat(r.belady()).as(r.toString()).isGreaterThanOrEqualTo(r.lru());
        }
    }

    @Test
    void cachetLoadsOncePerExpiryWhileTheMapBaselineRuns() throws InterruptedException {
        LoadsPerExpiryHarness.Result result = LoadsPerExpiryHarness.run(BenchmarkSuite.P4_THREADS, 3);

        assertThat(result.cachetLoads()).containsExactly(1, 1, 1);
        assertThat(result.mapLoads())
                .hasSize(3)
                .allSatisfy(loads -> assertThat(loads).isBetween(1, BenchmarkSuite.P4_THREADS));
    }

    @Test
    void beladyIsOptimalOnASmallTrace() {
        // a b c a b d a: with 2 slots the optimum keeps a throughout, and b until its reuse: 3 hits of 7.
        int[] trace = {0, 1, 2, 0, 1, 3, 0};

        assertThat(Belady.hitRatio(trace, 2)).isEqualTo(3.0 / 7);
        assertThat(HitRatioHarness.lruHitRatio(trace, 2)).isZero();
    }

    @Test
    void reportAndChartAreWrittenFromSmallResults(@org.junit.jupiter.api.io.TempDir Path dir) {
        JmhRuns.Score score = new JmhRuns.Score(10, 1, 0.0, 0.0);
        Map<String, JmhRuns.Score> run = Map.of(
                "CacheHitBenchmark.cachet", score,
                "CacheHitBenchmark.caffeine", score,
                "MemoizedHitBenchmark.memoized", score,
                "MemoizedHitBenchmark.caffeine", score,
                "MemoizedHitBenchmark.lru", score,
                "RedisHitBenchmark.redisTier", score,
                "RedisHitBenchmark.jedisGet", score,
                "RedisHitBenchmark.nearTier", new JmhRuns.Score(2000, 10, 0.0, 0.0));
        HitRatioHarness.Result hit = new HitRatioHarness.Result("multi2", 512, 100, 0.5, 0.5, 0.4, 0.55);
        SuiteResults results = new SuiteResults(
                MachineInfo.current(),
                run,
                run,
                run,
                List.of(hit),
                List.of(new SuiteResults.Sanity(hit, 36.37, 48.86, 53.85)),
                "traces",
                new LoadsPerExpiryHarness.Result(64, List.of(1, 1), List.of(60, 64)),
                new CrossProcessStampede.Result(4, 16, List.of(1L, 1L), List.of(4L, 3L)),
                new HeapPerEntryHarness.Measurement(HeapPerEntryHarness.Variant.CACHET, 1000, 100, 40),
                new HeapPerEntryHarness.Measurement(HeapPerEntryHarness.Variant.CAFFEINE, 1000, 95, 40),
                "0.1 / 0.1 / 0.1 at start, 0.2 / 0.1 / 0.1 at end",
                java.time.Duration.ofSeconds(1));

        ResultsReport.writeMarkdown(results, dir.resolve("RESULTS.md"));
        ResultsReport.writeCsv(results, dir.resolve("results.csv"));
        ResultsChart.write(results, dir.resolve("results.png"));

        assertThat(dir.resolve("RESULTS.md"))
                .content()
                .contains("| P1 |", "| P5 |", "| P6 |", "| P7 |", "| P8 |", "multi2");
        assertThat(dir.resolve("results.csv"))
                .content()
                .hasLineCount(1 + results.figures().size());
        assertThat(dir.resolve("results.png")).isNotEmptyFile();
    }
}
