package dev.cachet.spring.autoconfigure;

import static dev.cachet.spring.autoconfigure.Contexts.UNREACHABLE_REDIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.cachet.Cache;
import dev.cachet.CacheConfig;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheUnavailableException;
import dev.cachet.Copier;
import dev.cachet.FailurePolicy;
import dev.cachet.RemoteConfig;
import dev.cachet.Ticker;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spring.CacheTier;
import dev.cachet.spring.CachetCacheCustomizer;
import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.FilteredClassLoader;

class CachetAutoConfigurationTest {

    @Test
    void givesEachContextAFreshRegistry() {
        Contexts.runner()
                .run(first -> Contexts.runner().run(second -> {
                    CacheRegistry registry = first.getBean(CacheRegistry.class);
                    assertThat(registry)
                            .isNotSameAs(CacheRegistry.defaultRegistry())
                            .isNotSameAs(second.getBean(CacheRegistry.class));
                }));
    }

    @Test
    void backsOffForTheApplicationsRegistry() {
        CacheRegistry own = CacheRegistry.create();
        Contexts.runner()
                .withBean(CacheRegistry.class, () -> own)
                .withPropertyValues("cachet.caches.sessions.maximum-size=10")
                .run(context -> {
                    assertThat(context).getBean(CacheRegistry.class).isSameAs(own);
                    assertThat(own.find("sessions")).isPresent();
                });
    }

    @Test
    void isOffWhenDisabled() {
        Contexts.runner()
                .withPropertyValues("cachet.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(CacheRegistry.class)
                        .doesNotHaveBean(CacheFactory.class)
                        .doesNotHaveBean(org.springframework.cache.CacheManager.class)
                        .doesNotHaveBean(org.springframework.aop.Advisor.class));
    }

    @Test
    void definesNoRedisTierWithoutRedisProperties() {
        Contexts.runner().run(context -> assertThat(context).doesNotHaveBean(RemoteTier.class));
    }

    @Test
    void definesNoRedisTierWithoutJedis() {
        Contexts.runner()
                .withClassLoader(new FilteredClassLoader("redis.clients.jedis"))
                .withPropertyValues("cachet.redis.url=" + UNREACHABLE_REDIS)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RemoteTier.class));
    }

    @Test
    void connectsToTheRedisUrlAndClosesTheTierOnShutdown() {
        List<RedisTier> tiers = new ArrayList<>();
        Contexts.runner()
                .withPropertyValues(
                        "cachet.redis.url=" + UNREACHABLE_REDIS,
                        "cachet.redis.key-prefix=app1",
                        "cachet.redis.socket-timeout=50ms")
                .run(context -> {
                    assertThat(context).hasSingleBean(RedisTier.class);
                    RedisTier tier = context.getBean(RedisTier.class);
                    assertThat(tier.describe()).contains("127.0.0.1:1");
                    assertThat(tier.config().keyPrefix()).isEqualTo("app1");
                    assertThat(tier.config().socketTimeout()).isEqualTo(Duration.ofMillis(50));
                    tiers.add(tier);
                });
        assertThatThrownBy(() -> tiers.get(0).store("any").get("key"))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void readsClusterNodesToo() {
        Contexts.runner()
                .withPropertyValues("cachet.redis.cluster.nodes[0]=no-port")
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("cachet.redis.cluster.nodes[0]", "host:port"));
    }

    @Test
    void backsOffForTheApplicationsRemoteTierAndBuildsCachesOnIt() {
        InMemoryRemoteTier own = new InMemoryRemoteTier(Ticker.systemTicker());
        Contexts.runner()
                .withBean(RemoteTier.class, () -> own)
                .withPropertyValues(
                        "cachet.redis.url=" + UNREACHABLE_REDIS,
                        "cachet.caches.names.tier=remote",
                        "cachet.caches.names.expire-after-write=1m",
                        "cachet.caches.names.codec=string")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(RedisTier.class);
                    Cache<String, String> names = cache(context.getBean(CacheRegistry.class), "names");
                    names.put("k", "v");
                    assertThat(own.calls()).isPositive();
                    assertThat(names.getIfPresent("k")).isEqualTo("v");
                });
    }

    @Test
    void buildsTheDeclaredLocalCaches() {
        Contexts.runner()
                .withPropertyValues(
                        "cachet.caches.sessions.maximum-size=10000",
                        "cachet.caches.sessions.expire-after-access=10m",
                        "cachet.caches.tokens.expire-after-write=30s")
                .run(context -> {
                    CacheRegistry registry = context.getBean(CacheRegistry.class);
                    assertThat(registry.names()).containsExactlyInAnyOrder("sessions", "tokens");
                    CacheConfig sessions =
                            registry.find("sessions").orElseThrow().config();
                    assertThat(sessions.maximumSize()).isEqualTo(OptionalLong.of(10_000));
                    assertThat(sessions.expireAfterAccess()).contains(Duration.ofMinutes(10));
                    assertThat(registry.find("tokens").orElseThrow().config().expireAfterWrite())
                            .contains(Duration.ofSeconds(30));
                });
    }

    @Test
    void theIssuesNearCacheExampleWorksWithMaximumSizeAsTheNearBound() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(
                        "cachet.caches.prices.maximum-size=10000",
                        "cachet.caches.prices.expire-after-write=30s",
                        "cachet.caches.prices.tier=near",
                        "cachet.caches.prices.near-expire-after-write=5s",
                        "cachet.caches.prices.value-type=" + Prices.Price.class.getName())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Cache<String, Prices.Price> prices = cache(context.getBean(CacheRegistry.class), "prices");
                    assertThat(prices.nearStats()).isPresent();
                    assertThat(prices.config().expireAfterWrite()).contains(java.time.Duration.ofSeconds(30));
                });
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(
                        "cachet.caches.prices.maximum-size=10000",
                        "cachet.caches.prices.near-maximum-size=100",
                        "cachet.caches.prices.expire-after-write=30s",
                        "cachet.caches.prices.tier=near",
                        "cachet.caches.prices.near-expire-after-write=5s",
                        "cachet.caches.prices.value-type=" + Prices.Price.class.getName())
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.caches.prices.near-maximum-size")));
    }

    @Test
    void buildsNearCachesWithAJsonCodecOfTheValueType() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(
                        "cachet.caches.prices.tier=near",
                        "cachet.caches.prices.expire-after-write=30s",
                        "cachet.caches.prices.near-expire-after-write=5s",
                        "cachet.caches.prices.near-maximum-size=1000",
                        "cachet.caches.prices.value-type=" + Prices.Price.class.getName(),
                        "cachet.caches.prices.failure-policy=fail-closed")
                .run(context -> {
                    Cache<String, Prices.Price> prices = cache(context.getBean(CacheRegistry.class), "prices");
                    prices.put("AAPL", new Prices.Price("AAPL", 190_00));
                    assertThat(new String(tier.raw("prices", "s:AAPL"), java.nio.charset.StandardCharsets.UTF_8))
                            .contains("\"symbol\":\"AAPL\"");
                    assertThat(prices.nearStats()).isPresent();
                    tier.setDown(true);
                    // fail-closed: a miss that needs the tier fails instead of loading
                    assertThatThrownBy(() -> prices.get("MSFT", symbol -> new Prices.Price(symbol, 1)))
                            .isInstanceOf(CacheUnavailableException.class);
                });
    }

    @Test
    void letsACustomizerSetTheCodecCopierAndRemoteConfig() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        List<String> seen = new ArrayList<>();
        CachetCacheCustomizer customizer = cache -> {
            seen.add(cache.name() + ":" + cache.tier());
            if (cache.tier() == CacheTier.NEAR) {
                cache.codec(Codec.string())
                        .copier(Copier.identity())
                        .remoteConfig(RemoteConfig.custom()
                                .failurePolicy(FailurePolicy.FAIL_OPEN)
                                .build());
            }
            cache.builder(builder -> builder.hitRatioWarning(0, 1));
        };
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withBean(CachetCacheCustomizer.class, () -> customizer)
                .withPropertyValues(
                        "cachet.caches.labels.tier=near",
                        "cachet.caches.labels.expire-after-write=1m",
                        "cachet.caches.labels.near-expire-after-write=1s",
                        "cachet.caches.plain.maximum-size=5")
                .run(context -> {
                    assertThat(seen).containsExactly("labels:NEAR", "plain:LOCAL");
                    CacheRegistry registry = context.getBean(CacheRegistry.class);
                    assertThat(registry.find("labels").orElseThrow().config().hitRatioThreshold())
                            .isZero();
                    Cache<String, String> labels = cache(registry, "labels");
                    labels.put("a", "b");
                    assertThat(labels.getIfPresent("a")).isEqualTo("b");
                });
    }

    @Test
    void rejectsAnOptionSetByBothPropertiesAndACustomizer() {
        Contexts.runner()
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(Ticker.systemTicker()))
                .withBean(CachetCacheCustomizer.class, () -> cache -> cache.codec(Codec.longs()))
                .withPropertyValues(
                        "cachet.caches.counts.tier=remote",
                        "cachet.caches.counts.expire-after-write=1m",
                        "cachet.caches.counts.codec=integer")
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("codec of cache 'counts' is set twice", "cachet.caches.counts.codec", "customizer"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "cachet.caches.prices.maximum-size, -1, cachet.caches.prices.maximum-size",
        "cachet.caches.prices.expire-after-write, 30 parsecs, cachet.caches.prices.expire-after-write",
        "cachet.caches.prices.expire-after-access, -5s, cachet.caches.prices.expire-after-access",
        "cachet.caches.prices.tier, nearby, cachet.caches.prices.tier",
        "cachet.caches.prices.tier, near, cachet.caches.prices.tier",
        "cachet.caches.prices.tier, remote, cachet.caches.prices.tier",
        "cachet.caches.prices.value-type, com.example.NoSuchPrice, cachet.caches.prices.value-type",
        "cachet.caches.prices.near-maximum-size, 10, cachet.caches.prices.near-maximum-size",
        "cachet.caches.prices.codec, string, cachet.caches.prices.codec",
        "cachet.caches.prices.copier, cloning, cachet.caches.prices.copier",
        "cachet.redis.url, http://localhost:6379, cachet.redis.url",
        "cachet.redis.key-prefix, a:b, cachet.redis.key-prefix",
        "cachet.redis.max-connections, 0, cachet.redis.max-connections",
        "cachet.redis.cluster.nodes, localhost:1, cachet.redis.cluster.nodes",
    })
    void failsTheStartupNamingTheWrongProperty(String property, String value, String named) {
        List<String> base = new ArrayList<>(List.of(property + "=" + value));
        if (property.startsWith("cachet.redis.") && !property.equals("cachet.redis.url")) {
            base.add("cachet.redis.url=" + UNREACHABLE_REDIS);
        }
        Contexts.runner()
                .withPropertyValues(base.toArray(new String[0]))
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure ->
                                assertThat(Contexts.messages(failure)).contains(named)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "expire-after-write=1m; maximum-size=10 | prices.maximum-size | applies to local caches only",
                "expire-after-write=1m; expire-after-access=1m | prices.expire-after-access | applies to local",
                "expire-after-write=0s | prices.expire-after-write | positive expire-after-write",
                "value-type=PRICE | prices.expire-after-write | positive expire-after-write",
                "expire-after-write=1m; codec=json | prices.value-type | codec json needs value-type",
                "expire-after-write=1m; value-type=java.lang.Object | prices.value-type | must name the class",
                "expire-after-write=1m; codec=long; value-type=PRICE | prices.value-type | applies to codec json only",
                "expire-after-write=1m; value-type=PRICE; copier=identity | prices.copier | local and near caches only",
                "expire-after-write=1m; value-type=PRICE; near-maximum-size=1 | prices.near-maximum-size | near",
            })
    void rejectsRemoteSettingsThatCannotWork(String settings, String named, String reason) {
        List<String> properties = new ArrayList<>(List.of("cachet.caches.prices.tier=remote"));
        for (String setting : settings.split(";", -1)) {
            properties.add("cachet.caches.prices." + setting.strip().replace("PRICE", Prices.Price.class.getName()));
        }
        Contexts.runner()
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(Ticker.systemTicker()))
                .withPropertyValues(properties.toArray(new String[0]))
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.caches." + named)
                                .contains(reason)));
    }

    @Test
    void asksNearCachesForTheirLocalTimeToLive() {
        Contexts.runner()
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(Ticker.systemTicker()))
                .withPropertyValues(
                        "cachet.caches.prices.tier=near",
                        "cachet.caches.prices.expire-after-write=1m",
                        "cachet.caches.prices.codec=string")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.caches.prices.near-expire-after-write")));
    }

    @Test
    void asksForACodecForRemoteCaches() {
        Contexts.runner()
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(Ticker.systemTicker()))
                .withPropertyValues("cachet.caches.prices.tier=remote", "cachet.caches.prices.expire-after-write=1m")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.caches.prices.value-type")
                                .contains("CachetCacheCustomizer")));
    }

    @Test
    void rejectsAUrlTogetherWithClusterNodes() {
        Contexts.runner()
                .withPropertyValues("cachet.redis.url=" + UNREACHABLE_REDIS, "cachet.redis.cluster.nodes=h:1")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.redis.cluster.nodes")
                                .contains("cannot be combined with cachet.redis.url")));
    }

    @Test
    void neverShowsThePasswordOfAUrl() {
        Contexts.runner()
                .withPropertyValues("cachet.redis.url=redis://user:s3cret@localhost:6379/x")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.redis.url")
                                .doesNotContain("s3cret")));
    }

    @SuppressWarnings("unchecked")
    static <K, V> Cache<K, V> cache(CacheRegistry registry, String name) {
        Optional<Cache<?, ?>> cache = registry.find(name);
        assertThat(cache).as("cache '%s'", name).isPresent();
        return (Cache<K, V>) cache.get();
    }
}
