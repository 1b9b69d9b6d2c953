package dev.cachet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.benchmarks.BeforeAfterReport.Figure;
import dev.cachet.benchmarks.BeforeAfterReport.Round;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BeforeAfterReportTest {
    private static final Figure FIGURE = new Figure("cachet", "caffeine", "Caffeine", "ops/µs", 1);

    private static Round round(double cachet, double baseline) {
        return new Round(Map.of("cachet", List.of(cachet, cachet), "caffeine", List.of(baseline, baseline)));
    }

    /** The machine ran twice as fast in the second round: pooled means would scatter, the paired ratio does not. */
    @Test
    void theRatioIsPairedByRoundSoThatDriftBetweenRoundsCancels() {
        String ratio = BeforeAfterReport.pairedRatio(FIGURE, List.of(round(9, 10), round(18, 20), round(4.5, 5)));

        assertThat(ratio).isEqualTo("0.90 [0.90, 0.90] (3 rounds)");
    }

    @Test
    void theRatioIsTheGeometricMeanOfTheRoundsWithA95PercentInterval() {
        // log ratios ln 2 and ln 0.5: geometric mean 1; t(0.975, 1) = 12.706, standard error ln 2.
        String ratio = BeforeAfterReport.pairedRatio(FIGURE, List.of(round(2, 1), round(1, 2)));

        double half = 12.7062047 * Math.log(2);
        assertThat(ratio)
                .isEqualTo(String.format(
                        java.util.Locale.ROOT, "1.00 [%.2f, %.2f] (2 rounds)", Math.exp(-half), Math.exp(half)));
    }

    @Test
    void aRoundWithoutTheBaselineIsLeftOut() {
        Round cachetOnly = new Round(Map.of("cachet", List.of(1.0, 1.0)));

        assertThat(BeforeAfterReport.pairedRatio(FIGURE, List.of(round(3, 4), cachetOnly)))
                .isEqualTo("0.75 (1 round)");
        assertThat(BeforeAfterReport.pairedRatio(FIGURE, List.of(cachetOnly))).isEqualTo("–");
    }

    @Test
    void theCellsPoolEachBenchmarkAndPairTheRatio() {
        assertThat(BeforeAfterReport.cells(FIGURE, List.of(round(9, 10), round(18, 20))))
                .startsWith(" 13.5 ± ")
                .contains("| 15.0 ± ")
                .endsWith("| 0.90 [0.90, 0.90] (2 rounds) |");
        assertThat(BeforeAfterReport.cells(FIGURE, List.of())).isEqualTo(" – | – | – |");
    }
}
