package dev.cachet.internal.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "250ms, PT0.25S",
        "30s, PT30S",
        "5m, PT5M",
        "2h, PT2H",
        "1d, PT24H",
        "0s, PT0S",
        "1500us, PT0.0015S",
        "7ns, PT0.000000007S",
        "PT1M, PT1M",
        "pt1m, PT1M",
        "Pt1M30s, PT1M30S",
        "P1DT2H, PT26H",
        "PT0.5S, PT0.5S",
        "+PT1M, PT1M",
        "PT0S, PT0S"
    })
    void acceptsWholeNumbersWithAUnitAndIso8601(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
            strings = {
                "30",
                "s",
                "30 s",
                " 30s",
                "30s ",
                "1.5s",
                "30S",
                "5M",
                "30sec",
                "+5s",
                "P",
                "PT",
                "P1M",
                "PT1X",
                "thirty seconds",
                "0x10s"
            })
    void rejectsAnythingElseNamingTheValue(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration: write a whole number and a unit (250ms, 30s, 5m, 2h,"
                        + " 1d; also ns, us) or ISO-8601 (PT1M)");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"-1s", "-250ms", "-PT1M", "PT-1M", "-pt1s"})
    void rejectsNegativeDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is negative; a duration must be zero or more");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"99999999999999999999s", "9223372036854775807d"})
    void rejectsDurationsTooLongToRepresent(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is too long for a duration");
    }

    @Test
    void emptyIsRejectedWhereADurationIsRequiredAndMeansNotSetWhereItIsOptional() {
        assertThatThrownBy(() -> Durations.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'' is not a duration");
        assertThat(Durations.parseOptional("")).isEmpty();
        assertThat(Durations.parseOptional("30s")).contains(Duration.ofSeconds(30));
        assertThatThrownBy(() -> Durations.parseOptional("30x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'30x' is not a duration");
    }
}
