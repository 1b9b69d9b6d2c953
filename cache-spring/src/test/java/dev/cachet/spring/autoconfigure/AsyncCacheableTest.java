package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code @Cacheable} on methods that return {@code CompletableFuture}, {@code Mono} and {@code Flux}: Spring's
 * interceptor caches them through {@code CachetSpringCache.retrieve}.
 */
class AsyncCacheableTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private static ApplicationContextRunner runner() {
        return Contexts.runner()
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withBean(Quotes.class)
                .withPropertyValues(
                        "cachet.caches.futures.maximum-size=100",
                        "cachet.caches.monos.maximum-size=100",
                        "cachet.caches.fluxes.maximum-size=100");
    }

    @Test
    void aCompletableFutureIsCachedWhenItCompletesAndAFailedOneIsNot() {
        runner().run(context -> {
            Quotes quotes = context.getBean(Quotes.class);

            assertThat(quotes.future("AAPL")).succeedsWithin(AWAIT).isEqualTo("AAPL #1");
            assertThat(quotes.future("AAPL")).succeedsWithin(AWAIT).isEqualTo("AAPL #1");
            assertThat(quotes.future("fail").handle((value, failure) -> failure).join())
                    .hasRootCauseMessage("no quote for fail");
            assertThat(quotes.future("fail").handle((value, failure) -> failure).join())
                    .hasRootCauseMessage("no quote for fail");

            assertThat(quotes.calls()).isEqualTo(3);
            @SuppressWarnings("unchecked")
            var futures = (dev.cachet.Cache<Object, Object>) context.getBean(dev.cachet.CacheRegistry.class)
                    .find("futures")
                    .orElseThrow();
            assertThat(futures.getIfPresent("AAPL")).isEqualTo("AAPL #1");
            Contexts.checkInvariants(context);
        });
    }

    @Test
    void aSynchronizedCompletableFutureMethodIsCalledOncePerKeyWhileItsFutureIsPending() {
        runner().run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            CompletableFuture<String> pending = new CompletableFuture<>();
            quotes.answerWith(pending);

            CompletableFuture<String> first = quotes.synchronizedFuture("AAPL");
            CompletableFuture<String> second = quotes.synchronizedFuture("AAPL");
            assertThat(second).isNotDone();
            pending.complete("AAPL #1");

            assertThat(first).succeedsWithin(AWAIT).isEqualTo("AAPL #1");
            assertThat(second).succeedsWithin(AWAIT).isEqualTo("AAPL #1");
            assertThat(quotes.synchronizedFuture("AAPL")).succeedsWithin(AWAIT).isEqualTo("AAPL #1");
            assertThat(quotes.calls()).isEqualTo(1);
            Contexts.checkInvariants(context);
        });
    }

    @Test
    void aMonoIsCachedByItsValue() {
        runner().run(context -> {
            Quotes quotes = context.getBean(Quotes.class);

            assertThat(quotes.mono("AAPL").block(AWAIT)).isEqualTo("AAPL #1");
            assertThat(quotes.mono("AAPL").block(AWAIT)).isEqualTo("AAPL #1");

            assertThat(quotes.calls()).isEqualTo(1);
            Contexts.checkInvariants(context);
        });
    }

    @Test
    void aFluxIsCachedByItsElements() {
        runner().run(context -> {
            Quotes quotes = context.getBean(Quotes.class);

            assertThat(quotes.flux("AAPL").collectList().block(AWAIT)).containsExactly("AAPL", "#1");
            assertThat(quotes.flux("AAPL").collectList().block(AWAIT)).containsExactly("AAPL", "#1");

            assertThat(quotes.calls()).isEqualTo(1);
            Contexts.checkInvariants(context);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** Asynchronous quotes; counts the calls that reach it. */
    static class Quotes {
        private final AtomicInteger calls = new AtomicInteger();
        private final AtomicReference<CompletableFuture<String>> next = new AtomicReference<>();

        /** Sets what {@link #synchronizedFuture} returns. A method: the class-based proxy has no state of its own. */
        public void answerWith(CompletableFuture<String> future) {
            next.set(future);
        }

        public int calls() {
            return calls.get();
        }

        @Cacheable("futures")
        public CompletableFuture<String> future(String symbol) {
            int call = calls.incrementAndGet();
            if (symbol.equals("fail")) {
                return CompletableFuture.failedFuture(new IllegalStateException("no quote for " + symbol));
            }
            return CompletableFuture.supplyAsync(() -> symbol + " #" + call);
        }

        @Cacheable(cacheNames = "futures", sync = true)
        public CompletableFuture<String> synchronizedFuture(String symbol) {
            calls.incrementAndGet();
            return next.get();
        }

        @Cacheable("monos")
        public Mono<String> mono(String symbol) {
            return Mono.fromSupplier(() -> symbol + " #" + calls.incrementAndGet());
        }

        @Cacheable("fluxes")
        public Flux<String> flux(String symbol) {
            return Flux.defer(() -> Flux.just(symbol, "#" + calls.incrementAndGet()));
        }
    }
}
