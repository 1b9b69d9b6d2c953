package dev.cachet.spring.autoconfigure;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations of {@code @Cached} exactly as {@code Cachet.proxy} does (its parser is internal to cache-core):
 * a whole number and a lower-case unit ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, also {@code
 * ns} and {@code us}) or ISO-8601 ({@code PT1M}); the empty string means "not set"; negative values are rejected.
 * Stateless.
 */
final class AnnotationDurations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ns|us|ms|s|m|h|d)");
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

    private AnnotationDurations() {}

    /**
     * Parses {@code value}, where the empty string means "not set".
     *
     * @throws IllegalArgumentException naming the value if it is negative, too large or not a duration
     */
    static Optional<Duration> parseOptional(String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Matcher simple = SIMPLE.matcher(value);
        if (simple.matches()) {
            try {
                return Optional.of(Duration.of(Long.parseLong(simple.group(1)), UNITS.get(simple.group(2))));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + value + "' is too long for a duration", e);
            }
        }
        String unsigned = value.startsWith("-") || value.startsWith("+") ? value.substring(1) : value;
        if (!unsigned.isEmpty() && Character.toUpperCase(unsigned.charAt(0)) == 'P') {
            Duration duration;
            try {
                duration = Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is not a duration: " + FORMATS, e);
            }
            if (duration.isNegative()) {
                throw new IllegalArgumentException("'" + value + "' is negative; a duration must be zero or more");
            }
            return Optional.of(duration);
        }
        if (value.startsWith("-") && SIMPLE.matcher(unsigned).matches()) {
            throw new IllegalArgumentException("'" + value + "' is negative; a duration must be zero or more");
        }
        throw new IllegalArgumentException("'" + value + "' is not a duration: " + FORMATS);
    }
}
