package dev.cachet.spring.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.spring.Callers;
import dev.cachet.testing.CacheInvariants;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cache.Cache;

class CachetSpringCacheTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final dev.cachet.Cache<Object, Object> cachet = Cachet.builder("words")
            .maximumSize(100)
            .registry(invariants.registry())
            .build();
    private final CachetSpringCache cache = new CachetSpringCache(cachet);

    @Test
    void exposesTheCachetCache() {
        assertThat(cache.getName()).isEqualTo("words");
        assertThat(cache.getNativeCache()).isSameAs(cachet);
    }

    @Test
    void wrapsPresentValuesAndReturnsNullForAbsentOnes() {
        assertThat(cache.get("a")).isNull();
        cache.put("a", "alpha");
        Cache.ValueWrapper wrapper = cache.get("a");
        assertThat(wrapper).isNotNull();
        assertThat(wrapper.get()).isEqualTo("alpha");
        assertThat(cachet.getIfPresent("a")).isEqualTo("alpha");
    }

    @Test
    void neverStoresNullAndPuttingNullRemovesTheKey() {
        cache.put("a", "alpha");
        cache.put("a", null);
        assertThat(cache.get("a")).isNull();
        assertThat(cachet.estimatedSize()).isZero();
    }

    @Test
    void checksTheTypeOfATypedRead() {
        cache.put("a", "alpha");
        assertThat(cache.get("a", String.class)).isEqualTo("alpha");
        assertThat(cache.get("b", String.class)).isNull();
        assertThatThrownBy(() -> cache.get("a", Integer.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("java.lang.Integer");
    }

    @Test
    void loadsOncePerKeyForConcurrentSynchronizedReads() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Callable<String> loader = () -> {
            loads.incrementAndGet();
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
            return "loaded";
        };
        Callers callers = new Callers();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            java.util.List<Future<String>> reads = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(pool.submit(() -> {
                    callers.enter();
                    return cache.get("k", loader);
                }));
            }
            callers.awaitAllWaitingForOneLoad(8, loads::get);
            release.countDown();
            for (Future<String> read : reads) {
                assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("loaded");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(loads).hasValue(1);
        assertThat(cache.get("k", () -> "again")).isEqualTo("loaded");
    }

    @Test
    void wrapsLoaderExceptionsAndCachesNone() {
        Callable<String> failing = () -> {
            throw new IOException("down");
        };
        assertThatThrownBy(() -> cache.get("k", failing))
                .isInstanceOf(Cache.ValueRetrievalException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> cache.get("k", (Callable<String>) () -> {
                    throw new IllegalStateException("bad");
                }))
                .isInstanceOf(Cache.ValueRetrievalException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(cache.get("k")).isNull();
    }

    @Test
    void returnsButDoesNotCacheANullLoad() {
        Callable<String> nothing = () -> null;
        assertThat(cache.get("k", nothing)).isNull();
        assertThat(cache.get("k")).isNull();
    }

    @Test
    void putsIfAbsentOnly() {
        assertThat(cache.putIfAbsent("a", "first")).isNull();
        Cache.ValueWrapper existing = cache.putIfAbsent("a", "second");
        assertThat(existing).isNotNull();
        assertThat(existing.get()).isEqualTo("first");
        assertThat(cache.putIfAbsent("b", null)).isNull();
        assertThat(cache.get("b")).isNull();
    }

    @Test
    void evictsAndClears() {
        cache.put("a", "alpha");
        cache.put("b", "beta");
        cache.evict("a");
        assertThat(cache.get("a")).isNull();
        cache.clear();
        assertThat(cache.get("b")).isNull();
    }

    @Test
    void managerServesTheRegistrysCachesAndCreatesNone() {
        CacheRegistry registry = invariants.registry();
        CachetCacheManager manager = new CachetCacheManager(registry);
        assertThat(manager.getCacheNames()).containsExactly("words");
        Cache words = manager.getCache("words");
        assertThat(words).isNotNull();
        assertThat(words.getNativeCache()).isSameAs(cachet);
        assertThat(manager.getCache("words")).isSameAs(words);
        assertThat(manager.getCache("unknown")).isNull();
        assertThat(registry.names()).containsExactly("words");
    }

    @Test
    void managerFollowsACacheThatWasReplaced() {
        CacheRegistry registry = invariants.registry();
        CachetCacheManager manager = new CachetCacheManager(registry);
        Cache before = manager.getCache("words");
        registry.remove("words");
        assertThat(manager.getCache("words")).isNull();
        dev.cachet.Cache<Object, Object> rebuilt =
                Cachet.builder("words").maximumSize(5).registry(registry).build();
        Cache after = manager.getCache("words");
        assertThat(after).isNotSameAs(before);
        assertThat(after.getNativeCache()).isSameAs(rebuilt);
    }
}
