package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LowHitRatioLoggerTest {
    private final FakeTicker clock = new FakeTicker();
    private final LowHitRatio event = new LowHitRatio("c", 0.1, 0.8, 1_000, 10, OptionalLong.of(10));

    @Test
    void logsAtMostOneLinePerIntervalAndCountsTheRest() {
        LowHitRatioLogger logger =
                new LowHitRatioLogger(clock, Duration.ofMinutes(1).toNanos());
        assertThat(logger.lineFor(event)).isEqualTo(event.describe());
        assertThat(logger.lineFor(event)).isNull();
        clock.advance(Duration.ofSeconds(30));
        assertThat(logger.lineFor(event)).isNull();
        clock.advance(Duration.ofSeconds(30));
        assertThat(logger.lineFor(event)).isEqualTo(event.describe() + " (2 more low windows since the last warning)");
        assertThat(logger.lineFor(event)).isNull();
    }
}
