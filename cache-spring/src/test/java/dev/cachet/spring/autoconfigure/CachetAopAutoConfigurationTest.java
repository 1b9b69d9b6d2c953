package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.cachet.CacheRegistry;
import dev.cachet.spring.Callers;
import dev.cachet.spring.autoconfigure.Prices.PriceService;
import dev.cachet.spring.autoconfigure.Prices.Quotes;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CachetAopAutoConfigurationTest {

    private static ApplicationContextRunner runner() {
        return Contexts.runner().withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class));
    }

    @Test
    void definesNoAdvisorWithoutSpringAop() {
        Contexts.runner()
                .withClassLoader(new FilteredClassLoader(Advisor.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CachetOperationSource.class));
    }

    @Test
    void cachesAnnotatedClassMethodsThroughAClassBasedProxy() {
        runner().withBean(Quotes.class).run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            assertThat(AopUtils.isCglibProxy(quotes)).isTrue();
            assertThat(quotes.quote("AAPL", "t1")).isEqualTo("AAPL@t1");
            // @CacheKey: the trace id is not part of the key
            assertThat(quotes.quote("AAPL", "t2")).isEqualTo("AAPL@t1");
            assertThat(quotes.calls()).isEqualTo(1);
            assertThat(quotes.uncached("x")).isEqualTo("x");
            assertThat(quotes.calls()).isEqualTo(2);
            Contexts.checkInvariants(context);
        });
    }

    @Test
    void readsAnnotationsOfTheInterfaceThroughAJdkProxy() {
        runner().withPropertyValues("spring.aop.proxy-target-class=false")
                .withBean(PriceService.class, Prices.RealPriceService::new)
                .run(context -> {
                    PriceService prices = context.getBean(PriceService.class);
                    assertThat(AopUtils.isJdkDynamicProxy(prices)).isTrue();
                    assertCachesAndInvalidates(prices);
                    assertThat(context.getBean(CacheRegistry.class)
                                    .find("prices")
                                    .orElseThrow()
                                    .config()
                                    .maximumSize())
                            .isEqualTo(OptionalLong.of(100));
                });
    }

    @Test
    void readsAnnotationsOfTheInterfaceThroughAClassBasedProxy() {
        runner().withBean(PriceService.class, Prices.RealPriceService::new).run(context -> {
            PriceService prices = context.getBean(PriceService.class);
            assertThat(AopUtils.isCglibProxy(prices)).isTrue();
            assertCachesAndInvalidates(prices);
        });
    }

    @Test
    void proxiesWithoutBootsAopAutoConfiguration() {
        Contexts.runner()
                .withBean(PriceService.class, Prices.RealPriceService::new)
                .run(context -> {
                    PriceService prices = context.getBean(PriceService.class);
                    assertThat(AopUtils.isAopProxy(prices)).isTrue();
                    assertCachesAndInvalidates(prices);
                });
    }

    private static void assertCachesAndInvalidates(PriceService prices) {
        assertThat(prices.price("AAPL")).isEqualTo(new Prices.Price("AAPL", 400));
        assertThat(prices.price("AAPL")).isEqualTo(new Prices.Price("AAPL", 400));
        assertThat(prices.calls()).isEqualTo(1);
        prices.reprice("AAPL");
        assertThat(prices.price("AAPL")).isEqualTo(new Prices.Price("AAPL", 400));
        assertThat(prices.calls()).isEqualTo(2);
    }

    @Test
    void loadsOncePerKeyForConcurrentCallers() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        runner().withBean(SlowService.class, () -> new SlowService(loads, release))
                .run(context -> {
                    SlowService service = context.getBean(SlowService.class);
                    Callers callers = new Callers();
                    ExecutorService pool = Executors.newFixedThreadPool(16);
                    try {
                        java.util.List<Future<String>> calls = new java.util.ArrayList<>();
                        for (int i = 0; i < 16; i++) {
                            calls.add(pool.submit(() -> {
                                callers.enter();
                                return service.slow("k");
                            }));
                        }
                        callers.awaitAllWaitingForOneLoad(16, loads::get);
                        release.countDown();
                        for (Future<String> call : calls) {
                            assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("value of k");
                        }
                    } finally {
                        pool.shutdownNow();
                    }
                    assertThat(loads).hasValue(1);
                    Contexts.checkInvariants(context);
                });
    }

    /** A bean whose load blocks until released, so concurrent callers overlap. */
    static class SlowService {
        private final AtomicInteger loads;
        private final CountDownLatch release;

        SlowService(AtomicInteger loads, CountDownLatch release) {
            this.loads = loads;
            this.release = release;
        }

        @dev.cachet.annotation.Cached(name = "slow", expireAfterWrite = "1m")
        public String slow(String key) throws InterruptedException {
            loads.incrementAndGet();
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
            return "value of " + key;
        }
    }

    @Test
    void invalidatesOneKeyOrAllEntriesAfterTheMethodReturns() {
        runner().withBean(Quotes.class).run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            quotes.quote("AAPL", "t1");
            quotes.quote("MSFT", "t1");
            quotes.forget("AAPL");
            assertThat(quotes.quote("AAPL", "t2")).isEqualTo("AAPL@t2");
            assertThat(quotes.quote("MSFT", "t2")).isEqualTo("MSFT@t1");
            assertThatThrownBy(() -> quotes.failToForget("MSFT")).isInstanceOf(IllegalStateException.class);
            assertThat(quotes.quote("MSFT", "t3"))
                    .as("a failed call removes nothing")
                    .isEqualTo("MSFT@t1");
            quotes.forgetAll();
            assertThat(quotes.quote("MSFT", "t4")).isEqualTo("MSFT@t4");
        });
    }

    @Test
    void makesKeysWithSpelAndSharesEntriesBetweenMethodsOfOneCache() {
        runner().withBean(Quotes.class).run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            assertThat(quotes.quote("AAPL", "t1")).isEqualTo("AAPL@t1");
            // #p0.toUpperCase() makes the key "AAPL": the entry quote() stored
            assertThat(quotes.quoteAnyCase("aapl")).isEqualTo("AAPL@t1");
            assertThat(quotes.quoteAnyCase("msft")).isEqualTo("any:msft");
            assertThat(quotes.calls()).isEqualTo(2);
        });
    }

    @Test
    void cachesTheContentOfOptionalsButNotEmptiness() {
        runner().withBean(Quotes.class).run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            assertThat(quotes.find("x")).contains("x");
            assertThat(quotes.find("x")).contains("x");
            assertThat(quotes.find("")).isEmpty();
            assertThat(quotes.find("")).isEmpty();
            assertThat(quotes.calls()).isEqualTo(3);
        });
    }

    @Test
    void returnsButNeverCachesNull() {
        runner().withBean(Quotes.class).run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            assertThat(quotes.nothing("x")).isNull();
            assertThat(quotes.nothing("x")).isNull();
            assertThat(quotes.calls()).isEqualTo(2);
        });
    }

    @Test
    void passesCheckedExceptionsUnchangedAndCachesNone() {
        runner().withBean(Quotes.class).run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            assertThatThrownBy(() -> quotes.checked("x"))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessage("no quote for x");
            assertThatThrownBy(() -> quotes.checked("x")).isExactlyInstanceOf(IOException.class);
            assertThat(quotes.calls()).isEqualTo(2);
        });
    }

    @Test
    void usesTheCacheDeclaredInPropertiesWhenTheAnnotationGivesNoSettings() {
        runner().withPropertyValues("cachet.caches.sessions.maximum-size=7")
                .withBean(Prices.Sessions.class)
                .run(context -> {
                    Prices.Sessions sessions = context.getBean(Prices.Sessions.class);
                    sessions.user("s1");
                    sessions.user("s1");
                    assertThat(sessions.calls()).isEqualTo(1);
                    var cache = context.getBean(CacheRegistry.class)
                            .find("sessions")
                            .orElseThrow();
                    assertThat(cache.config().maximumSize()).isEqualTo(OptionalLong.of(7));
                    assertThat(cache.estimatedSize()).isEqualTo(1);
                });
    }

    @Test
    void rejectsAnnotationSettingsForACacheDeclaredInProperties() {
        runner().withPropertyValues("cachet.caches.sessions.maximum-size=7")
                .withBean(Prices.ConflictingSessions.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("ConflictingSessions.user(String)")
                        .contains("cachet.caches.sessions"));
    }

    @Test
    void failsTheStartupForABadDurationNamingTheMethod() {
        runner().withBean(Prices.BadDuration.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("BadDuration.value(String)")
                        .contains("30 parsecs"));
    }

    @Test
    void failsTheStartupForAnInvalidationOfAnUnknownCache() {
        runner().withBean(Prices.Misspelt.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("Misspelt.reprice(String)")
                        .contains("pricez"));
    }

    @Test
    void rejectsFutures() {
        runner().withBean(Prices.Asynchronous.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("Asynchronous.value(String)")
                        .contains("CompletableFuture"));
    }

    @Test
    void rejectsABadKeyExpression() {
        runner().withBean(Prices.BadExpression.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("BadExpression.value(String)")
                        .contains("#p0 +"));
    }

    @Test
    void letsCustomizersAdjustTheCachesOfAnnotations() {
        java.util.List<String> seen = new java.util.ArrayList<>();
        dev.cachet.spring.CachetCacheCustomizer customizer = cache -> {
            seen.add(cache.name() + ":" + cache.tier());
            cache.builder(builder -> builder.hitRatioWarning(0, 1));
        };
        runner().withBean(dev.cachet.spring.CachetCacheCustomizer.class, () -> customizer)
                .withBean(PriceService.class, Prices.RealPriceService::new)
                .run(context -> {
                    assertThat(seen).containsExactly("prices:LOCAL");
                    var cache =
                            context.getBean(CacheRegistry.class).find("prices").orElseThrow();
                    assertThat(cache.config().hitRatioThreshold()).isZero();
                });
    }

    @Test
    void buildsAnnotatedCachesWithTheirSettings() {
        runner().withBean(Quotes.class).run(context -> {
            var quotes = context.getBean(CacheRegistry.class).find("quotes").orElseThrow();
            assertThat(quotes.config().expireAfterWrite()).isEqualTo(Optional.of(Duration.ofMinutes(1)));
        });
    }
}
