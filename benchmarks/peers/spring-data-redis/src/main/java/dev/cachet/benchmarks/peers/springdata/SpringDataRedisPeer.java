package dev.cachet.benchmarks.peers.springdata;

import dev.cachet.benchmarks.peers.Peer;
import dev.cachet.benchmarks.peers.PeerCache;
import dev.cachet.benchmarks.peers.Variant;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.cache.autoconfigure.RedisCacheManagerBuilderCustomizer;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Spring Boot 4.1.2's {@code RedisCacheManager}, exactly as Boot's auto-configuration sets it up from properties
 * (Lettuce, one shared connection), with the default cache writer ({@code spring-default}) and with the locking one
 * ({@code spring-locking}), which Boot sets up through a {@link RedisCacheManagerBuilderCustomizer}.
 */
public final class SpringDataRedisPeer implements Peer {
    private static final String CACHE = "peers";

    private static final List<String> COMMON = List.of(
            "Spring Boot 4.1.2 application context (no web), `@EnableCaching`, Boot's auto-configuration only:"
                    + " `spring.cache.type=redis`, `spring.cache.cache-names=peers`,"
                    + " `spring.cache.redis.time-to-live=10m`, `spring.data.redis.host`/`port`",
            "Lettuce 7.5 (Boot's default client): one shared native connection, no pool",
            "Boot's `RedisCacheConfiguration`: keys `peers::<key>` (String serializer), values by"
                    + " `JdkSerializationRedisSerializer` (Boot's default; Boot sets no other)",
            "read: `cache.get(key, valueLoader)` (what `@Cacheable(sync = true)` calls); write: `cache.put(key, value)`;"
                    + " no bulk read in Spring's `Cache`: `getAll` is a loop over `cache.get(key, String.class)`");

    private static final String DEFAULT_PROTECTION = "stampede protection: `@Cacheable(sync = true)`, i.e."
            + " `cache.get(key, valueLoader)`; `RedisCache` hands the load to its cache writer, and the default writer"
            + " holds no lock, in the JVM or across JVMs";

    /** Creates the peer; the service loader calls this. */
    public SpringDataRedisPeer() {}

    @Override
    public String library() {
        return "Spring Data Redis " + RedisCacheWriter.class.getPackage().getImplementationVersion()
                + " (Spring Boot 4.1.2)";
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant(
                        "spring-default",
                        "Spring Data Redis `RedisCacheManager`, default writer",
                        Variant.Tier.REDIS,
                        false,
                        Variant.lines(COMMON, DEFAULT_PROTECTION)),
                new Variant(
                        "spring-locking",
                        "Spring Data Redis `RedisCacheManager`, locking writer",
                        Variant.Tier.REDIS,
                        false,
                        Variant.lines(
                                COMMON,
                                "a `RedisCacheManagerBuilderCustomizer` bean:"
                                        + " `builder.cacheWriter(RedisCacheWriter.lockingRedisCacheWriter(factory))`"
                                        + " (a lock key per cache; every read first checks that no lock is held)",
                                "stampede protection: `@Cacheable(sync = true)` as above; the locking writer takes its"
                                        + " Redis lock (one per cache) around the load")));
    }

    @Override
    public PeerCache open(String variantId, String host, int port, Duration ttl) {
        Variant variant = variant(variantId);
        // Boot's own logging system would look for Logback or Log4j 2; the harness logs through slf4j-simple.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        Class<?> app = variant.id().equals("spring-locking") ? LockingApp.class : DefaultApp.class;
        ConfigurableApplicationContext context = new SpringApplicationBuilder(app)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.main.banner-mode=off",
                        "spring.cache.type=redis",
                        "spring.cache.cache-names=" + CACHE,
                        "spring.cache.redis.time-to-live=" + ttl.toMillis() + "ms",
                        "spring.data.redis.host=" + host,
                        "spring.data.redis.port=" + port)
                .run();
        Cache cache = Objects.requireNonNull(
                context.getBean(CacheManager.class).getCache(CACHE), "Boot made no cache " + CACHE);
        return PeerCache.of(
                (key, loader) -> cache.get(key, () -> loader.apply(key)),
                cache::put,
                keys -> PeerCache.readEach(keys, key -> cache.get(key, String.class)),
                context::close);
    }

    /** The application with Boot's defaults. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableCaching
    static class DefaultApp {}

    /** The application with the locking cache writer. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableCaching
    static class LockingApp {
        @Bean
        RedisCacheManagerBuilderCustomizer lockingWriter(RedisConnectionFactory factory) {
            return builder -> builder.cacheWriter(RedisCacheWriter.lockingRedisCacheWriter(factory));
        }
    }
}
