package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RemoteConfigTest {

    private static Arguments call(String expected, Consumer<RemoteConfig.Builder> call) {
        return Arguments.of(expected, call);
    }

    @Test
    void defaults() {
        RemoteConfig config = RemoteConfig.ofDefaults();
        assertThat(config.failurePolicy()).isEqualTo(FailurePolicy.FAIL_OPEN);
        assertThat(config.lockLease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.lockWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.lockPollInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(config.maxValueBytes()).isEqualTo(1 << 20);
        assertThat(config.earlyRecomputeBeta()).isZero();
        assertThat(config.ttlJitter()).isZero();
        assertThat(config.breakerFailureThreshold()).isEqualTo(3);
        assertThat(config.breakerOpenDuration()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.keyEncoder()).isNull();
        assertThat(config.clock()).isEqualTo(Clock.systemUTC());
        assertThat(RemoteConfig.custom().build()).isEqualTo(config).hasSameHashCodeAs(config);
    }

    @Test
    void buildsWhatWasSetAndComparesByValue() {
        Function<Object, String> encoder = Object::toString;
        Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        RemoteConfig config = custom(encoder, clock);
        assertThat(config.failurePolicy()).isEqualTo(FailurePolicy.FAIL_CLOSED);
        assertThat(config.lockLease()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.lockWait()).isEqualTo(Duration.ZERO);
        assertThat(config.lockPollInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.maxValueBytes()).isEqualTo(64);
        assertThat(config.earlyRecomputeBeta()).isEqualTo(1.0);
        assertThat(config.ttlJitter()).isEqualTo(0.5);
        assertThat(config.breakerFailureThreshold()).isEqualTo(7);
        assertThat(config.breakerOpenDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.keyEncoder()).isSameAs(encoder);
        assertThat(config.clock()).isSameAs(clock);

        assertThat(custom(encoder, clock)).isEqualTo(config).hasSameHashCodeAs(config);
        assertThat(custom(k -> "other", clock)).as("another key encoder").isNotEqualTo(config);
        assertThat(config).isNotEqualTo(RemoteConfig.ofDefaults());
        assertThat(config.toString())
                .startsWith("RemoteConfig[failurePolicy=FAIL_CLOSED, lockLease=PT1S, lockWait=PT0S")
                .contains("ttlJitter=0.5", "breakerFailureThreshold=7");
        assertThat(RemoteConfig.ofDefaults().toString()).contains("keyEncoder=<default>");
    }

    private static RemoteConfig custom(Function<Object, String> encoder, Clock clock) {
        return RemoteConfig.custom()
                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                .lockLease(Duration.ofSeconds(1))
                .lockWait(Duration.ZERO)
                .lockPollInterval(Duration.ofMillis(5))
                .maxValueBytes(64)
                .earlyRecompute(1.0)
                .ttlJitter(0.5)
                .circuitBreaker(7, Duration.ofSeconds(2))
                .keyEncoder(encoder)
                .clock(clock)
                .build();
    }

    /** Each setter with a value out of range, and the message it must give. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                call("lockLease must be positive, was PT0S", b -> b.lockLease(Duration.ZERO)),
                call("lockWait must not be negative, was PT-1S", b -> b.lockWait(Duration.ofSeconds(-1))),
                call(
                        "lockPollInterval must be positive, was PT-0.001S",
                        b -> b.lockPollInterval(Duration.ofMillis(-1))),
                call("maxValueBytes must be positive, was 0", b -> b.maxValueBytes(0)),
                call("earlyRecomputeBeta must be a finite number >= 0, was -1.0", b -> b.earlyRecompute(-1)),
                call("earlyRecomputeBeta must be a finite number >= 0, was NaN", b -> b.earlyRecompute(Double.NaN)),
                call(
                        "earlyRecomputeBeta must be a finite number >= 0, was Infinity",
                        b -> b.earlyRecompute(Double.POSITIVE_INFINITY)),
                call("ttlJitter must be between 0 and 0.5, was 0.9", b -> b.ttlJitter(0.9)),
                call("ttlJitter must be between 0 and 0.5, was -0.1", b -> b.ttlJitter(-0.1)),
                call(
                        "circuitBreaker failures must be at least 1, was 0",
                        b -> b.circuitBreaker(0, Duration.ofSeconds(1))),
                call("circuitBreaker openFor must be positive, was PT0S", b -> b.circuitBreaker(1, Duration.ZERO)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueIsRejectedByItsSetter(String message, Consumer<RemoteConfig.Builder> call) {
        RemoteConfig.Builder builder = RemoteConfig.custom();
        assertThatThrownBy(() -> call.accept(builder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(Arrays.stream(e.getStackTrace())
                                .map(StackTraceElement::getClassName)
                                .filter(name -> !name.equals(RemoteConfig.Builder.class.getName()))
                                .findFirst())
                        .as("the stack trace points at the caller's line")
                        .hasValueSatisfying(caller -> assertThat(caller).startsWith(RemoteConfigTest.class.getName())));
    }

    /** Each setter with a valid value, and the message of a second call. */
    static Stream<Arguments> setters() {
        return Stream.of(
                call("failurePolicy was already set to FAIL_OPEN", b -> b.failurePolicy(FailurePolicy.FAIL_OPEN)),
                call("lockLease was already set to PT1S", b -> b.lockLease(Duration.ofSeconds(1))),
                call("lockWait was already set to PT1S", b -> b.lockWait(Duration.ofSeconds(1))),
                call("lockPollInterval was already set to PT1S", b -> b.lockPollInterval(Duration.ofSeconds(1))),
                call("maxValueBytes was already set to 10", b -> b.maxValueBytes(10)),
                call("earlyRecompute was already set to 1.0", b -> b.earlyRecompute(1)),
                call("ttlJitter was already set to 0.1", b -> b.ttlJitter(0.1)),
                call(
                        "circuitBreaker was already set to 3 failures, open for PT1S",
                        b -> b.circuitBreaker(3, Duration.ofSeconds(1))),
                call("keyEncoder was already set to ", b -> b.keyEncoder(Object::toString)),
                call("clock was already set to SystemClock[Z]", b -> b.clock(Clock.systemUTC())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setters")
    void eachSettingMayBeSetOnce(String message, Consumer<RemoteConfig.Builder> call) {
        RemoteConfig.Builder builder = RemoteConfig.custom();
        call.accept(builder);
        assertThatThrownBy(() -> call.accept(builder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(message)
                .hasMessageEndingWith("; set each option once");
    }

    /** Each setter with a null argument, and the argument's name. */
    static Stream<Arguments> nullArguments() {
        return Stream.of(
                call("failurePolicy", b -> b.failurePolicy(null)),
                call("lockLease", b -> b.lockLease(null)),
                call("lockWait", b -> b.lockWait(null)),
                call("lockPollInterval", b -> b.lockPollInterval(null)),
                call("openFor", b -> b.circuitBreaker(1, null)),
                call("keyEncoder", b -> b.keyEncoder(null)),
                call("clock", b -> b.clock(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullsAreRejectedNamingTheArgument(String argument, Consumer<RemoteConfig.Builder> call) {
        assertThatNullPointerException()
                .isThrownBy(() -> call.accept(RemoteConfig.custom()))
                .withMessage(argument);
    }
}
