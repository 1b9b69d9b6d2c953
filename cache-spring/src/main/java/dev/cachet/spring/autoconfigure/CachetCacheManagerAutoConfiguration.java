package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheRegistry;
import dev.cachet.spring.cache.CachetCacheManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * A Spring {@link CacheManager} backed by Cachet's caches ({@link CachetCacheManager}), so that {@code @Cacheable},
 * {@code @CachePut} and {@code @CacheEvict} (with {@code @EnableCaching}) use them and Actuator's {@code caches}
 * endpoint lists and clears them. Runs before Boot's cache auto-configuration, which then backs off.
 *
 * <p>Backs off when the application defines a {@link CacheManager}, sets {@code spring.cache.type} (choosing another
 * provider), or sets {@code cachet.cache-manager.enabled=false}.
 */
@AutoConfiguration(
        after = CachetAutoConfiguration.class,
        beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass(CacheManager.class)
@ConditionalOnBean(CacheFactory.class)
@ConditionalOnMissingBean(CacheManager.class)
@ConditionalOnBooleanProperty(name = "cachet.cache-manager.enabled", matchIfMissing = true)
@Conditional(OnNoOtherCacheTypeCondition.class)
public final class CachetCacheManagerAutoConfiguration {

    /** Creates the auto-configuration; Spring calls this. */
    public CachetCacheManagerAutoConfiguration() {}

    @Bean
    CachetCacheManager cacheManager(CacheRegistry registry, ObjectProvider<DeclaredCaches> declaredCaches) {
        declaredCaches.getIfAvailable(); // the declared caches are registered before anyone asks for one
        return new CachetCacheManager(registry);
    }
}
