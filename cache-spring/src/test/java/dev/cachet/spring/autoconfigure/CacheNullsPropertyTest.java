package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheRegistry;
import dev.cachet.annotation.Cached;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/**
 * {@code cachet.caches.<name>.cache-nulls}: {@code @Cacheable} methods that return {@code null} on an in-memory, a
 * Redis and a near cache, with Spring's contract for null values; and {@code @Cached(cacheNulls)} in Spring.
 */
@RedisTest
class CacheNullsPropertyTest {

    private static ApplicationContextRunner runner(RedisServer redis) {
        String prefix = "nulls-" + UUID.randomUUID();
        return Contexts.runner()
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class, AopAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withBean(Directory.class)
                .withPropertyValues(
                        "cachet.redis.url=" + redis.uri(),
                        "cachet.redis.key-prefix=" + prefix,
                        "cachet.caches.local-users.cache-nulls=30s",
                        "cachet.caches.remote-users.tier=remote",
                        "cachet.caches.remote-users.expire-after-write=1m",
                        "cachet.caches.remote-users.codec=string",
                        "cachet.caches.remote-users.cache-nulls=30s",
                        "cachet.caches.near-users.tier=near",
                        "cachet.caches.near-users.expire-after-write=1m",
                        "cachet.caches.near-users.near-expire-after-write=10s",
                        "cachet.caches.near-users.codec=string",
                        "cachet.caches.near-users.cache-nulls=30s",
                        "cachet.caches.plain-users.maximum-size=10");
    }

    @Test
    void cacheableMethodsReturningNullAreCalledOncePerKeyOnEveryTier(RedisServer redis) {
        runner(redis).run(context -> {
            assertThat(context).hasNotFailed();
            Directory directory = context.getBean(Directory.class);
            CacheManager manager = context.getBean(CacheManager.class);
            for (String name : new String[] {"local-users", "remote-users", "near-users"}) {
                assertThat(find(directory, name, "u1")).isNull();
                assertThat(find(directory, name, "u1")).isNull();
                assertThat(findSync(directory, name, "u2")).isNull();
                assertThat(findSync(directory, name, "u2")).isNull();
                assertThat(directory.calls(name)).as(name).isEqualTo(2);

                Cache cache = manager.getCache(name);
                assertThat(cache).isNotNull();
                Cache.ValueWrapper wrapper = cache.get("u1");
                assertThat(wrapper).as(name + ": a cached null").isNotNull();
                assertThat(wrapper.get()).isNull();
                assertThat(cache.get("u3")).as(name + ": absent").isNull();
                assertThat(context.getBean(CacheRegistry.class)
                                .find(name)
                                .orElseThrow()
                                .config()
                                .cacheNulls())
                        .contains(Duration.ofSeconds(30));
            }
            Contexts.checkInvariants(context);
        });
    }

    @Test
    void withoutThePropertyANullIsNotCached(RedisServer redis) {
        runner(redis).run(context -> {
            Directory directory = context.getBean(Directory.class);
            assertThat(find(directory, "plain-users", "u1")).isNull();
            assertThat(find(directory, "plain-users", "u1")).isNull();
            assertThat(directory.calls("plain-users")).isEqualTo(2);
            assertThat(context.getBean(CacheManager.class)
                            .getCache("plain-users")
                            .get("u1"))
                    .isNull();
        });
    }

    @Test
    void cachedWithCacheNullsCachesTheMethodsNull(RedisServer redis) {
        runner(redis).run(context -> {
            Directory directory = context.getBean(Directory.class);
            assertThat(directory.annotated("u1")).isNull();
            assertThat(directory.annotated("u1")).isNull();
            assertThat(directory.calls("annotated")).isEqualTo(1);
        });
    }

    @Test
    void aZeroOrNegativeTtlFailsTheStartupNamingTheProperty() {
        for (String value : new String[] {"0s", "-1s"}) {
            Contexts.runner()
                    .withPropertyValues("cachet.caches.users.cache-nulls=" + value)
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(Contexts.messages(context.getStartupFailure()))
                                .contains("cachet.caches.users.cache-nulls")
                                .contains("must be positive");
                    });
        }
    }

    /** Calls the cache's method through the proxy: a call inside the bean would bypass it. */
    private static @Nullable String find(Directory directory, String cache, String id) {
        return switch (cache) {
            case "local-users" -> directory.findLocal(id);
            case "remote-users" -> directory.findRemote(id);
            case "near-users" -> directory.findNear(id);
            case "plain-users" -> directory.findPlain(id);
            default -> throw new IllegalArgumentException(cache);
        };
    }

    private static @Nullable String findSync(Directory directory, String cache, String id) {
        return switch (cache) {
            case "local-users" -> directory.findLocalSync(id);
            case "remote-users" -> directory.findRemoteSync(id);
            case "near-users" -> directory.findNearSync(id);
            default -> throw new IllegalArgumentException(cache);
        };
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** Finds nobody; counts its calls per cache. */
    static class Directory {
        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        public int calls(String cache) {
            return calls.computeIfAbsent(cache, unused -> new AtomicInteger()).get();
        }

        private @Nullable String nobody(String cache) {
            calls.computeIfAbsent(cache, unused -> new AtomicInteger()).incrementAndGet();
            return null;
        }

        @Cacheable("local-users")
        public @Nullable String findLocal(String id) {
            return nobody("local-users");
        }

        @Cacheable(cacheNames = "local-users", sync = true)
        public @Nullable String findLocalSync(String id) {
            return nobody("local-users");
        }

        @Cacheable("remote-users")
        public @Nullable String findRemote(String id) {
            return nobody("remote-users");
        }

        @Cacheable(cacheNames = "remote-users", sync = true)
        public @Nullable String findRemoteSync(String id) {
            return nobody("remote-users");
        }

        @Cacheable("near-users")
        public @Nullable String findNear(String id) {
            return nobody("near-users");
        }

        @Cacheable(cacheNames = "near-users", sync = true)
        public @Nullable String findNearSync(String id) {
            return nobody("near-users");
        }

        @Cacheable("plain-users")
        public @Nullable String findPlain(String id) {
            return nobody("plain-users");
        }

        @Cached(name = "annotated", cacheNulls = "30s")
        public @Nullable String annotated(String id) {
            return nobody("annotated");
        }
    }
}
