/**
 * Spring's cache abstraction over Cachet: {@link dev.cachet.spring.cache.CachetCacheManager} serves the caches of a
 * {@code CacheRegistry} as {@link dev.cachet.spring.cache.CachetSpringCache}s, so {@code @Cacheable}, {@code
 * @CachePut}, {@code @CacheEvict} and Actuator's {@code caches} endpoint work with them.
 */
@NullMarked
package dev.cachet.spring.cache;

import org.jspecify.annotations.NullMarked;
