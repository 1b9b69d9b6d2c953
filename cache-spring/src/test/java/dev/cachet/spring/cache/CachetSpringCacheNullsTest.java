package dev.cachet.spring.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.redis.Codec;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.cache.Cache;

/**
 * Spring's cache contract for null values, as Spring's own caches honour it with {@code allowNullValues}, on a cache
 * built with {@code cacheNulls}: in memory, remote and near (over the in-memory tier).
 */
class CachetSpringCacheNullsTest {
    private static final Duration NULL_TTL = Duration.ofSeconds(30);

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
    private final AtomicInteger loads = new AtomicInteger();

    enum Kind {
        LOCAL,
        REMOTE,
        NEAR
    }

    private CachetSpringCache cache(Kind kind, CacheRegistry registry) {
        CacheBuilder<Object, Object> builder = Cachet.builder("users")
                .registry(registry)
                .ticker(clock)
                .executor(Runnable::run)
                .expireAfterWrite(Duration.ofMinutes(5))
                .cacheNulls(NULL_TTL);
        if (kind == Kind.LOCAL) {
            return new CachetSpringCache(builder.build());
        }
        CacheBuilder<Object, String> remote = builder.remote(tier, Codec.string());
        if (kind == Kind.NEAR) {
            remote.nearCache(100, Duration.ofMinutes(1));
        }
        return new CachetSpringCache(remote.build());
    }

    private CachetSpringCache cache(Kind kind) {
        return cache(kind, invariants.registry());
    }

    private final Callable<String> nothing = () -> {
        loads.incrementAndGet();
        return null;
    };

    @ParameterizedTest
    @EnumSource(Kind.class)
    void putOfNullThenGetReturnsAWrapperHoldingNull(Kind kind) {
        CachetSpringCache cache = cache(kind);
        cache.put("u", "someone");
        cache.put("u", null);
        Cache.ValueWrapper wrapper = cache.get("u");
        assertThat(wrapper).isNotNull();
        assertThat(wrapper.get()).isNull();
        assertThat(cache.get("u", String.class)).isNull();
        assertThat(cache.get("absent")).isNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void retrieveTellsACachedNullFromAMissAndALoadedNullIsCached(Kind kind) {
        CachetSpringCache cache = cache(kind);
        Object missing =
                cache.retrieve("u") == null ? null : cache.retrieve("u").join();
        assertThat(missing).as("a miss").isNull();
        assertThat(cache.retrieve("u", () -> {
                    loads.incrementAndGet();
                    return CompletableFuture.completedFuture((String) null);
                }))
                .succeedsWithin(Duration.ofSeconds(10))
                .isNull();
        assertThat(cache.retrieve("u", () -> CompletableFuture.completedFuture("someone")))
                .succeedsWithin(Duration.ofSeconds(10))
                .as("the cached null, not the second loader's value")
                .isNull();
        assertThat(loads).hasValue(1);
        CompletableFuture<?> cached = cache.retrieve("u");
        assertThat(cached).isNotNull();
        assertThat(cached.join())
                .isInstanceOf(Cache.ValueWrapper.class)
                .extracting(wrapper -> ((Cache.ValueWrapper) wrapper).get())
                .isNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void getWithALoaderCachesItsNullAndDoesNotCallTheNextLoader(Kind kind) {
        CachetSpringCache cache = cache(kind);
        assertThat(cache.get("u", nothing)).isNull();
        assertThat(cache.get("u", nothing)).isNull();
        assertThat(cache.get("u", () -> "someone")).isNull();
        assertThat(loads).hasValue(1);
        assertThat(cache.get("u"))
                .isNotNull()
                .extracting(Cache.ValueWrapper::get)
                .isNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCachedNullExpiresAfterItsTtl(Kind kind) {
        CachetSpringCache cache = cache(kind);
        cache.put("u", null);
        clock.advance(NULL_TTL);
        assertThat(cache.get("u")).isNull();
        assertThat(cache.get("u", () -> "someone")).isEqualTo("someone");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void putIfAbsentTreatsACachedNullAsPresent(Kind kind) {
        CachetSpringCache cache = cache(kind);
        assertThat(cache.putIfAbsent("u", null)).isNull();
        Cache.ValueWrapper existing = cache.putIfAbsent("u", "someone");
        assertThat(existing).isNotNull();
        assertThat(existing.get()).isNull();
        assertThat(cache.get("u"))
                .isNotNull()
                .extracting(Cache.ValueWrapper::get)
                .isNull();

        assertThat(cache.putIfAbsent("v", "value")).isNull();
        assertThat(cache.putIfAbsent("v", null))
                .isNotNull()
                .extracting(Cache.ValueWrapper::get)
                .isEqualTo("value");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictAndPutReplaceACachedNull(Kind kind) {
        CachetSpringCache cache = cache(kind);
        cache.put("u", null);
        cache.put("u", "someone");
        assertThat(cache.get("u"))
                .isNotNull()
                .extracting(Cache.ValueWrapper::get)
                .isEqualTo("someone");
        cache.put("u", null);
        cache.evict("u");
        assertThat(cache.get("u")).isNull();
        cache.put("u", null);
        cache.clear();
        assertThat(cache.get("u")).isNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anotherProcessSeesTheCachedNull(Kind kind) {
        if (kind == Kind.LOCAL) {
            return; // one process only
        }
        CachetSpringCache a = cache(kind, CacheRegistry.create());
        CachetSpringCache b = cache(kind, CacheRegistry.create());
        assertThat(a.get("u", nothing)).isNull();
        assertThat(b.get("u")).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
        assertThat(b.get("u", nothing)).isNull();
        assertThat(loads).hasValue(1);
    }
}
