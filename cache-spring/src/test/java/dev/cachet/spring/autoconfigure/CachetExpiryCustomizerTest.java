package dev.cachet.spring.autoconfigure;

import static dev.cachet.spring.autoconfigure.CachetAutoConfigurationTest.cache;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Expiry;
import dev.cachet.redis.Codec;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spring.CacheTier;
import dev.cachet.spring.CachetCacheCustomizer;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Per-entry expiry in Spring Boot: a {@link CachetCacheCustomizer} gives a declared cache its {@link Expiry}. */
class CachetExpiryCustomizerTest {
    /** A value "name:seconds" lives that many seconds. */
    private static final Expiry<Object, Object> OWN_TTL = Expiry.writing((Object key, Object value) ->
            Duration.ofSeconds(Long.parseLong(value.toString().split(":")[1])));

    private final FakeTicker ticker = new FakeTicker();

    private CachetCacheCustomizer customizer() {
        return cache -> {
            if (cache.name().equals("tokens")) {
                cache.expiry(OWN_TTL).builder(builder -> builder.ticker(ticker));
                if (cache.tier() != CacheTier.LOCAL) {
                    cache.codec(Codec.string());
                }
            }
        };
    }

    @Test
    void aLocalCacheTakesItsExpiryFromACustomizer() {
        Contexts.runner()
                .withBean(CachetCacheCustomizer.class, this::customizer)
                .withPropertyValues("cachet.caches.tokens.maximum-size=100")
                .run(context -> {
                    Cache<String, String> tokens = cache(context.getBean(CacheRegistry.class), "tokens");
                    tokens.put("billing", "t:5");
                    tokens.put("search", "t:50");
                    tokens.put("explicit", "t:50", Duration.ofSeconds(2));
                    ticker.advance(Duration.ofSeconds(6));
                    assertThat(tokens.getIfPresent("billing")).isNull();
                    assertThat(tokens.getIfPresent("explicit")).isNull();
                    assertThat(tokens.getIfPresent("search")).isEqualTo("t:50");
                });
    }

    @Test
    void aNearCacheNeedsNoExpireAfterWriteWhenACustomizerGivesAnExpiry() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(ticker);
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withBean(CachetCacheCustomizer.class, this::customizer)
                .withPropertyValues("cachet.caches.tokens.tier=near", "cachet.caches.tokens.near-expire-after-write=1m")
                .run(context -> {
                    Cache<String, String> tokens = cache(context.getBean(CacheRegistry.class), "tokens");
                    assertThat(tokens.config().expireAfterWrite()).isEmpty();
                    tokens.put("billing", "t:5");
                    assertThat(tokens.getIfPresent("billing")).isEqualTo("t:5");
                    ticker.advance(Duration.ofSeconds(6));
                    assertThat(tokens.getIfPresent("billing"))
                            .as("gone from Redis and from the near tier after its own 5 s")
                            .isNull();
                });
    }

    @Test
    void anExpiryAndAFixedExpiryInThePropertiesFailTheStartupNamingTheProperty() {
        Contexts.runner()
                .withBean(CachetCacheCustomizer.class, this::customizer)
                .withPropertyValues("cachet.caches.tokens.expire-after-write=1m")
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("cachet.caches.tokens.expire-after-write", "cannot be combined with the Expiry"));
    }

    @Test
    void aRemoteCacheWithoutExpireAfterWriteOrExpiryStillFailsTheStartup() {
        Contexts.runner()
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(ticker))
                .withPropertyValues("cachet.caches.prices.tier=remote", "cachet.caches.prices.codec=string")
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("cachet.caches.prices.expire-after-write", "or a per-entry Expiry"));
    }
}
