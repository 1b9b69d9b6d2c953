package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RedisTierConfigTest {

    @Test
    void defaults() {
        RedisTierConfig config = RedisTierConfig.defaults();

        assertThat(config.keyPrefix()).isEqualTo("cachet");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.socketTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.maxConnections()).isEqualTo(16);
        assertThat(config.maxKeyLength()).isEqualTo(512);
        assertThat(config.user()).isEmpty();
        assertThat(config.password()).isEmpty();
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(RedisTierConfig.builder().build()).isEqualTo(config);
    }

    @Test
    void buildsWhatWasSet() {
        RedisTierConfig config = RedisTierConfig.builder()
                .keyPrefix("app-1.cache_x")
                .connectTimeout(Duration.ofSeconds(1))
                .socketTimeout(Duration.ofMillis(50))
                .maxConnections(4)
                .maxKeyLength(72)
                .user("cachet")
                .password("s3cret")
                .sentinelUser("watcher")
                .sentinelPassword("s3ntinel")
                .heartbeatTimeout(Duration.ofMillis(30))
                .build();

        assertThat(config)
                .isEqualTo(new RedisTierConfig(
                        "app-1.cache_x",
                        Duration.ofSeconds(1),
                        Duration.ofMillis(50),
                        4,
                        72,
                        Optional.of("cachet"),
                        Optional.of("s3cret"),
                        false,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of("watcher"),
                        Optional.of("s3ntinel"),
                        Duration.ofMillis(30)));
    }

    private static Arguments call(String expected, Consumer<RedisTierConfig.Builder> call) {
        return Arguments.of(expected, call);
    }

    /** Each setter with a value out of range, and what the message must start with: the setting and the value. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                call("keyPrefix must be 1 to 64 characters from [A-Za-z0-9._-], was ''", b -> b.keyPrefix("")),
                call("keyPrefix must be 1 to 64 characters from [A-Za-z0-9._-], was 'a:b'", b -> b.keyPrefix("a:b")),
                call("keyPrefix must be 1 to 64 characters from [A-Za-z0-9._-], was 'a{b}'", b -> b.keyPrefix("a{b}")),
                call("keyPrefix must be 1 to 64 characters from [A-Za-z0-9._-], was 'a*'", b -> b.keyPrefix("a*")),
                call(
                        "keyPrefix must be 1 to 64 characters from [A-Za-z0-9._-], was '" + "x".repeat(65) + "'",
                        b -> b.keyPrefix("x".repeat(65))),
                call(
                        "connectTimeout must be between 1 ms and 2147483647 ms, was PT0S",
                        b -> b.connectTimeout(Duration.ZERO)),
                call(
                        "connectTimeout must be between 1 ms and 2147483647 ms, was PT0.000999999S",
                        b -> b.connectTimeout(Duration.ofNanos(999_999))),
                call(
                        "socketTimeout must be between 1 ms and 2147483647 ms, was PT-0.001S",
                        b -> b.socketTimeout(Duration.ofMillis(-1))),
                call(
                        "socketTimeout must be between 1 ms and 2147483647 ms, was PT720H",
                        b -> b.socketTimeout(Duration.ofDays(30))),
                call("maxConnections must be at least 1, was 0", b -> b.maxConnections(0)),
                call(
                        "maxKeyLength must be at least 72 bytes (the length of a hashed key), was 71",
                        b -> b.maxKeyLength(71)),
                call("user must not be blank, was ' '", b -> b.user(" ")),
                call("password must not be empty", b -> b.password("")),
                call("sentinelUser must not be blank, was ''", b -> b.sentinelUser("")),
                call("sentinelPassword must not be empty", b -> b.sentinelPassword("")),
                call(
                        "heartbeatTimeout must be between 30 ms and 2147483647 ms, was PT0.029S",
                        b -> b.heartbeatTimeout(Duration.ofMillis(29))),
                call(
                        "heartbeatTimeout must be between 30 ms and 2147483647 ms, was PT720H",
                        b -> b.heartbeatTimeout(Duration.ofDays(30))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueIsRejectedByItsSetterNamingTheSettingAndValue(
            String message, Consumer<RedisTierConfig.Builder> call) {
        RedisTierConfig.Builder builder = RedisTierConfig.builder();
        assertThatThrownBy(() -> call.accept(builder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(Arrays.stream(e.getStackTrace())
                                .map(StackTraceElement::getClassName)
                                .filter(name -> !name.equals(RedisTierConfig.class.getName())
                                        && !name.equals(RedisTierConfig.Builder.class.getName()))
                                .findFirst())
                        .as("the stack trace points at the caller's line")
                        .hasValueSatisfying(
                                caller -> assertThat(caller).startsWith(RedisTierConfigTest.class.getName())));
    }

    @Test
    void anEmptyPasswordIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> RedisTierConfig.builder().password(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("password must not be empty");
    }

    /** Each setter with a valid value, and the message of a second call. */
    static Stream<Arguments> setters() {
        return Stream.of(
                call("keyPrefix was already set to a", b -> b.keyPrefix("a")),
                call("connectTimeout was already set to PT1S", b -> b.connectTimeout(Duration.ofSeconds(1))),
                call("socketTimeout was already set to PT1S", b -> b.socketTimeout(Duration.ofSeconds(1))),
                call("maxConnections was already set to 1", b -> b.maxConnections(1)),
                call("maxKeyLength was already set to 100", b -> b.maxKeyLength(100)),
                call("user was already set to cachet", b -> b.user("cachet")),
                call("password was already set", b -> b.password("s3cret")),
                call("sentinelUser was already set to watcher", b -> b.sentinelUser("watcher")),
                call("sentinelPassword was already set", b -> b.sentinelPassword("s3ntinel")),
                call("tls was already set to true", b -> b.tls(true)),
                call("heartbeatTimeout was already set to PT1S", b -> b.heartbeatTimeout(Duration.ofSeconds(1))),
                call("trustStore was already set to trust.p12", b -> b.trustStore(Path.of("trust.p12"), null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setters")
    void eachOptionMayBeSetOnce(String message, Consumer<RedisTierConfig.Builder> call) {
        RedisTierConfig.Builder builder = RedisTierConfig.builder();
        call.accept(builder);
        assertThatThrownBy(() -> call.accept(builder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
    }

    @Test
    void aSecondPasswordIsRejectedWithoutEchoingEither() {
        assertThatThrownBy(() -> RedisTierConfig.builder().password("s3cret").password("other"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("password was already set");
    }

    /** Each setter with a null argument, and the argument's name. */
    static Stream<Arguments> nullArguments() {
        return Stream.of(
                call("keyPrefix", b -> b.keyPrefix(null)),
                call("connectTimeout", b -> b.connectTimeout(null)),
                call("socketTimeout", b -> b.socketTimeout(null)),
                call("heartbeatTimeout", b -> b.heartbeatTimeout(null)),
                call("user", b -> b.user(null)),
                call("password", b -> b.password(null)),
                call("sentinelUser", b -> b.sentinelUser(null)),
                call("sentinelPassword", b -> b.sentinelPassword(null)),
                call("trustStore", b -> b.trustStore(null, "secret")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullsAreRejectedNamingTheArgument(String argument, Consumer<RedisTierConfig.Builder> call) {
        assertThatNullPointerException()
                .isThrownBy(() -> call.accept(RedisTierConfig.builder()))
                .withMessage(argument);
    }

    @Test
    void theCanonicalConstructorRejectsNullsToo() {
        assertThatNullPointerException()
                .isThrownBy(() -> new RedisTierConfig(
                        "p",
                        Duration.ofMillis(1),
                        Duration.ofMillis(1),
                        1,
                        100,
                        Optional.empty(),
                        null,
                        false,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Duration.ofSeconds(3)))
                .withMessage("password");
    }

    @Test
    void theCanonicalConstructorValidatesToo() {
        assertThatThrownBy(() -> new RedisTierConfig(
                        "p",
                        Duration.ofMillis(1),
                        Duration.ofMillis(1),
                        0,
                        100,
                        Optional.empty(),
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections");
    }

    @Test
    void toStringHidesThePassword() {
        RedisTierConfig config = RedisTierConfig.builder()
                .user("cachet")
                .password("s3cret")
                .sentinelUser("watcher")
                .sentinelPassword("s3ntinel")
                .build();

        assertThat(config.toString())
                .contains("user=cachet", "password=<set>", "sentinelUser=watcher", "sentinelPassword=<set>")
                .doesNotContain("s3cret")
                .doesNotContain("s3ntinel");
        assertThat(RedisTierConfig.defaults().toString()).contains("password=<none>");
    }
}
