package dev.cachet.spring.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.cache.Cache;

/**
 * Spring's asynchronous cache contract ({@code retrieve(key)} and {@code retrieve(key, valueLoader)}) on an in-memory
 * cache, a Redis cache and a near cache over Redis.
 */
@RedisTest
class CachetSpringCacheRetrieveTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static RedisServer redis;

    enum Tier {
        IN_MEMORY,
        REDIS,
        NEAR
    }

    private final List<RedisTier> tiers = new ArrayList<>();
    private final List<dev.cachet.Cache<?, ?>> caches = new ArrayList<>();

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
    }

    @AfterEach
    void checkAndDisconnect() {
        try {
            for (dev.cachet.Cache<?, ?> cache : caches) {
                CacheInvariants.check(cache);
                assertThat(CacheInvariants.loadsInFlight(cache)).isZero();
            }
        } finally {
            tiers.forEach(RedisTier::close);
        }
    }

    private CachetSpringCache cache(Tier tier) {
        CacheBuilder<Object, Object> builder = Cachet.builder("retrieve-" + NAMES.incrementAndGet())
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1));
        dev.cachet.Cache<?, ?> cachet;
        if (tier == Tier.IN_MEMORY) {
            cachet = builder.build();
        } else {
            RedisTier redisTier = RedisTier.connect(redis.uri());
            tiers.add(redisTier);
            CacheBuilder<Object, String> remote = builder.remote(redisTier, Codec.string());
            if (tier == Tier.NEAR) {
                remote.nearCache(100, Duration.ofMinutes(1));
            }
            cachet = remote.<String, String>build();
        }
        caches.add(cachet);
        return new CachetSpringCache(cachet);
    }

    /** Spring allows {@code null} (known absent at once) or a future of {@code null} (found absent later). */
    private static Object retrieved(Cache cache, Object key) {
        CompletableFuture<?> future = cache.retrieve(key);
        return future == null
                ? null
                : future.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void retrieveOfAnAbsentKeyIsNullOrAFutureOfNull(Tier tier) {
        CachetSpringCache cache = cache(tier);

        CompletableFuture<?> absent = cache.retrieve("AAPL");

        if (tier == Tier.IN_MEMORY) {
            assertThat(absent).as("an in-memory cache knows at once").isNull();
        } else {
            assertThat(absent).isNotNull().succeedsWithin(AWAIT).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void retrieveOfAPresentKeyIsAFutureOfItsValue(Tier tier) {
        CachetSpringCache cache = cache(tier);
        cache.put("AAPL", "187.5");

        assertThat(retrieved(cache, "AAPL")).isEqualTo("187.5");
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void retrieveWithALoaderCachesTheValueOfItsFutureAndCallsItOnlyOnAMiss(Tier tier) {
        CachetSpringCache cache = cache(tier);
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> loaded = cache.retrieve("AAPL", () -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture("187.5");
        });

        assertThat(loaded).succeedsWithin(AWAIT).isEqualTo("187.5");
        assertThat(cache.retrieve("AAPL", () -> {
                    calls.incrementAndGet();
                    return CompletableFuture.completedFuture("other");
                }))
                .succeedsWithin(AWAIT)
                .isEqualTo("187.5");
        assertThat(calls).hasValue(1);
        assertThat(cache.get("AAPL"))
                .isNotNull()
                .extracting(Cache.ValueWrapper::get)
                .isEqualTo("187.5");
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void callersThatMissWhileALoaderFutureIsPendingShareIt(Tier tier) {
        CachetSpringCache cache = cache(tier);
        CompletableFuture<String> source = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();

        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(cache.retrieve("AAPL", () -> {
                calls.incrementAndGet();
                return source;
            }));
        }
        source.complete("187.5");

        assertThat(futures)
                .allSatisfy(future -> assertThat(future).succeedsWithin(AWAIT).isEqualTo("187.5"));
        assertThat(calls).hasValue(1);
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void aLoaderFutureThatFailsCachesNothingAndFailsTheCaller(Tier tier) {
        CachetSpringCache cache = cache(tier);
        IllegalStateException down = new IllegalStateException("exchange closed");

        CompletableFuture<String> failed = cache.retrieve("AAPL", () -> CompletableFuture.failedFuture(down));

        assertThat(failed.handle((value, failure) -> failure).join()).isSameAs(down);
        assertThat(retrieved(cache, "AAPL")).isNull();
        assertThat(cache.get("AAPL")).isNull();
        assertThat(cache.retrieve("AAPL", () -> CompletableFuture.completedFuture("187.5")))
                .succeedsWithin(AWAIT)
                .isEqualTo("187.5");
    }
}
