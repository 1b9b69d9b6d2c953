/**
 * What Spring applications use of Cachet besides the core API: {@link dev.cachet.spring.CachetCacheCustomizer} beans
 * that adjust the caches the integration builds, the {@link dev.cachet.spring.CacheTier tiers} a cache declared in
 * properties can have, and {@link dev.cachet.spring.KeyExpression @KeyExpression}, a SpEL key for {@code @Cached}
 * methods of Spring beans. The auto-configurations live in {@code dev.cachet.spring.autoconfigure}, the Spring {@code
 * CacheManager} in {@code dev.cachet.spring.cache}.
 */
@NullMarked
package dev.cachet.spring;

import org.jspecify.annotations.NullMarked;
