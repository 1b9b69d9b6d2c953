package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.Copier;
import dev.cachet.Memoized;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;

class CachetMetricsAutoConfigurationTest {

    @Test
    void bindsNothingWithoutAMeterRegistry() {
        Contexts.runner()
                .withPropertyValues("cachet.caches.sessions.maximum-size=10")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("cachetMetricsBinding"));
    }

    @Test
    void bindsNothingWithoutMicrometer() {
        Contexts.runner()
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("cachetMetricsBinding"));
    }

    @Test
    void bindsEveryCacheToTheApplicationsMeterRegistry() {
        Contexts.runner()
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("cachet.caches.sessions.maximum-size=10")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    Cache<String, String> sessions =
                            CachetAutoConfigurationTest.cache(context.getBean(CacheRegistry.class), "sessions");
                    sessions.get("s1", id -> "user");
                    sessions.get("s1", id -> "user");
                    assertThat(meters.get("cache.gets")
                                    .tag("cache", "sessions")
                                    .tag("result", "hit")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(1.0);
                    // and a cache built later
                    Cachet.builder("later")
                            .registry(context.getBean(CacheRegistry.class))
                            .build();
                    assertThat(meters.find("cache.size").tag("cache", "later").gauge())
                            .isNotNull();
                });
    }

    @Test
    void bindsANamedMemoInTheApplicationsRegistry() {
        Contexts.runner()
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    Memoized<Integer, Integer> squares = Cachet.memoize(
                            "squares", n -> n * n, 100, Copier.identity(), context.getBean(CacheRegistry.class));
                    squares.apply(3);
                    squares.apply(3);
                    assertThat(meters.get("cache.gets")
                                    .tag("cache", "squares")
                                    .tag("result", "hit")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(1.0);
                    assertThat(meters.get("cache.hit.ratio.recent")
                                    .tag("cache", "squares")
                                    .gauge()
                                    .value())
                            .isEqualTo(0.5);
                });
    }

    @Test
    void bindsToTheRegistryOfBootsMetricsAutoConfiguration() {
        Contexts.runner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class))
                .withPropertyValues("cachet.caches.sessions.maximum-size=10")
                .run(context -> {
                    assertThat(context).hasBean("cachetMetricsBinding");
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.find("cache.gets")
                                    .tag("cache", "sessions")
                                    .functionCounters())
                            .hasSize(2);
                });
    }
}
