package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CacheBuilderTest {
    private static final InMemoryRemoteTier TIER = new InMemoryRemoteTier(Ticker.systemTicker());

    private final CacheRegistry registry = CacheRegistry.create();

    private CacheBuilder<Object, Object> builder(String name) {
        return Cachet.builder(name).registry(registry);
    }

    private static Arguments setter(String option, Consumer<CacheBuilder<Object, Object>> call) {
        return Arguments.of(option, call);
    }

    /** Every setter, each called with a valid value. */
    static Stream<Arguments> setters() {
        return Stream.of(
                setter("maximumSize", b -> b.maximumSize(10)),
                setter("maximumWeight", b -> b.maximumWeight(10, (k, v) -> 1)),
                setter("expireAfterWrite", b -> b.expireAfterWrite(Duration.ofSeconds(1))),
                setter("expireAfterAccess", b -> b.expireAfterAccess(Duration.ofSeconds(1))),
                setter("refreshAfterWrite", b -> b.refreshAfterWrite(Duration.ofSeconds(1))),
                setter("ticker", b -> b.ticker(new FakeTicker())),
                setter("executor", b -> b.executor(Runnable::run)),
                setter("copier", b -> b.copier(Copier.identity())),
                setter("removalListener", b -> b.removalListener((k, v, cause) -> {})),
                setter("hitRatioWarning", b -> b.hitRatioWarning(0.5, 10)),
                setter("onLowHitRatio", b -> b.onLowHitRatio(low -> {})),
                setter("registry", b -> b.registry(CacheRegistry.create())),
                setter("remote", b -> b.remote(TIER, Utf8Codec.INSTANCE)),
                setter("remote", b -> b.remote(TIER, Utf8Codec.INSTANCE, RemoteConfig.ofDefaults())),
                setter("nearCache", b -> b.nearCache(10, Duration.ofSeconds(1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setters")
    void eachOptionCanBeSetOnlyOnce(String option, Consumer<CacheBuilder<Object, Object>> call) {
        // A fresh builder without a registry, so that the registry setter can be tried twice as well.
        CacheBuilder<Object, Object> builder = Cachet.builder("c");
        call.accept(builder);
        assertThatThrownBy(() -> call.accept(builder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(option + " was already set to ")
                .hasMessageContaining("(cache 'c')");
    }

    @Test
    void theSecondCallNamesTheCurrentValue() {
        CacheBuilder<Object, Object> builder = builder("c").maximumSize(10);
        assertThatThrownBy(() -> builder.maximumSize(20))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maximumSize was already set to 10");
        CacheBuilder<Object, Object> timed = builder("d").expireAfterWrite(Duration.ofSeconds(1));
        assertThatThrownBy(() -> timed.expireAfterWrite(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterWrite was already set to PT1S");
        CacheBuilder<Object, Object> warned = builder("e").hitRatioWarning(0.5, 100);
        assertThatThrownBy(() -> warned.hitRatioWarning(0.6, 100))
                .hasMessageContaining("hitRatioWarning was already set to 0.5 over 100 requests");
        CacheBuilder<Object, Object> near = builder("f").nearCache(10, Duration.ofSeconds(1));
        assertThatThrownBy(() -> near.nearCache(10, Duration.ofSeconds(1)))
                .hasMessageContaining("nearCache was already set to maximumSize 10, expireAfterWrite PT1S");
    }

    /** Every setter that takes a range, called with a value out of it, and the message it must give. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(call(b -> b.maximumSize(-1)), "maximumSize must not be negative, was -1 (cache 'c')"),
                Arguments.of(
                        call(b -> b.maximumWeight(-5, (k, v) -> 1)),
                        "maximumWeight must not be negative, was -5 (cache 'c')"),
                Arguments.of(
                        call(b -> b.expireAfterWrite(Duration.ofSeconds(-1))),
                        "expireAfterWrite must not be negative, was PT-1S (cache 'c')"),
                Arguments.of(
                        call(b -> b.expireAfterAccess(Duration.ofMillis(-2))),
                        "expireAfterAccess must not be negative, was PT-0.002S (cache 'c')"),
                Arguments.of(
                        call(b -> b.refreshAfterWrite(Duration.ZERO)),
                        "refreshAfterWrite must be positive, was PT0S (cache 'c')"),
                Arguments.of(
                        call(b -> b.hitRatioWarning(1.5, 100)),
                        "hitRatioWarning threshold must be between 0 and 1, was 1.5 (cache 'c')"),
                Arguments.of(
                        call(b -> b.hitRatioWarning(Double.NaN, 100)),
                        "hitRatioWarning threshold must be between 0 and 1, was NaN (cache 'c')"),
                Arguments.of(
                        call(b -> b.hitRatioWarning(0.5, 0)),
                        "hitRatioWarning window must be at least 1, was 0 (cache 'c')"),
                Arguments.of(
                        call(b -> b.nearCache(-1, Duration.ofSeconds(1))),
                        "nearCache maximumSize must not be negative, was -1 (cache 'c')"),
                Arguments.of(
                        call(b -> b.nearCache(10, Duration.ZERO)),
                        "nearCache expireAfterWrite must be positive, was PT0S (cache 'c')"));
    }

    private static Consumer<CacheBuilder<Object, Object>> call(Consumer<CacheBuilder<Object, Object>> call) {
        return call;
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badValues")
    void aBadValueFailsAtTheSetter(Consumer<CacheBuilder<Object, Object>> call, String message) {
        CacheBuilder<Object, Object> builder = builder("c");
        assertThatThrownBy(() -> call.accept(builder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(firstFrameOutsideTheBuilder(e))
                        .as("the stack trace points at the caller's line")
                        .startsWith(CacheBuilderTest.class.getName()));
    }

    private static String firstFrameOutsideTheBuilder(Throwable e) {
        return Arrays.stream(e.getStackTrace())
                .map(StackTraceElement::getClassName)
                .filter(name -> !name.equals(CacheBuilder.class.getName()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aBlankNameFailsWhereTheBuilderIsMade() {
        assertThatThrownBy(() -> Cachet.builder(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cache name must not be blank, was ' '");
    }

    /** Every argument that must not be null, and the name the exception must give. */
    static Stream<Arguments> nullArguments() {
        return Stream.of(
                Arguments.of(call(b -> b.maximumWeight(1, null)), "weigher"),
                Arguments.of(call(b -> b.expireAfterWrite(null)), "expireAfterWrite"),
                Arguments.of(call(b -> b.expireAfterAccess(null)), "expireAfterAccess"),
                Arguments.of(call(b -> b.refreshAfterWrite(null)), "refreshAfterWrite"),
                Arguments.of(call(b -> b.ticker(null)), "ticker"),
                Arguments.of(call(b -> b.executor(null)), "executor"),
                Arguments.of(call(b -> b.copier(null)), "copier"),
                Arguments.of(call(b -> b.removalListener(null)), "removalListener"),
                Arguments.of(call(b -> b.onLowHitRatio(null)), "onLowHitRatio"),
                Arguments.of(call(b -> b.registry(null)), "registry"),
                Arguments.of(call(b -> b.remote(null, Utf8Codec.INSTANCE)), "tier"),
                Arguments.of(call(b -> b.remote(TIER, null)), "codec"),
                Arguments.of(call(b -> b.remote(TIER, Utf8Codec.INSTANCE, null)), "config"),
                Arguments.of(call(b -> b.nearCache(10, null)), "expireAfterWrite"),
                Arguments.of(call(b -> b.build(null)), "loader"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("nullArguments")
    void nullsAreRejectedNamingTheArgument(Consumer<CacheBuilder<Object, Object>> call, String argument) {
        assertThatThrownBy(() -> call.accept(Cachet.builder("c")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage(argument);
        assertThatThrownBy(() -> Cachet.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name");
    }

    @Test
    void aNullArgumentLeavesTheOptionUnset() {
        CacheBuilder<Object, Object> builder = builder("c");
        assertThatThrownBy(() -> builder.remote(TIER, null)).isInstanceOf(NullPointerException.class);
        builder.remote(TIER, Utf8Codec.INSTANCE); // not "already set"
        assertThatThrownBy(() -> builder.maximumSize(-1)).isInstanceOf(IllegalArgumentException.class);
        builder.maximumSize(1); // a rejected value is not kept either
        assertThat(builder("d").maximumSize(1).build().config().maximumSize()).hasValue(1);
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
    void refreshWithoutALoaderNeedsExpireAfterWrite() {
        assertThatThrownBy(() ->
                        builder("c").refreshAfterWrite(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refreshAfterWrite (PT1S) on an in-memory cache without a loader of its own needs"
                        + " expireAfterWrite: use build(loader), or set expireAfterWrite (cache 'c')");
    }

    @Test
    void aNearCacheNeedsARemoteTierWhicheverBuildIsCalled() {
        String message = "nearCache needs a remote tier: call remote(tier, codec) (cache 'c')";
        assertThatThrownBy(
                        () -> builder("c").nearCache(10, Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
        assertThatThrownBy(
                        () -> builder("c").nearCache(10, Duration.ofSeconds(1)).build(k -> "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
        assertThat(registry.names()).as("nothing was registered").isEmpty();
    }

    @Test
    void aRemoteTierNeedsAnExpiry() {
        assertThatThrownBy(() -> builder("c").remote(TIER, Utf8Codec.INSTANCE).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a remote tier needs a positive expireAfterWrite")
                .hasMessageContaining("(cache 'c')");
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
