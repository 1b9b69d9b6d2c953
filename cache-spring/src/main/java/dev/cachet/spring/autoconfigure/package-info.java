/**
 * Cachet's Spring Boot auto-configurations, each conditional and backing off when the application defines its own
 * beans: {@link dev.cachet.spring.autoconfigure.CachetAutoConfiguration} (registry, Redis tier, the caches of {@link
 * dev.cachet.spring.autoconfigure.CachetProperties}), {@link dev.cachet.spring.autoconfigure.CachetAopAutoConfiguration}
 * ({@code @Cached} on beans), {@link dev.cachet.spring.autoconfigure.CachetCacheManagerAutoConfiguration} (Spring's
 * {@code CacheManager}), {@link dev.cachet.spring.autoconfigure.CachetMetricsAutoConfiguration} (Micrometer) and {@link
 * dev.cachet.spring.autoconfigure.CachetHealthAutoConfiguration} (Actuator health). Everything else here is
 * package-private implementation.
 */
@NullMarked
package dev.cachet.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
