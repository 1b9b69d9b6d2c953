package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;

@RedisTest
class CachetHealthAutoConfigurationTest {

    @Test
    void definesNoIndicatorWithoutARedisTier() {
        Contexts.runner().run(context -> assertThat(context).doesNotHaveBean(HealthIndicator.class));
    }

    @Test
    void definesNoIndicatorWithoutBootsHealthSupport() {
        Contexts.runner()
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .withPropertyValues("cachet.redis.url=" + Contexts.UNREACHABLE_REDIS)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("cachetRedisHealthIndicator"));
    }

    @Test
    void definesNoIndicatorWhenDisabled() {
        Contexts.runner()
                .withPropertyValues(
                        "cachet.redis.url=" + Contexts.UNREACHABLE_REDIS, "management.health.cachet.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(HealthIndicator.class));
    }

    @Test
    void isDownWithTheReasonWhenRedisIsUnreachable() {
        Contexts.runner()
                .withPropertyValues("cachet.redis.url=" + Contexts.UNREACHABLE_REDIS)
                .run(context -> {
                    Health health = context.getBean("cachetRedisHealthIndicator", HealthIndicator.class)
                            .health();
                    assertThat(health).isNotNull();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).containsEntry("tier", "redis://127.0.0.1:1");
                    assertThat((String) health.getDetails().get("error"))
                            .startsWith("CacheUnavailableException")
                            .contains("127.0.0.1:1");
                });
    }

    @Test
    void isUpWhenRedisAnswers(RedisServer redis) {
        Contexts.runner()
                .withPropertyValues(
                        "cachet.redis.url=" + redis.uri(),
                        "cachet.caches.words.tier=remote",
                        "cachet.caches.words.expire-after-write=1m",
                        "cachet.caches.words.codec=string")
                .run(context -> {
                    Health health = context.getBean("cachetRedisHealthIndicator", HealthIndicator.class)
                            .health();
                    assertThat(health).isNotNull();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails())
                            .containsEntry("caches", Map.of("words", Map.of("errors", 0L, "fallbackLoads", 0L)));
                });
    }
}
