package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheRegistry;
import dev.cachet.redis.RedisTier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * A health indicator for Cachet's Redis tier, shown as {@code cachetRedis} in Actuator's {@code health} endpoint: UP
 * when Redis answers, DOWN with the reason when it does not (while callers keep working as their failure policy
 * says). Conditional on Boot's health support on the class path, a {@link RedisTier} bean, and {@code
 * management.health.cachet.enabled} (default true); backs off when the application defines a bean named {@code
 * cachetRedisHealthIndicator}.
 */
@AutoConfiguration(
        after = CachetAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean({RedisTier.class, CacheFactory.class})
@ConditionalOnEnabledHealthIndicator("cachet")
public final class CachetHealthAutoConfiguration {

    /** Creates the auto-configuration; Spring calls this. */
    public CachetHealthAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean(name = "cachetRedisHealthIndicator")
    HealthIndicator cachetRedisHealthIndicator(RedisTier redisTier, CacheRegistry caches) {
        return new RedisTierHealthIndicator(redisTier, caches);
    }
}
