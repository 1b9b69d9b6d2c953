package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.RemoteConfig;
import dev.cachet.Ticker;
import dev.cachet.annotation.Cached;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spring.CacheTier;
import dev.cachet.spring.CachetCacheCustomizer;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
 * when its reload fails, on local, remote and near caches.
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
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(Ticker.systemTicker()))
                .withPropertyValues(
                        "cachet.caches.rates.tier=remote",
                        "cachet.caches.rates.codec=string",
                        "cachet.caches.rates.expire-after-write=1m",
                        "cachet.caches.rates.stale-if-error=-10m")
                .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                        .contains("cachet.caches.rates.stale-if-error")
                        .contains("must be positive"));
    }

    /** A context whose "rates" cache is on the given tier over an in-memory remote tier, moved by the fake clock. */
    private ApplicationContextRunner onTier(String tierName, InMemoryRemoteTier tier) {
        Clock wallClock = new TickerClock(clock);
        CachetCacheCustomizer fakeTime = cache -> {
            cache.builder(builder -> builder.ticker(clock));
            if (cache.tier() != CacheTier.LOCAL) {
                cache.remoteConfig(RemoteConfig.custom().clock(wallClock).build());
            }
        };
        return Contexts.runner()
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class, AopAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withBean(Rates.class)
                .withBean(RemoteTier.class, () -> tier)
                .withBean(CachetCacheCustomizer.class, () -> fakeTime)
                .withPropertyValues(
                        "cachet.caches.rates.tier=" + tierName,
                        "cachet.caches.rates.codec=string",
                        "cachet.caches.rates.expire-after-write=1m",
                        "cachet.caches.rates.stale-if-error=10m")
                .withPropertyValues(
                        tierName.equals("near")
                                ? "cachet.caches.rates.near-expire-after-write=10s"
                                : "cachet.caches.other.expire-after-write=1m");
    }

    @Test
    void onARemoteCacheACacheableMethodReturnsTheExpiredValueWhileItsSourceFails() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        onTier("remote", tier).run(context -> {
            assertThat(context).hasNotFailed();
            Rates rates = context.getBean(Rates.class);
            assertThat(rates.rate("EUR")).isEqualTo("EUR 1");
            rates.goDown();
            clock.advance(Duration.ofMinutes(1));
            assertThat(rates.rate("EUR")).isEqualTo("EUR 1");
            Cache<?, ?> cache =
                    context.getBean(CacheRegistry.class).find("rates").orElseThrow();
            assertThat(cache.config().staleIfError()).contains(Duration.ofMinutes(10));
            assertThat(cache.remoteStats().orElseThrow().staleServed()).isEqualTo(1);
            clock.advance(Duration.ofMinutes(10));
            assertThatThrownBy(() -> rates.rate("EUR"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("rates source down");
        });
    }

    @Test
    void onANearCacheTheNearCopyIsReturnedWhileRedisIsDownAndTheSourceFails() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        onTier("near", tier).run(context -> {
            assertThat(context).hasNotFailed();
            Rates rates = context.getBean(Rates.class);
            assertThat(rates.rate("EUR")).isEqualTo("EUR 1");
            rates.goDown();
            tier.setDown(true);
            clock.advance(Duration.ofMinutes(1));
            assertThat(rates.rate("EUR")).isEqualTo("EUR 1");
            Cache<?, ?> cache =
                    context.getBean(CacheRegistry.class).find("rates").orElseThrow();
            assertThat(cache.nearStats().orElseThrow().staleServed()).isEqualTo(1);
            assertThat(cache.stats().staleServedCount()).isEqualTo(1);
        });
    }

    /** A wall clock for the envelopes' stamps that the fake ticker moves. */
    private static final class TickerClock extends Clock {
        private static final Instant ORIGIN = Instant.parse("2026-12-01T12:00:00Z");
        private final FakeTicker ticker;

        TickerClock(FakeTicker ticker) {
            this.ticker = ticker;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return ORIGIN.plusNanos(ticker.read());
        }
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
