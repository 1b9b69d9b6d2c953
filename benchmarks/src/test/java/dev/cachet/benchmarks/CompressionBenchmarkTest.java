package dev.cachet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.benchmarks.environment.MachineInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link CompressionBenchmark} in smoke mode, and its section of RESULTS.md surviving the ratio report's rewrite. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CompressionBenchmarkTest {

    @Test
    void everyBenchmarkRunsInProcessAndScores() {
        Map<String, JmhRuns.Score> scores = JmhRuns.scores(JmhRuns.run(CompressionBenchmark.smokeOptions()));

        assertThat(scores)
                .containsOnlyKeys(
                        "CompressionBenchmark.encodeJson",
                        "CompressionBenchmark.encodeCompressed",
                        "CompressionBenchmark.decodeJson",
                        "CompressionBenchmark.decodeCompressed");
        scores.forEach((name, score) -> assertThat(score.score()).as(name).isPositive());
    }

    @Test
    void theValueIsOneHundredRecordsThatCompressAndRoundTrip() {
        CompressionBenchmark state = new CompressionBenchmark();
        state.setUp();

        assertThat(state.value).hasSize(100).isEqualTo(CompressionBenchmark.trades(100));
        assertThat(state.decodeJson()).isEqualTo(state.value);
        assertThat(state.decodeCompressed()).isEqualTo(state.value);
        CompressionBenchmark.Sizes sizes = CompressionBenchmark.sizes();
        assertThat(sizes.jsonBytes()).isGreaterThan(5_000);
        assertThat(sizes.ratio()).isGreaterThan(1.5);
    }

    @Test
    void theSectionIsReplacedInPlaceAndKeptWhenTheRatioReportIsRewritten(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("RESULTS.md");
        Files.writeString(results, "# Cachet benchmark results\n\nold report\n", StandardCharsets.UTF_8);
        CompressionBenchmark.Sizes sizes = new CompressionBenchmark.Sizes(7_000, 2_000);
        Map<String, JmhRuns.Score> first = Map.of(
                "CompressionBenchmark.encodeJson", new JmhRuns.Score(40, 1, 0, 0),
                "CompressionBenchmark.encodeCompressed", new JmhRuns.Score(48, 1, 0, 0),
                "CompressionBenchmark.decodeJson", new JmhRuns.Score(70, 2, 0, 0),
                "CompressionBenchmark.decodeCompressed", new JmhRuns.Score(75, 2, 0, 0));

        CompressionBenchmark.writeSection(results, CompressionBenchmark.section(sizes, first, "Test machine."));
        CompressionBenchmark.writeSection(results, CompressionBenchmark.section(sizes, first, "Second run."));

        String text = Files.readString(results, StandardCharsets.UTF_8);
        assertThat(text)
                .contains("old report", ResultsReport.KEPT_SECTIONS_MARKER, "Second run.")
                .contains("| size of one value | 7,000 B | 2,000 B | 3.50× smaller |")
                .contains("| encode (write) | 40.0 ± 1.0 µs | 48.0 ± 1.0 µs | +8.0 µs (1.20×) |")
                .doesNotContain("Test machine.");
        assertThat(text.split(CompressionBenchmark.SECTION_BEGIN, -1)).hasSize(2);

        ResultsReport.writeMarkdown(smallSuiteResults(), results);

        String rewritten = Files.readString(results, StandardCharsets.UTF_8);
        assertThat(rewritten)
                .doesNotContain("old report")
                .contains(
                        "| P1 |", ResultsReport.KEPT_SECTIONS_MARKER, "Second run.", CompressionBenchmark.SECTION_END);
        assertThat(rewritten.substring(rewritten.indexOf(ResultsReport.KEPT_SECTIONS_MARKER)))
                .isEqualTo(text.substring(text.indexOf(ResultsReport.KEPT_SECTIONS_MARKER)));
        assertThat(List.of(rewritten.split(ResultsReport.KEPT_SECTIONS_MARKER, -1)))
                .hasSize(2);
    }

    /** Small made-up results of the ratio report's suite, as SmokeTest's report test uses. */
    private static SuiteResults smallSuiteResults() {
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
        return new SuiteResults(
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
    }
}
