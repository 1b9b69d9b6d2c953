package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheRegistry;
import dev.cachet.RemoteConfig;
import dev.cachet.annotation.Cached;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spring.CacheTier;
import dev.cachet.spring.CachetCacheCustomizer;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/**
 * {@code cachet.caches.<name>.refresh-after-write} and {@code @Cached(refreshAfterWrite)} in Spring: a due value is
 * returned and reloaded in the background by the method (the {@code Callable} of {@code @Cacheable(sync = true)}), on
 * local, remote and near caches. A customizer gives every cache a fake ticker and a same-thread executor.
 */
@Timeout(60)
class RefreshAfterWritePropertyTest {
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    private ApplicationContextRunner runner(String tier) {
        CachetCacheCustomizer fakeTime = cache -> {
            cache.builder(builder -> builder.ticker(clock).executor(Runnable::run));
            if (cache.tier() != CacheTier.LOCAL) {
                cache.remoteConfig(RemoteConfig.custom().clock(clock.clock()).build());
            }
        };
        return Contexts.runner()
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class, AopAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withBean(Quotes.class)
                .withBean(RemoteTier.class, () -> this.tier)
                .withBean(CachetCacheCustomizer.class, () -> fakeTime)
                .withPropertyValues(properties(tier));
    }

    private static String[] properties(String tier) {
        List<String> properties = new ArrayList<>(List.of(
                "cachet.caches.quotes.tier=" + tier,
                "cachet.caches.quotes.expire-after-write=5m",
                "cachet.caches.quotes.refresh-after-write=1m"));
        if (!tier.equals("local")) {
            properties.add("cachet.caches.quotes.codec=string");
        }
        if (tier.equals("near")) {
            properties.add("cachet.caches.quotes.near-expire-after-write=2m");
        }
        return properties.toArray(String[]::new);
    }

    @Test
    void aCacheableMethodRefreshesADueValueOnALocalCache() {
        runner("local").run(context -> assertRefreshesThroughCacheable(context.getBean(Quotes.class)));
    }

    @Test
    void aCacheableMethodRefreshesADueValueOnARemoteCache() {
        runner("remote").run(context -> {
            assertRefreshesThroughCacheable(context.getBean(Quotes.class));
            assertThat(context.getBean(CacheRegistry.class)
                            .find("quotes")
                            .orElseThrow()
                            .remoteStats()
                            .orElseThrow()
                            .refreshes())
                    .isEqualTo(1);
        });
    }

    @Test
    void aCacheableMethodRefreshesADueValueOnANearCache() {
        runner("near").run(context -> assertRefreshesThroughCacheable(context.getBean(Quotes.class)));
    }

    private void assertRefreshesThroughCacheable(Quotes quotes) {
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL@1");
        clock.advance(Duration.ofSeconds(59));
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL@1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(quotes.quote("AAPL"))
                .as("due: the old value, and the refresh")
                .isEqualTo("AAPL@1");
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL@2");
    }

    @Test
    void cachedWithRefreshAfterWriteRefreshesThroughTheMethod() {
        runner("local").run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            assertThat(quotes.annotated("AAPL")).isEqualTo("AAPL@1");
            clock.advance(Duration.ofMinutes(1));
            assertThat(quotes.annotated("AAPL")).isEqualTo("AAPL@1");
            assertThat(quotes.annotated("AAPL")).isEqualTo("AAPL@2");
            assertThat(context.getBean(CacheRegistry.class)
                            .find("annotated-quotes")
                            .orElseThrow()
                            .config()
                            .refreshAfterWrite())
                    .contains(Duration.ofMinutes(1));
        });
    }

    @Test
    void aBadRefreshFailsTheStartupNamingTheProperty() {
        for (String value : new String[] {"0s", "-1s"}) {
            Contexts.runner()
                    .withPropertyValues(
                            "cachet.caches.quotes.expire-after-write=5m",
                            "cachet.caches.quotes.refresh-after-write=" + value)
                    .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                            .contains("cachet.caches.quotes.refresh-after-write")
                            .contains("must be positive"));
        }
        Contexts.runner()
                .withPropertyValues(
                        "cachet.caches.quotes.expire-after-write=5m", "cachet.caches.quotes.refresh-after-write=5m")
                .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                        .contains("cachet.caches.quotes.refresh-after-write")
                        .contains("must be shorter than expire-after-write (PT5M)"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** A quote per call: the n-th call returns {@code symbol@n}. */
    static class Quotes {
        private final AtomicInteger calls = new AtomicInteger();

        @Cacheable(cacheNames = "quotes", sync = true)
        public String quote(String symbol) {
            return symbol + "@" + calls.incrementAndGet();
        }

        @Cached(name = "annotated-quotes", expireAfterWrite = "5m", refreshAfterWrite = "1m")
        public String annotated(String symbol) {
            return symbol + "@" + calls.incrementAndGet();
        }
    }
}
