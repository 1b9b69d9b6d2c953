package dev.cachet.benchmarks;

import java.util.Locale;

/**
 * What a {@link Figure} should reach, and where that expectation comes from.
 *
 * @param kind what is compared
 * @param value the bound
 * @param fromIssue true when issue 6 states the target; false when the report chose it (the issue gives none)
 */
public record Target(Kind kind, double value, boolean fromIssue) {

    /** What a target compares. */
    public enum Kind {
        /** Cachet ÷ baseline ≥ value. */
        RATIO_AT_LEAST,
        /** Cachet ÷ baseline ≤ value. */
        RATIO_AT_MOST,
        /** Cachet − baseline ≤ value. */
        DIFFERENCE_AT_MOST,
        /** Cachet's own figure equals value exactly. */
        CACHET_EXACTLY
    }

    /** Returns a target of Cachet ÷ baseline ≥ {@code value}. */
    public static Target ratioAtLeast(double value, boolean fromIssue) {
        return new Target(Kind.RATIO_AT_LEAST, value, fromIssue);
    }

    /** Returns a target of Cachet ÷ baseline ≤ {@code value}. */
    public static Target ratioAtMost(double value, boolean fromIssue) {
        return new Target(Kind.RATIO_AT_MOST, value, fromIssue);
    }

    /** Returns a target of Cachet − baseline ≤ {@code value}. */
    public static Target differenceAtMost(double value, boolean fromIssue) {
        return new Target(Kind.DIFFERENCE_AT_MOST, value, fromIssue);
    }

    /** Returns a target of Cachet's figure = {@code value}. */
    public static Target cachetExactly(double value, boolean fromIssue) {
        return new Target(Kind.CACHET_EXACTLY, value, fromIssue);
    }

    /** Returns whether the figure compares Cachet and baseline by difference rather than by ratio. */
    public boolean byDifference() {
        return kind == Kind.DIFFERENCE_AT_MOST;
    }

    /**
     * Returns whether {@code figure} meets this target, judged on the point estimates; a difference is judged as the
     * report prints it, to {@value #DIFFERENCE_PRECISION}. That matters for allocation (P9): JMH's {@code
     * gc.alloc.rate.norm} carries about 0.001 B/op of noise from its own bookkeeping, so "no more bytes than the
     * baseline" would otherwise flip on noise, while one allocation on the hit path adds at least 16 B/op.
     */
    public boolean isMetBy(Figure figure) {
        return switch (kind) {
            case RATIO_AT_LEAST -> figure.ratio() >= value;
            case RATIO_AT_MOST -> figure.ratio() <= value;
            case DIFFERENCE_AT_MOST -> atReportPrecision(figure.difference()) <= value;
            case CACHET_EXACTLY -> figure.cachet() == value;
        };
    }

    /** Returns the target as the report prints it, such as {@code ≥ 1.30}; {@code *} marks a target we chose. */
    public String describe(String unit) {
        String bound = switch (kind) {
            case RATIO_AT_LEAST -> "ratio ≥ " + format(value);
            case RATIO_AT_MOST -> "ratio ≤ " + format(value);
            case DIFFERENCE_AT_MOST -> "Δ ≤ " + format(value) + " " + unit;
            case CACHET_EXACTLY -> "Cachet = " + format(value);
        };
        return fromIssue ? bound : bound + " *";
    }

    /** The precision a difference is printed and judged at. */
    static final double DIFFERENCE_PRECISION = 0.01;

    /** Rounds {@code difference} to {@link #DIFFERENCE_PRECISION}, as the report prints it. */
    static double atReportPrecision(double difference) {
        return Math.round(difference / DIFFERENCE_PRECISION) * DIFFERENCE_PRECISION;
    }

    private static String format(double number) {
        return String.format(Locale.ROOT, "%.2f", number);
    }
}
