package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheRegistry;
import dev.cachet.metrics.CachetMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Publishes every cache of Cachet's {@link CacheRegistry} to Micrometer with {@link CachetMetrics#bindAll}: the
 * standard cache meters ({@code cache.gets}, {@code cache.puts}, {@code cache.evictions}, {@code cache.size}, ...)
 * tagged {@code cache=<name>}, for the caches that exist when the application has started and for each one built
 * later. Binds to the application's primary {@link MeterRegistry} (Boot's composite, when it has one), or to each
 * registry when none is primary.
 *
 * <p>Conditional on Micrometer on the class path and a {@link MeterRegistry} bean; runs after Boot's metrics
 * auto-configuration, which defines one.
 */
@AutoConfiguration(
        after = CachetAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({MeterRegistry.class, CachetMetrics.class})
@ConditionalOnBean({MeterRegistry.class, CacheFactory.class})
public final class CachetMetricsAutoConfiguration {

    /** Creates the auto-configuration; Spring calls this. */
    public CachetMetricsAutoConfiguration() {}

    @Bean
    SmartInitializingSingleton cachetMetricsBinding(
            CacheRegistry caches,
            ObjectProvider<DeclaredCaches> declaredCaches,
            ObjectProvider<MeterRegistry> meterRegistries) {
        // Bound once every singleton exists: meter filters and common tags are in place, declared caches built.
        return () -> {
            declaredCaches.getIfAvailable();
            MeterRegistry primary = meterRegistries.getIfUnique();
            if (primary != null) {
                CachetMetrics.bindAll(caches, primary);
            } else {
                meterRegistries.orderedStream().forEach(registry -> CachetMetrics.bindAll(caches, registry));
            }
        };
    }
}
