package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.redis.RedisTier;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spring.CachetCacheCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Cachet's core beans: a {@link CacheRegistry} of the application's own (never the static default registry, so that
 * two contexts in one JVM, such as tests, keep their caches apart), a {@link RedisTier} when {@code cachet.redis.url}
 * or {@code cachet.redis.cluster.nodes} is set, and the caches declared under {@code cachet.caches}, built at startup.
 *
 * <p>Backs off: the registry when the application defines a {@link CacheRegistry}, the Redis tier when it defines a
 * {@link RemoteTier} (which the declared caches then use), everything when {@code cachet.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(Cachet.class)
@ConditionalOnBooleanProperty(name = "cachet.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CachetProperties.class)
public final class CachetAutoConfiguration {

    /** Creates the auto-configuration; Spring calls this. */
    public CachetAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    CacheRegistry cachetCacheRegistry() {
        return CacheRegistry.create();
    }

    @Bean
    CacheFactory cachetCacheFactory(
            CacheRegistry registry,
            ObjectProvider<RemoteTier> remoteTier,
            ObjectProvider<CachetCacheCustomizer> customizers) {
        return new CacheFactory(
                registry, remoteTier.getIfUnique(), customizers.orderedStream().toList());
    }

    @Bean
    DeclaredCaches cachetDeclaredCaches(CachetProperties properties, CacheFactory factory) {
        return new DeclaredCaches(properties, factory);
    }

    /** The Redis tier, when Jedis is present and {@code cachet.redis} names a server or Cluster. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "redis.clients.jedis.UnifiedJedis")
    @Conditional(OnRedisConfiguredCondition.class)
    static class RedisTierConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(RemoteTier.class)
        RedisTier cachetRedisTier(CachetProperties properties) {
            return RedisTiers.create(properties.redis());
        }
    }
}
