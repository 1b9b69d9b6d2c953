package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.metrics.CachetMetrics;
import dev.cachet.metrics.MetricNames;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code staleIfError}: an expired value, kept for a grace, returned when its reload fails. */
class StaleIfErrorTest {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(10);

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final AtomicInteger loads = new AtomicInteger();

    private CacheBuilder<Object, Object> builder(String name) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .ticker(clock)
                .executor(Runnable::run);
    }

    private Cache<String, String> cache() {
        return builder("prices").expireAfterWrite(TTL).staleIfError(GRACE).build();
    }

    /** A loader that counts its calls and fails, as a source that is down. */
    private String failing(String key) {
        loads.incrementAndGet();
        throw new IllegalStateException("source down for " + key);
    }

    @Nested
    class Builder {
        @Test
        void rejectsANullZeroOrNegativeGraceNamingTheOptionTheValueAndTheCache() {
            assertThatThrownBy(() -> Cachet.builder("prices").staleIfError(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("staleIfError must be positive, was PT0S (cache 'prices')");
            assertThatThrownBy(() -> Cachet.builder("prices").staleIfError(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("staleIfError must be positive, was PT-1S (cache 'prices')");
            assertThatThrownBy(() -> Cachet.builder("prices").staleIfError(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("staleIfError");
        }

        @Test
        void isSetOnce() {
            CacheBuilder<Object, Object> builder = Cachet.builder("prices").staleIfError(GRACE);
            assertThatThrownBy(() -> builder.staleIfError(Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("staleIfError was already set to PT10M (cache 'prices'); set each option once");
        }

        @Test
        void needsAnExpiry() {
            assertThatThrownBy(() -> builder("prices").staleIfError(GRACE).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(
                            "staleIfError (PT10M) needs a positive expireAfterWrite or an" + " expireAfter(Expiry)")
                    .hasMessageContaining("(cache 'prices')");
            assertThatThrownBy(() -> builder("prices")
                            .expireAfterAccess(TTL)
                            .staleIfError(GRACE)
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs a positive expireAfterWrite");
        }

        @Test
        void isPartOfTheConfigAndOfTheRegistrysFingerprint() {
            Cache<String, String> cache = cache();
            assertThat(cache.config().staleIfError()).contains(GRACE);
            assertThat(cache()).isSameAs(cache);
            assertThatThrownBy(() -> builder("prices").expireAfterWrite(TTL).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("staleIfError");
            assertThat(builder("plain").build().config().staleIfError()).isEmpty();
        }
    }

    @Nested
    class InMemory {
        @Test
        void aFailedReloadAfterExpiryReturnsTheStaleValueCountsItAndKeepsIt() {
            Cache<String, String> cache = cache();
            cache.put("eur", "1.08");
            clock.advance(TTL);

            assertThat(cache.getIfPresent("eur")).as("expired: not a hit").isNull();
            assertThat(cache.get("eur", StaleIfErrorTest.this::failing)).isEqualTo("1.08");
            assertThat(cache.get("eur", StaleIfErrorTest.this::failing))
                    .as("the stale value stays")
                    .isEqualTo("1.08");
            assertThat(loads).as("each get after expiry tries the source").hasValue(2);
            assertThat(cache.stats().staleServedCount()).isEqualTo(2);
            assertThat(cache.stats().loadFailureCount()).isEqualTo(2);
            assertThat(cache.getIfPresent("eur")).isNull();
        }

        @Test
        void withoutStaleIfErrorTheFailurePropagates() {
            Cache<String, String> cache = builder("plain").expireAfterWrite(TTL).build();
            cache.put("eur", "1.08");
            clock.advance(TTL);
            assertThatThrownBy(() -> cache.get("eur", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("source down for eur");
            assertThat(cache.stats().staleServedCount()).isZero();
        }

        @Test
        void afterTheGraceTheFailurePropagates() {
            Cache<String, String> cache = cache();
            cache.put("eur", "1.08");
            clock.advance(TTL.plus(GRACE).minusNanos(1));
            assertThat(cache.get("eur", StaleIfErrorTest.this::failing)).isEqualTo("1.08");
            clock.advance(Duration.ofNanos(1));
            assertThatThrownBy(() -> cache.get("eur", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("source down for eur");
            assertThat(cache.stats().staleServedCount()).isEqualTo(1);
        }

        @Test
        void aFailureBeforeAnyValueWasCachedPropagates() {
            Cache<String, String> cache = cache();
            assertThatThrownBy(() -> cache.get("eur", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void aSuccessfulReloadReplacesTheStaleValueAndStartsANewGrace() {
            Cache<String, String> cache = cache();
            cache.put("eur", "1.08");
            clock.advance(TTL);
            assertThat(cache.get("eur", key -> "1.09")).isEqualTo("1.09");
            clock.advance(TTL.plus(GRACE).minusNanos(1));
            assertThat(cache.get("eur", StaleIfErrorTest.this::failing)).isEqualTo("1.09");
        }

        @Test
        void invalidateDropsTheStaleValue() {
            Cache<String, String> cache = cache();
            cache.put("eur", "1.08");
            cache.put("usd", "1.00");
            clock.advance(TTL);
            cache.invalidate("eur");
            assertThatThrownBy(() -> cache.get("eur", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
            cache.invalidateAll();
            assertThatThrownBy(() -> cache.get("usd", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void aCachedNullIsNeverServedStale() {
            Cache<String, String> cache = builder("prices")
                    .expireAfterWrite(TTL)
                    .cacheNulls(TTL)
                    .staleIfError(GRACE)
                    .build();
            cache.put("eur", "1.08");
            clock.advance(TTL);
            assertThat(cache.get("eur", key -> null))
                    .as("the source says absent")
                    .isNull();
            clock.advance(TTL);
            assertThatThrownBy(() -> cache.get("eur", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(cache.stats().staleServedCount()).isZero();
        }

        @Test
        void aPerEntryExpiryGivesEachValueItsOwnGrace() {
            Cache<String, String> cache = builder("tokens")
                    .expireAfter(Expiry.<String, String>writing((key, value) -> Duration.ofSeconds(value.length())))
                    .staleIfError(GRACE)
                    .build();
            cache.put("short", "ab"); // lives 2 s, stale until 2 s + grace
            cache.put("long", "abcdefghij"); // lives 10 s
            clock.advance(GRACE.plusSeconds(2));
            assertThatThrownBy(() -> cache.get("short", StaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(cache.get("long", StaleIfErrorTest.this::failing)).isEqualTo("abcdefghij");
        }

        @Test
        void aLoadingCacheServesStaleToo() {
            AtomicInteger calls = new AtomicInteger();
            LoadingCache<String, String> cache = builder("rates")
                    .expireAfterWrite(TTL)
                    .staleIfError(GRACE)
                    .build(key -> {
                        if (calls.incrementAndGet() > 1) {
                            throw new IllegalStateException("source down");
                        }
                        return "v1";
                    });
            assertThat(cache.get("k")).isEqualTo("v1");
            clock.advance(TTL);
            assertThat(cache.get("k")).isEqualTo("v1");
            assertThat(cache.stats().staleServedCount()).isEqualTo(1);
        }

        @Test
        void everyWaiterOfAFailingSharedLoadGetsTheStaleValue() throws Exception {
            Cache<String, String> cache = cache();
            cache.put("eur", "1.08");
            clock.advance(TTL);
            int callers = 4;
            List<Thread> threads = new ArrayList<>();
            List<CompletableFuture<String>> results = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            // The loader fails only once every other caller is parked waiting for it: they all share its failure.
            Function<String, String> failingOnceAllWait = key -> {
                loads.incrementAndGet();
                awaitOthersWaiting(threads, callers);
                throw new IllegalStateException("source down for " + key);
            };
            for (int i = 0; i < callers; i++) {
                CompletableFuture<String> result = new CompletableFuture<>();
                results.add(result);
                Thread thread = new Thread(() -> {
                    try {
                        StaleIfErrorTest.await(start);
                        result.complete(cache.get("eur", failingOnceAllWait));
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                });
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (CompletableFuture<String> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("1.08");
            }
            assertThat(loads).as("one shared load").hasValue(1);
            assertThat(cache.stats().staleServedCount()).isEqualTo(callers);
            assertThat(cache.stats().loadFailureCount()).isEqualTo(1);
        }

        @Test
        void aStaleValueIsLoggedOncePerKeyAndOutage() {
            Cache<String, String> cache = cache();
            cache.put("eur", "1.08");
            clock.advance(TTL);
            String first = LoggedOutput.whileRunning(() -> {
                cache.get("eur", StaleIfErrorTest.this::failing);
                cache.get("eur", StaleIfErrorTest.this::failing);
            });
            assertThat(first)
                    .containsOnlyOnce("cache 'prices': loading key eur failed; serving its expired value"
                            + " (staleIfError PT10M) until a load succeeds");
            assertThat(cache.get("eur", key -> "1.09")).isEqualTo("1.09");
            clock.advance(TTL);
            String second = LoggedOutput.whileRunning(() -> cache.get("eur", StaleIfErrorTest.this::failing));
            assertThat(second).as("a new outage after a successful load").containsOnlyOnce("loading key eur failed");
        }

        @Test
        void theAsyncViewServesTheStaleValueWhenItsLoadFails() throws Exception {
            AsyncCache<String, String> async =
                    builder("prices").expireAfterWrite(TTL).staleIfError(GRACE).buildAsync();
            async.put("eur", CompletableFuture.completedFuture("1.08"));
            clock.advance(TTL);
            assertThat(async.get("eur", StaleIfErrorTest.this::failing).get(10, TimeUnit.SECONDS))
                    .isEqualTo("1.08");
            assertThat(async.get(
                                    "eur",
                                    (key, executor) ->
                                            CompletableFuture.<String>failedFuture(new IllegalStateException("down")))
                            .get(10, TimeUnit.SECONDS))
                    .isEqualTo("1.08");
            assertThat(async.synchronous().stats().staleServedCount()).isEqualTo(2);
            clock.advance(GRACE);
            assertThat(async.get("eur", StaleIfErrorTest.this::failing))
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(IllegalStateException.class);
        }

        @Test
        void theMeterCountsStaleValuesServed() {
            Cache<String, String> cache = cache();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CachetMetrics.bind(cache, registry);
            cache.put("eur", "1.08");
            clock.advance(TTL);
            cache.get("eur", StaleIfErrorTest.this::failing);
            assertThat(registry.get(MetricNames.CACHE_STALE_SERVED)
                            .tag("cache", "prices")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
        }
    }

    /** Blocks the loading thread until every other caller is parked waiting for its result. */
    private static void awaitOthersWaiting(List<Thread> callers, int count) {
        Thread loader = Thread.currentThread();
        Awaitility.await("the other callers all wait for the load")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> callers.size() == count
                        && callers.stream()
                                        .filter(t -> t != loader)
                                        .filter(t -> t.getState() == Thread.State.WAITING)
                                        .count()
                                == count - 1);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
