package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheRegistry;
import dev.cachet.spring.Callers;
import dev.cachet.spring.cache.CachetCacheManager;
import dev.cachet.spring.cache.CachetSpringCache;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CachesEndpointAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Configuration;

class CachetCacheManagerAutoConfigurationTest {

    private static ApplicationContextRunner runner() {
        return Contexts.runner()
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues(
                        "cachet.caches.books.maximum-size=100", "cachet.caches.authors.expire-after-write=1m");
    }

    @Test
    void definesACacheManagerOverTheDeclaredCaches() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(CacheManager.class);
            CacheManager manager = context.getBean(CacheManager.class);
            assertThat(manager).isInstanceOf(CachetCacheManager.class);
            assertThat(manager.getCacheNames()).containsExactly("authors", "books");
            assertThat(manager.getCache("books")).isInstanceOf(CachetSpringCache.class);
            assertThat(manager.getCache("books").getNativeCache())
                    .isSameAs(context.getBean(CacheRegistry.class).find("books").orElseThrow());
        });
    }

    @Test
    void backsOffForTheApplicationsCacheManager() {
        runner().withBean(CacheManager.class, ConcurrentMapCacheManager::new)
                .run(context -> assertThat(context)
                        .hasSingleBean(CacheManager.class)
                        .getBean(CacheManager.class)
                        .isInstanceOf(ConcurrentMapCacheManager.class));
    }

    @Test
    void backsOffWhenSpringCacheTypeChoosesAnotherProvider() {
        runner().withPropertyValues("spring.cache.type=simple")
                .run(context ->
                        assertThat(context).getBean(CacheManager.class).isNotInstanceOf(CachetCacheManager.class));
    }

    @Test
    void backsOffWhenDisabled() {
        Contexts.runner()
                .withPropertyValues("cachet.cache-manager.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(CacheManager.class));
    }

    @Test
    void servesCacheableCachePutAndCacheEvict() {
        runner().withBean(Library.class).run(context -> {
            Library library = context.getBean(Library.class);
            assertThat(library.title(1)).isEqualTo("title 1 #1");
            assertThat(library.title(1)).isEqualTo("title 1 #1");
            library.rename(1, "renamed");
            assertThat(library.title(1)).isEqualTo("renamed");
            library.forget(1);
            assertThat(library.title(1)).isEqualTo("title 1 #2");
            assertThat(library.maybe(2)).isNull();
            assertThat(library.maybe(2)).isNull();
            assertThat(library.loads()).isEqualTo(4);
            Contexts.checkInvariants(context);
        });
    }

    @Test
    void mapsSynchronizedCacheableToOneLoadPerKey() {
        runner().withBean(Library.class).run(context -> {
            Library library = context.getBean(Library.class);
            Callers callers = new Callers();
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                java.util.List<Future<String>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    calls.add(pool.submit(() -> {
                        callers.enter();
                        return library.slowTitle(7);
                    }));
                }
                callers.awaitAllWaitingForOneLoad(12, library::loads);
                library.release();
                for (Future<String> call : calls) {
                    assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("slow 7");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(library.loads()).isEqualTo(1);
        });
    }

    @Test
    void showsItsCachesInActuatorsCachesEndpoint() {
        runner().withConfiguration(AutoConfigurations.of(CachesEndpointAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=caches")
                .run(context -> {
                    CachesEndpoint endpoint = context.getBean(CachesEndpoint.class);
                    var caches = endpoint.caches()
                            .getCacheManagers()
                            .get("cacheManager")
                            .getCaches();
                    assertThat(caches).containsOnlyKeys("authors", "books");
                    assertThat(caches.get("books").getTarget()).startsWith("dev.cachet.");
                    var books =
                            context.getBean(CacheRegistry.class).find("books").orElseThrow();
                    @SuppressWarnings("unchecked")
                    var typed = (dev.cachet.Cache<Object, Object>) books;
                    typed.put(1, "one");
                    assertThat(endpoint.clearCache("books", null)).isTrue();
                    assertThat(books.estimatedSize()).isZero();
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** Uses Spring's caching annotations on the declared caches. */
    static class Library {
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger loads = new AtomicInteger();

        /** Lets the slow loads finish. A method: the class-based proxy has no state of its own. */
        public void release() {
            release.countDown();
        }

        public int loads() {
            return loads.get();
        }

        @Cacheable("books")
        public String title(int id) {
            return "title " + id + " #" + loads.incrementAndGet();
        }

        @Cacheable("books")
        public String maybe(int id) {
            loads.incrementAndGet();
            return null;
        }

        @CachePut(cacheNames = "books", key = "#p0")
        public String rename(int id, String title) {
            return title;
        }

        @CacheEvict("books")
        public void forget(int id) {}

        @Cacheable(cacheNames = "authors", sync = true)
        public String slowTitle(int id) throws InterruptedException {
            loads.incrementAndGet();
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
            return "slow " + id;
        }
    }
}
