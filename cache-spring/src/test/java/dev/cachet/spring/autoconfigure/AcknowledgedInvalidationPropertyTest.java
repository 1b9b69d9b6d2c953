package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.NearStats;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code cachet.caches.<name>.acknowledged-invalidation} in Spring: a near cache built with it waits for the other
 * processes' acknowledgements on each write and counts them; a bad value, or the property on a local or remote cache,
 * fails the startup naming the property. The in-memory tier delivers on the writer's thread, so it acknowledges every
 * message.
 */
@Timeout(60)
class AcknowledgedInvalidationPropertyTest {
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(new FakeTicker());

    private ApplicationContextRunner runner(String tierName, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "cachet.caches.stock.tier=" + tierName,
                "cachet.caches.stock.expire-after-write=1m",
                "cachet.caches.stock.codec=long"));
        if (tierName.equals("near")) {
            properties.add("cachet.caches.stock.near-expire-after-write=5s");
        }
        properties.addAll(List.of(more));
        return Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(properties.toArray(String[]::new));
    }

    @Test
    void aNearCacheWithThePropertyCountsItsWritesAsAcknowledged() {
        runner("near", "cachet.caches.stock.acknowledged-invalidation=100ms").run(context -> {
            assertThat(context).hasNotFailed();
            Cache<String, Long> stock = stock(context.getBean(CacheRegistry.class));
            stock.put("AAPL", 3L);
            stock.invalidate("AAPL");
            NearStats stats = stock.nearStats().orElseThrow();
            assertThat(stats.acknowledged()).isEqualTo(2);
            assertThat(stats.unacknowledged()).isZero();
        });
    }

    @Test
    void withoutThePropertyANearCacheDoesNotWait() {
        runner("near").run(context -> {
            Cache<String, Long> stock = stock(context.getBean(CacheRegistry.class));
            stock.put("AAPL", 3L);
            assertThat(stock.nearStats().orElseThrow().acknowledged()).isZero();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-100ms"})
    void aWaitThatIsNotPositiveFailsTheStartupNamingTheProperty(String value) {
        runner("near", "cachet.caches.stock.acknowledged-invalidation=" + value)
                .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                        .contains("cachet.caches.stock.acknowledged-invalidation")
                        .contains("must be positive"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "remote"})
    void onACacheWithoutANearTierThePropertyFailsTheStartup(String tierName) {
        ApplicationContextRunner runner = tierName.equals("local")
                ? Contexts.runner()
                        .withPropertyValues(
                                "cachet.caches.stock.maximum-size=10",
                                "cachet.caches.stock.acknowledged-invalidation=100ms")
                : runner(tierName, "cachet.caches.stock.acknowledged-invalidation=100ms");
        runner.run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
                .contains("cachet.caches.stock.acknowledged-invalidation")
                .contains("applies to near caches only"));
    }

    private static Cache<String, Long> stock(CacheRegistry registry) {
        return CachetAutoConfigurationTest.cache(registry, "stock");
    }
}
