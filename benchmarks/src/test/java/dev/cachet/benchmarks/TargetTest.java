package dev.cachet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the report judges a figure against its target. */
class TargetTest {

    @Test
    void allocationNoiseBelowTheReportsPrecisionDoesNotMissANoExtraBytesTarget() {
        Target none = Target.differenceAtMost(0, true);

        assertThat(allocation(0.0004, 0.0001, none).met()).isTrue();
        assertThat(allocation(0.0004, 0.0001, none).withinError()).isFalse();
        assertThat(allocation(16.0, 0.0, none).met()).isFalse();
    }

    @Test
    void ratiosAreJudgedOnThePointEstimateAndFlaggedWhenTheTargetIsWithinError() {
        Target atLeast = Target.ratioAtLeast(0.95, true);
        Figure close = new Figure("P1", "get", "ops/µs", 9.2, 0.5, "Caffeine", 10, 0.5, atLeast);
        Figure far = new Figure("P1", "get", "ops/µs", 5, 0.1, "Caffeine", 10, 0.1, atLeast);

        assertThat(close.met()).isFalse();
        assertThat(close.withinError()).isTrue();
        assertThat(far.met()).isFalse();
        assertThat(far.withinError()).isFalse();
        assertThat(new Figure(
                                "P8",
                                "heap",
                                "B",
                                81.9,
                                Double.NaN,
                                "Caffeine",
                                81.7,
                                Double.NaN,
                                Target.ratioAtMost(1.15, true))
                        .met())
                .isTrue();
    }

    private static Figure allocation(double cachetBytes, double baselineBytes, Target target) {
        return new Figure("P9", "get", "B/op", cachetBytes, 0.001, "Caffeine", baselineBytes, 0.001, target);
    }
}
