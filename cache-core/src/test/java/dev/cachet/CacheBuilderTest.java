package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheBuilderTest {
    private final CacheRegistry registry = CacheRegistry.create();

    private CacheBuilder<Object, Object> builder(String name) {
        return Cachet.builder(name).registry(registry);
    }

    @Test
    void negativeMaximumSizeFailsAtBuildNamingTheValue() {
        CacheBuilder<Object, Object> builder = builder("c").maximumSize(-1);
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumSize")
                .hasMessageContaining("-1")
                .hasMessageContaining("'c'");
    }

    @Test
    void negativeMaximumWeightFailsAtBuild() {
        assertThatThrownBy(() -> builder("c").maximumWeight(-5, (k, v) -> 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumWeight must not be negative, was -5");
    }

    @Test
    void negativeDurationsFailAtBuildNamingTheValue() {
        assertThatThrownBy(() ->
                        builder("c").expireAfterWrite(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expireAfterWrite must not be negative, was PT-1S");
        assertThatThrownBy(() ->
                        builder("c").expireAfterAccess(Duration.ofMillis(-2)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expireAfterAccess must not be negative, was PT-0.002S");
        assertThatThrownBy(() -> builder("c").refreshAfterWrite(Duration.ZERO).build(k -> "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refreshAfterWrite must be positive, was PT0S");
    }

    @Test
    void optionsCanBeSetOnlyOnce() {
        CacheBuilder<Object, Object> builder = builder("c").maximumSize(10);
        assertThatThrownBy(() -> builder.maximumSize(20))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maximumSize was already set to 10");
        CacheBuilder<Object, Object> timed = builder("d").expireAfterWrite(Duration.ofSeconds(1));
        assertThatThrownBy(() -> timed.expireAfterWrite(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterWrite was already set to PT1S");
    }

    @Test
    void sizeAndWeightCannotBeCombined() {
        assertThatThrownBy(() -> builder("c")
                        .maximumSize(10)
                        .maximumWeight(100, (k, v) -> 1)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maximumSize (10) and maximumWeight (100) cannot be combined");
    }

    @Test
    void refreshNeedsALoader() {
        assertThatThrownBy(() ->
                        builder("c").refreshAfterWrite(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refreshAfterWrite needs a cache with its own loader");
    }

    @Test
    void hitRatioWarningIsValidated() {
        assertThatThrownBy(() -> builder("c").hitRatioWarning(1.5, 100).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 1, was 1.5");
        assertThatThrownBy(() -> builder("c").hitRatioWarning(0.5, 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1, was 0");
    }

    @Test
    void nullsAreRejectedNamingTheArgument() {
        assertThatThrownBy(() -> Cachet.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name");
        assertThatThrownBy(() -> builder("c").expireAfterWrite(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("expireAfterWrite");
        assertThatThrownBy(() -> builder("c").ticker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ticker");
        assertThatThrownBy(() -> builder("c").maximumWeight(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("weigher");
        assertThatThrownBy(() -> builder("c").build(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("loader");
        assertThatThrownBy(() -> builder(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void configReportsTheSettings() {
        Cache<String, String> cache = builder("quotes")
                .maximumSize(10_000)
                .expireAfterWrite(Duration.ofSeconds(30))
                .hitRatioWarning(0.5, 200)
                .build();
        CacheConfig config = cache.config();
        assertThat(config.name()).isEqualTo("quotes");
        assertThat(config.maximumSize()).hasValue(10_000);
        assertThat(config.bound()).hasValue(10_000);
        assertThat(config.maximumWeight()).isEmpty();
        assertThat(config.expireAfterWrite()).contains(Duration.ofSeconds(30));
        assertThat(config.expireAfterAccess()).isEmpty();
        assertThat(config.hitRatioThreshold()).isEqualTo(0.5);
        assertThat(config.hitRatioWindow()).isEqualTo(200);
        assertThat(cache.name()).isEqualTo("quotes");
    }

    @Test
    void defaultsAreEightyPercentOverAThousandRequests() {
        CacheConfig config = builder("d").build().config();
        assertThat(config.hitRatioThreshold()).isEqualTo(0.80);
        assertThat(config.hitRatioWindow()).isEqualTo(1_000);
        assertThat(config.bound()).isEmpty();
    }
}
