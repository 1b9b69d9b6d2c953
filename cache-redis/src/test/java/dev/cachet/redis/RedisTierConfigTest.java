package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
                        Optional.empty()));
    }

    @Test
    void badValuesAreRejectedAtBuildNamingTheSettingAndValue() {
        assertRejected(RedisTierConfig.builder().keyPrefix(""), "keyPrefix", "''");
        assertRejected(RedisTierConfig.builder().keyPrefix("a:b"), "keyPrefix", "'a:b'");
        assertRejected(RedisTierConfig.builder().keyPrefix("a{b}"), "keyPrefix", "'a{b}'");
        assertRejected(RedisTierConfig.builder().keyPrefix("a*"), "keyPrefix", "'a*'");
        assertRejected(RedisTierConfig.builder().keyPrefix("x".repeat(65)), "keyPrefix", "x".repeat(65));
        assertRejected(RedisTierConfig.builder().connectTimeout(Duration.ZERO), "connectTimeout", "PT0S");
        assertRejected(RedisTierConfig.builder().connectTimeout(Duration.ofNanos(999_999)), "connectTimeout", "PT");
        assertRejected(RedisTierConfig.builder().socketTimeout(Duration.ofMillis(-1)), "socketTimeout", "PT-0.001S");
        assertRejected(RedisTierConfig.builder().socketTimeout(Duration.ofDays(30)), "socketTimeout", "PT720H");
        assertRejected(RedisTierConfig.builder().maxConnections(0), "maxConnections", "was 0");
        assertRejected(RedisTierConfig.builder().maxKeyLength(71), "maxKeyLength", "was 71");
        assertRejected(RedisTierConfig.builder().user(" "), "user", "' '");
    }

    @Test
    void anEmptyPasswordIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> RedisTierConfig.builder().password("").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("password must not be empty");
    }

    @Test
    void eachOptionMayBeSetOnce() {
        assertThatThrownBy(() -> RedisTierConfig.builder().keyPrefix("a").keyPrefix("b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("keyPrefix was already set to a");
        assertThatThrownBy(() -> RedisTierConfig.builder().maxConnections(1).maxConnections(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxConnections was already set to 1");
        assertThatThrownBy(() -> RedisTierConfig.builder().password("s3cret").password("other"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("password was already set");
    }

    @Test
    void nullsAreRejectedNamingTheArgument() {
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTierConfig.builder().keyPrefix(null))
                .withMessage("keyPrefix");
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTierConfig.builder().socketTimeout(null))
                .withMessage("socketTimeout");
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
                        Optional.empty()))
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
                        Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections");
    }

    @Test
    void toStringHidesThePassword() {
        RedisTierConfig config =
                RedisTierConfig.builder().user("cachet").password("s3cret").build();

        assertThat(config.toString()).contains("user=cachet", "password=<set>").doesNotContain("s3cret");
        assertThat(RedisTierConfig.defaults().toString()).contains("password=<none>");
    }

    private static void assertRejected(RedisTierConfig.Builder builder, String setting, String value) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(setting + " ")
                .hasMessageContaining(value);
    }
}
