package dev.cachet.internal.method;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations written in annotations: a whole number and a lower-case unit ({@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 1d}, also {@code ns} and {@code us}), or ISO-8601 ({@code PT1M}, {@code P1DT2H},
 * letters in either case). Units are lower case because {@code 5M} reads as months as easily as minutes. Zero is
 * allowed; negative values, fractions, spaces and anything else are rejected. Stateless and thread-safe.
 */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ns|us|ms|s|m|h|d)");
    private static final Pattern NEGATIVE_SIMPLE = Pattern.compile("-\\d+(ns|us|ms|s|m|h|d)");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
            "ns", ChronoUnit.NANOS,
            "us", ChronoUnit.MICROS,
            "ms", ChronoUnit.MILLIS,
            "s", ChronoUnit.SECONDS,
            "m", ChronoUnit.MINUTES,
            "h", ChronoUnit.HOURS,
            "d", ChronoUnit.DAYS);
    private static final String FORMATS =
            "write a whole number and a unit (250ms, 30s, 5m, 2h, 1d; also ns, us) or ISO-8601 (PT1M)";

    private Durations() {}

    /**
     * Parses {@code value}, which must be set.
     *
     * @throws IllegalArgumentException naming the value if it is empty, negative, too large or not a duration
     * @throws NullPointerException if {@code value} is null
     */
    public static Duration parse(String value) {
        requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("'' is not a duration: " + FORMATS);
        }
        Matcher simple = SIMPLE.matcher(value);
        if (simple.matches()) {
            try {
                return Duration.of(Long.parseLong(simple.group(1)), UNITS.get(simple.group(2)));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + value + "' is too long for a duration", e);
            }
        }
        if (NEGATIVE_SIMPLE.matcher(value).matches()) {
            throw negative(value);
        }
        if (isIso(value)) {
            Duration duration;
            try {
                duration = Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is not a duration: " + FORMATS, e);
            }
            if (duration.isNegative()) {
                throw negative(value);
            }
            return duration;
        }
        throw new IllegalArgumentException("'" + value + "' is not a duration: " + FORMATS);
    }

    /**
     * Parses {@code value}, where the empty string means "not set".
     *
     * @throws IllegalArgumentException naming the value if it is negative, too large or not a duration
     */
    public static Optional<Duration> parseOptional(String value) {
        return requireNonNull(value, "value").isEmpty() ? Optional.empty() : Optional.of(parse(value));
    }

    private static boolean isIso(String value) {
        int start = value.startsWith("-") || value.startsWith("+") ? 1 : 0;
        return value.length() > start && Character.toUpperCase(value.charAt(start)) == 'P';
    }

    private static IllegalArgumentException negative(String value) {
        return new IllegalArgumentException("'" + value + "' is negative; a duration must be zero or more");
    }
}
