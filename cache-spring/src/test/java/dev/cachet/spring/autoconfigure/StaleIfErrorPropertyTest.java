package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.CacheRegistry;
import dev.cachet.annotation.Cached;
import dev.cachet.spring.CachetCacheCustomizer;
import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/**
 * {@code cachet.caches.<name>.stale-if-error} and {@code @Cached(staleIfError)} in Spring: an expired value returned
 * when its reload fails, on local caches.
 */
class StaleIfErrorPropertyTest {
    private final FakeTicker clock = new FakeTicker();

    private ApplicationContextRunner runner() {
        CachetCacheCustomizer fakeTime = cache -> cache.builder(builder -> builder.ticker(clock));
        return Contexts.runner()
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class, AopAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withBean(Rates.class)
                .withBean(CachetCacheCustomizer.class, () -> fakeTime)
                .withPropertyValues(
                        "cachet.caches.rates.expire-after-write=1m", "cachet.caches.rates.stale-if-error=10m");
    }

    @Test
    void aCacheableMethodReturnsTheStaleValueWhileItsSourceFails() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            Rates rates = context.getBean(Rates.class);
            assertThat(rates.rate("EUR")).isEqualTo("EUR 1");
            rates.goDown();
            clock.advance(Duration.ofMinutes(1));
            assertThat(rates.rate("EUR")).isEqualTo("EUR 1");
            assertThat(context.getBean(CacheRegistry.class)
                            .find("rates")
                            .orElseThrow()
                            .stats()
                            .staleServedCount())
                    .isEqualTo(1);
            clock.advance(Duration.ofMinutes(10));
            assertThatThrownBy(() -> rates.rate("EUR"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("rates source down");
        });
    }

    @Test
    void cachedWithStaleIfErrorReturnsTheStaleValue() {
        runner().run(context -> {
            Rates rates = context.getBean(Rates.class);
            assertThat(rates.annotated("EUR")).isEqualTo("EUR 1");
            rates.goDown();
            clock.advance(Duration.ofMinutes(1));
            assertThat(rates.annotated("EUR")).isEqualTo("EUR 1");
            assertThat(context.getBean(CacheRegistry.class)
                            .find("annotated-rates")
                            .orElseThrow()
                            .config()
                            .staleIfError())
                    .contains(Duration.ofMinutes(10));
        });
    }

    @Test
    void aBadGraceFailsTheStartupNamingTheProperty() {
        for (String value : new String[] {"0s", "-1s"}) {
            Contexts.runner()
                    .withPropertyValues(
                            "cachet.caches.rates.expire-after-write=1m", "cachet.caches.rates.stale-if-error=" + value)
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(Contexts.messages(context.getStartupFailure()))
                                .contains("cachet.caches.rates.stale-if-error")
                                .contains("must be positive");
                    });
        }
        Contexts.runner()
                .withPropertyValues("cachet.caches.rates.stale-if-error=10m")
                .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                        .contains("cachet.caches.rates.stale-if-error")
                        .contains("needs a positive expire-after-write"));
        Contexts.runner()
                .withPropertyValues(
                        "cachet.caches.rates.tier=remote",
                        "cachet.caches.rates.expire-after-write=1m",
                        "cachet.caches.rates.stale-if-error=10m")
                .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                        .contains("cachet.caches.rates.stale-if-error")
                        .contains("remote and near caches do not support it yet"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** A rates source that answers until it is down. */
    static class Rates {
        private final AtomicBoolean down = new AtomicBoolean();

        /** Through the bean's proxy, which has no fields of its own. */
        public void goDown() {
            down.set(true);
        }

        @Cacheable(cacheNames = "rates", sync = true)
        public String rate(String currency) {
            return answer(currency);
        }

        @Cached(name = "annotated-rates", expireAfterWrite = "1m", staleIfError = "10m")
        public String annotated(String currency) {
            return answer(currency);
        }

        private String answer(String currency) {
            if (down.get()) {
                throw new IllegalStateException("rates source down");
            }
            return currency + " 1";
        }
    }
}
