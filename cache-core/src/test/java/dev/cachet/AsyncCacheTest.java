package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.metrics.CachetMetrics;
import dev.cachet.metrics.MetricNames;
import dev.cachet.testing.FakeTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The asynchronous view of an in-memory cache: threads, single flight, failures, puts and the synchronous view. */
class AsyncCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final CacheRegistry registry = CacheRegistry.create();
    private final ExecutorService pool = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "async-cache-test");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private AsyncCache<String, String> cache() {
        return Cachet.builder("quotes")
                .registry(registry)
                .ticker(clock)
                .executor(pool)
                .expireAfterWrite(Duration.ofMinutes(1))
                .buildAsync();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        return future.handle((value, failure) -> failure).join();
    }

    @Test
    void buildAsyncIsAViewOfTheCacheBuildRegisters() {
        AsyncCache<String, String> async = cache();
        Cache<String, String> sync = Cachet.builder("quotes")
                .registry(registry)
                .ticker(clock)
                .executor(pool)
                .expireAfterWrite(Duration.ofMinutes(1))
                .build();

        sync.put("AAPL", "1");

        assertThat(async.name()).isEqualTo("quotes");
        assertThat(async.getIfPresent("AAPL")).isCompletedWithValue("1");
        assertThat(registry.find("quotes")).containsSame(sync);
    }

    @Test
    void aHitIsACompletedFutureOnTheCallersThreadAndNeverCallsTheLoader() {
        AsyncCache<String, String> cache = cache();
        cache.synchronous().put("AAPL", "1");

        CompletableFuture<String> hit = cache.get("AAPL", key -> {
            throw new AssertionError("loaded on a hit");
        });

        assertThat(hit).isCompletedWithValue("1");
        assertThat(cache.synchronous().stats().hitCount()).isEqualTo(1);
    }

    @Test
    void aFunctionLoaderRunsOnTheExecutorAndItsValueIsCachedAndCounted() {
        AsyncCache<String, String> cache = cache();
        List<String> loaderThreads = new CopyOnWriteArrayList<>();

        String value = cache.get("AAPL", key -> {
                    loaderThreads.add(Thread.currentThread().getName());
                    return key + "=1";
                })
                .join();

        assertThat(value).isEqualTo("AAPL=1");
        assertThat(loaderThreads).containsExactly("async-cache-test");
        assertThat(cache.synchronous().getIfPresent("AAPL")).isEqualTo("AAPL=1");
        CacheStats stats = cache.synchronous().stats();
        assertThat(stats.missCount()).isEqualTo(1);
        assertThat(stats.loadSuccessCount()).isEqualTo(1);
    }

    @Test
    void callersThatMissWhileALoadIsInFlightShareItEachThroughItsOwnFuture() throws Exception {
        AsyncCache<String, String> cache = cache();
        CompletableFuture<String> source = new CompletableFuture<>();
        AtomicInteger loads = new AtomicInteger();
        int callers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> futures = new CopyOnWriteArrayList<>();
        CountDownLatch called = new CountDownLatch(callers);
        for (int i = 0; i < callers; i++) {
            pool.execute(() -> {
                awaitUninterruptibly(start);
                futures.add(cache.get("AAPL", (key, executor) -> {
                    loads.incrementAndGet();
                    return source;
                }));
                called.countDown();
            });
        }
        start.countDown();
        assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(loads).hasValue(1);
        assertThat(futures).noneMatch(CompletableFuture::isDone).doesNotContain(source);
        assertThat(futures.stream().distinct()).hasSize(callers);
        source.complete("AAPL=1");

        assertThat(futures).allSatisfy(future -> assertThat(future).isCompletedWithValue("AAPL=1"));
        CacheStats stats = cache.synchronous().stats();
        assertThat(stats.loadSuccessCount()).isEqualTo(1);
        assertThat(stats.missCount()).isEqualTo(callers);
    }

    @Test
    void cancellingOneCallersFutureNeitherCancelsTheLoadNorDisturbsTheOthers() {
        AsyncCache<String, String> cache = cache();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> first = cache.get("AAPL", (key, executor) -> source);
        CompletableFuture<String> second = cache.get("AAPL", (key, executor) -> {
            throw new AssertionError("a second load");
        });

        assertThat(first.cancel(true)).isTrue();
        source.complete("AAPL=1");

        assertThat(source).isCompletedWithValue("AAPL=1");
        assertThat(first).isCancelled();
        assertThat(second).isCompletedWithValue("AAPL=1");
        assertThat(cache.synchronous().getIfPresent("AAPL")).isEqualTo("AAPL=1");
    }

    @Test
    void aFailedFutureReachesEveryCallerUnchangedIsNotCachedAndIsCountedAsAFailedLoad() {
        AsyncCache<String, String> cache = cache();
        CompletableFuture<String> source = new CompletableFuture<>();
        IllegalStateException down = new IllegalStateException("exchange closed");
        CompletableFuture<String> first = cache.get("AAPL", (key, executor) -> source);
        CompletableFuture<String> second = cache.get("AAPL", (key, executor) -> source);

        source.completeExceptionally(down);

        assertThat(failureOf(first)).isSameAs(down);
        assertThat(failureOf(second)).isSameAs(down);
        assertThat(cache.synchronous().getIfPresent("AAPL")).isNull();
        assertThat(cache.synchronous().stats().loadFailureCount()).isEqualTo(1);
        assertThat(cache.get("AAPL", key -> "AAPL=2").join()).isEqualTo("AAPL=2");
    }

    @Test
    void aFunctionLoadersExceptionReachesTheCallerUnwrapped() {
        AsyncCache<String, String> cache = cache();
        IllegalArgumentException unknown = new IllegalArgumentException("unknown symbol");

        CompletableFuture<String> failed = cache.get("???", key -> {
            throw unknown;
        });

        assertThat(failureOf(failed)).isSameAs(unknown);
        assertThat(cache.synchronous().estimatedSize()).isZero();
    }

    @Test
    void aLoaderThatThrowsFailsTheFutureInsteadOfTheCallAndCachesNothing() {
        AsyncCache<String, String> cache = cache();
        IllegalArgumentException unknown = new IllegalArgumentException("unknown symbol");

        CompletableFuture<String> failed = cache.get("???", (key, executor) -> {
            throw unknown;
        });

        assertThat(failureOf(failed)).isSameAs(unknown);
        assertThat(cache.get("???", (key, executor) -> CompletableFuture.completedFuture("found")))
                .isCompletedWithValue("found");
    }

    @Test
    void aLoaderThatReturnsANullFutureFailsWithAMessageNamingTheKeyAndTheCache() {
        AsyncCache<String, String> cache = cache();

        CompletableFuture<String> failed = cache.get("AAPL", (key, executor) -> null);

        assertThat(failureOf(failed))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("the loader returned a null future for key AAPL (cache 'quotes')");
        assertThat(cache.synchronous().estimatedSize()).isZero();
    }

    @Test
    void aFutureCompletedWithNullCompletesTheCallersWithNullAndCachesNothing() {
        AsyncCache<String, String> cache = cache();

        assertThat(cache.get("AAPL", (key, executor) -> CompletableFuture.completedFuture(null)))
                .isCompletedWithValue(null);
        assertThat(cache.getIfPresent("AAPL")).isNull();
    }

    @Test
    void nullArgumentsAreRejectedAtOnceNamingTheArgument() {
        AsyncCache<String, String> cache = cache();

        assertThatThrownBy(() -> cache.put("AAPL", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("valueFuture");
        assertThatThrownBy(() -> cache.get(null, key -> "x"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> cache.get("AAPL", (java.util.function.Function<String, String>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("loader");
        assertThatThrownBy(() -> cache.getAll(List.of("a"), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("bulkLoader");
        assertThatThrownBy(() -> AsyncCache.of(null, Runnable::run))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cache");
    }

    @Test
    void aPutStoresTheValueWhenItsFutureCompletesAndReadersMeanwhileGetIt() {
        AsyncCache<String, String> cache = cache();
        CompletableFuture<String> value = new CompletableFuture<>();

        cache.put("AAPL", value);
        CompletableFuture<String> meanwhile = cache.getIfPresent("AAPL");
        assertThat(meanwhile).isNotNull().isNotDone();
        assertThat(cache.synchronous().getIfPresent("AAPL")).isNull();
        value.complete("AAPL=1");

        assertThat(meanwhile).isCompletedWithValue("AAPL=1");
        assertThat(cache.synchronous().getIfPresent("AAPL")).isEqualTo("AAPL=1");
        assertThat(cache.synchronous().stats().putCount()).isEqualTo(1);
    }

    @Test
    void aPutWhoseFutureFailsStoresNothingAndLeavesTheOldValue() {
        AsyncCache<String, String> cache = cache();
        cache.synchronous().put("AAPL", "old");

        cache.put("AAPL", CompletableFuture.failedFuture(new IllegalStateException("no quote")));

        assertThat(cache.synchronous().getIfPresent("AAPL")).isEqualTo("old");
    }

    @Test
    void aLoadInFlightWhenThePutIsMadeDoesNotOverwriteIt() {
        AsyncCache<String, String> cache = cache();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> load = cache.get("AAPL", (key, executor) -> source);

        cache.put("AAPL", CompletableFuture.completedFuture("new"));
        source.complete("old");

        assertThat(load).isCompletedWithValue("old");
        assertThat(cache.synchronous().getIfPresent("AAPL")).isEqualTo("new");
    }

    @Test
    void aWriteThroughTheSynchronousViewStopsALoadInFlightFromStoring() {
        AsyncCache<String, String> cache = cache();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> load = cache.get("AAPL", (key, executor) -> source);

        cache.synchronous().invalidate("AAPL");
        CompletableFuture<String> fresh =
                cache.get("AAPL", (key, executor) -> CompletableFuture.completedFuture("new"));
        source.complete("stale");

        assertThat(load).isCompletedWithValue("stale");
        assertThat(fresh).isCompletedWithValue("new");
        assertThat(cache.synchronous().getIfPresent("AAPL")).isEqualTo("new");
    }

    @Test
    void aPutThroughTheCacheItselfMeanwhileIsNotOverwrittenEither() {
        AsyncCache<String, String> cache = cache();
        Cache<String, String> sync =
                registry.find("quotes").map(AsyncCacheTest::typed).orElseThrow();
        CompletableFuture<String> source = new CompletableFuture<>();
        var unused = cache.get("AAPL", (key, executor) -> source);

        sync.put("AAPL", "new");
        source.complete("old");

        assertThat(sync.getIfPresent("AAPL")).isEqualTo("new");
    }

    @Test
    void anInvalidationThroughTheCacheItselfStopsALoadInFlightFromStoring() {
        AsyncCache<String, String> cache = cache();
        Cache<String, String> sync =
                registry.find("quotes").map(AsyncCacheTest::typed).orElseThrow();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> load = cache.get("AAPL", (key, executor) -> source);

        sync.invalidate("AAPL");
        source.complete("stale");

        assertThat(load).isCompletedWithValue("stale");
        assertThat(sync.getIfPresent("AAPL"))
                .as("the invalidation outlives the load")
                .isNull();
    }

    @Test
    void twoViewsOfOneCacheShareOneLoadAndAnInvalidateAllStopsIt() {
        AsyncCache<String, String> first = cache();
        AsyncCache<String, String> second = cache();
        AtomicInteger loads = new AtomicInteger();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> one = first.get("AAPL", (key, executor) -> {
            loads.incrementAndGet();
            return source;
        });
        CompletableFuture<String> two = second.get("AAPL", (key, executor) -> {
            loads.incrementAndGet();
            return CompletableFuture.completedFuture("other");
        });

        first.synchronous().invalidateAll();
        source.complete("stale");

        assertThat(loads).hasValue(1);
        assertThat(one).isCompletedWithValue("stale");
        assertThat(two).isCompletedWithValue("stale");
        assertThat(second.synchronous().getIfPresent("AAPL")).isNull();
    }

    @SuppressWarnings("unchecked")
    private static Cache<String, String> typed(Cache<?, ?> cache) {
        return (Cache<String, String>) cache;
    }

    @Test
    void eachCallerGetsItsOwnCopyOfAMutableValue() {
        AsyncCache<String, List<String>> cache = Cachet.builder("lists")
                .registry(registry)
                .executor(Runnable::run)
                .buildAsync();
        CompletableFuture<List<String>> source = new CompletableFuture<>();
        CompletableFuture<List<String>> first = cache.get("k", (key, executor) -> source);
        CompletableFuture<List<String>> second = cache.get("k", (key, executor) -> source);
        List<String> loaded = new ArrayList<>(List.of("a"));

        source.complete(loaded);
        first.join().add("changed by the first caller");

        assertThat(second.join()).containsExactly("a").isNotSameAs(loaded);
        assertThat(cache.get("k", key -> List.of()).join()).containsExactly("a");
    }

    @Test
    void getAllRunsTheBulkLoaderOnTheExecutorForTheMissingKeysOnly() {
        AsyncCache<String, String> cache = cache();
        cache.synchronous().put("a", "A");
        List<Set<? extends String>> requests = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();

        Map<String, String> values = cache.getAll(List.of("a", "b", "c"), keys -> {
                    requests.add(Set.copyOf(keys));
                    threads.add(Thread.currentThread().getName());
                    return Map.of("b", "B", "c", "C");
                })
                .join();

        assertThat(values).containsExactly(Map.entry("a", "A"), Map.entry("b", "B"), Map.entry("c", "C"));
        assertThat(requests).containsExactly(Set.of("b", "c"));
        assertThat(threads).containsExactly("async-cache-test");
        assertThat(cache.synchronous().getIfPresent("c")).isEqualTo("C");
    }

    @Test
    void theHitRatioWarningSeesAsynchronousLoads() {
        List<LowHitRatio> warnings = new CopyOnWriteArrayList<>();
        AsyncCache<String, String> cache = Cachet.builder("rare")
                .registry(registry)
                .executor(Runnable::run)
                .hitRatioWarning(0.5, 4)
                .onLowHitRatio(warnings::add)
                .buildAsync();

        for (String key : List.of("a", "b", "c", "d")) {
            assertThat(cache.get(key, k -> k.toUpperCase(java.util.Locale.ROOT)))
                    .isCompletedWithValue(key.toUpperCase(java.util.Locale.ROOT));
        }

        assertThat(warnings).singleElement().satisfies(warning -> {
            assertThat(warning.cacheName()).isEqualTo("rare");
            assertThat(warning.hitRatio()).isZero();
        });
    }

    @Test
    void metricsBoundToTheRegisteredCacheCountAsynchronousCalls() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AsyncCache<String, String> cache = cache();
        CachetMetrics.bindAll(registry, meters);

        assertThat(cache.get("AAPL", key -> "AAPL=1").join()).isEqualTo("AAPL=1");
        assertThat(cache.get("AAPL", key -> "unused")).isCompletedWithValue("AAPL=1");

        assertThat(meters.get(MetricNames.CACHE_GETS)
                        .tag("cache", "quotes")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(MetricNames.CACHE_GETS)
                        .tag("cache", "quotes")
                        .tag("result", "miss")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void theSynchronousViewSharesTheCacheAndItsStatistics() {
        AsyncCache<String, String> cache = cache();
        Cache<String, String> sync = cache.synchronous();

        assertThat(sync.get("AAPL", key -> "AAPL=1")).isEqualTo("AAPL=1");
        assertThat(cache.get("AAPL", key -> "unused")).isCompletedWithValue("AAPL=1");

        assertThat(sync.name()).isEqualTo("quotes");
        assertThat(sync.config().expireAfterWrite()).contains(Duration.ofMinutes(1));
        assertThat(sync.stats().hitCount()).isEqualTo(1);
        assertThat(sync.stats().missCount()).isEqualTo(1);
        sync.invalidateAll();
        assertThat(cache.getIfPresent("AAPL")).isNull();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
