package dev.cachet.benchmarks;

/**
 * One line of the report: a Cachet figure and its baseline, measured side by side in the same run, and the target
 * their ratio (or difference) should meet.
 *
 * @param id the figure's number in issue 6, such as {@code P1}
 * @param label what was measured, such as {@code get hit, 1 thread}
 * @param unit the unit of {@code cachet} and {@code baseline}
 * @param cachet Cachet's figure
 * @param cachetError its error (JMH's 99.9 % confidence half-width), NaN when there is none
 * @param baselineName what Cachet is compared with
 * @param baseline the baseline's figure
 * @param baselineError its error, NaN when there is none
 * @param target what the comparison should reach
 */
public record Figure(
        String id,
        String label,
        String unit,
        double cachet,
        double cachetError,
        String baselineName,
        double baseline,
        double baselineError,
        Target target) {

    /** Returns Cachet ÷ baseline. */
    public double ratio() {
        return cachet / baseline;
    }

    /** Returns the error of {@link #ratio()}, from the relative errors of both figures; NaN without errors. */
    public double ratioError() {
        double relative = Math.hypot(cachetError / cachet, baselineError / baseline);
        return Math.abs(ratio()) * relative;
    }

    /** Returns Cachet − baseline. */
    public double difference() {
        return cachet - baseline;
    }

    /** Returns the error of {@link #difference()}; NaN without errors. */
    public double differenceError() {
        return Math.hypot(cachetError, baselineError);
    }

    /** Returns whether the target is met, judged on the point estimates. */
    public boolean met() {
        return target.isMetBy(this);
    }

    /**
     * Returns whether the target's bound lies within the error interval of the compared quantity, so that the verdict
     * could flip in another run.
     */
    public boolean withinError() {
        return switch (target.kind()) {
            case RATIO_AT_LEAST, RATIO_AT_MOST -> Math.abs(ratio() - target.value()) <= ratioError();
            // An error that prints as 0.00 is no reason to doubt the verdict.
            case DIFFERENCE_AT_MOST ->
                Target.atReportPrecision(differenceError()) > 0
                        && Math.abs(difference() - target.value()) <= differenceError();
            case CACHET_EXACTLY -> false;
        };
    }
}
