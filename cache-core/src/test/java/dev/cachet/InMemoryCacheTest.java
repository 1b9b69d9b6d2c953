package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bounds, expiry, refresh, listeners and the basic operations of the in-memory cache. */
class InMemoryCacheTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private CacheBuilder<Object, Object> builder(String name) {
        return Cachet.builder(name).registry(invariants.registry()).executor(Runnable::run);
    }

    @Test
    void aLoadThatOverflowedTheStackLeavesNoLoadInFlight() {
        // The StackOverflowError strikes again inside the clean-up of the innermost loads; the outer ones must end
        // those flights, or every later caller of those keys would wait forever.
        AtomicInteger deepest = new AtomicInteger(Integer.MAX_VALUE);
        Cache<Integer, Integer> cache = Cachet.builder("overflow")
                .registry(invariants.registry())
                .executor(Runnable::run)
                .<Integer, Integer>build();
        Function<Integer, Integer> countdown = new Function<>() {
            @Override
            public Integer apply(Integer n) {
                deepest.accumulateAndGet(n, Math::min);
                return n == 0 ? 0 : cache.get(n - 1, this);
            }
        };

        assertThatThrownBy(() -> cache.get(1_000_000, countdown)).isInstanceOf(StackOverflowError.class);

        assertThat(CacheInvariants.loadsInFlight(cache)).isZero();
        int key = deepest.get();
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> cache.get(key, k -> -k)))
                .isEqualTo(-key);
    }

    @Test
    void aValueThatCannotBeStoredFailsEachCallAndNeverLeavesItsLoadInFlight() {
        // Caffeine rejects a negative weight when the loaded value is stored, after the loader ran: the flight must
        // still end, so that the next call loads again instead of waiting forever for a load that is over.
        assertEachCallFailsAndLoadsAgain((k, v) -> -1, IllegalArgumentException.class);
    }

    @Test
    void anErrorWhileStoringAValueEndsTheLoadToo() {
        // Any Throwable ends the flight, Errors included (here from a weigher, as a StackOverflowError would strike).
        assertEachCallFailsAndLoadsAgain(
                (k, v) -> {
                    throw new StackOverflowError("from the weigher");
                },
                StackOverflowError.class);
    }

    private void assertEachCallFailsAndLoadsAgain(Weigher<String, String> weigher, Class<? extends Throwable> failure) {
        AtomicInteger loads = new AtomicInteger();
        Cache<String, String> cache = Cachet.builder("unstorable")
                .registry(invariants.registry())
                .executor(Runnable::run)
                .maximumWeight(10, weigher)
                .build();

        for (int call = 1; call <= 2; call++) {
            assertThatThrownBy(() -> assertTimeoutPreemptively(
                            Duration.ofSeconds(5), () -> cache.get("k", k -> "v" + loads.incrementAndGet())))
                    .as("call %d", call)
                    .isInstanceOf(failure);
        }
        assertThat(loads).hasValue(2);
        assertThat(CacheInvariants.loadsInFlight(cache)).isZero();
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void getLoadsOnceThenHits() {
        Cache<String, String> cache = builder("c").maximumSize(100).build();
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("a", k -> k + loads.incrementAndGet())).isEqualTo("a1");
        assertThat(cache.get("a", k -> k + loads.incrementAndGet())).isEqualTo("a1");
        assertThat(cache.getIfPresent("a")).isEqualTo("a1");
        assertThat(cache.getIfPresent("b")).isNull();
        CacheStats stats = cache.stats();
        assertThat(stats.hitCount()).isEqualTo(2);
        assertThat(stats.missCount()).isEqualTo(2);
        assertThat(stats.loadSuccessCount()).isEqualTo(1);
        assertThat(stats.loadCount()).isEqualTo(1);
        assertThat(stats.putCount()).isEqualTo(1);
        assertThat(stats.hitRatio()).isEqualTo(0.5);
    }

    @Test
    void sizeStaysWithinTheBoundAfterMaintenance() {
        Cache<Integer, String> cache = builder("bounded").maximumSize(50).build();
        for (int i = 0; i < 1_000; i++) {
            cache.put(i, "v" + i);
        }
        cache.cleanUp();
        assertThat(cache.estimatedSize()).isEqualTo(50);
        assertThat(cache.stats().evictionCount()).isEqualTo(950);
    }

    @Test
    void weightStaysWithinTheBound() {
        Cache<Integer, String> cache = builder("weighted")
                .maximumWeight(100, (Integer k, String v) -> v.length())
                .build();
        for (int i = 0; i < 100; i++) {
            cache.put(i, "0123456789"); // weight 10 each
        }
        cache.cleanUp();
        assertThat(cache.estimatedSize()).isEqualTo(10);
        assertThat(cache.stats().evictionWeight()).isEqualTo(900);
    }

    @Test
    void expireAfterWriteNeverReturnsAnExpiredValue() {
        Cache<String, String> cache = builder("t")
                .expireAfterWrite(Duration.ofSeconds(5))
                .ticker(clock::nanos)
                .build();
        cache.put("k", "v");
        clock.advance(Duration.ofMillis(4_999));
        assertThat(cache.getIfPresent("k")).isEqualTo("v");
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.getIfPresent("k")).isNull();
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("k", k -> "reloaded" + loads.incrementAndGet())).isEqualTo("reloaded1");
        clock.advance(Duration.ofSeconds(4));
        assertThat(cache.get("k", k -> "reloaded" + loads.incrementAndGet())).isEqualTo("reloaded1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("k", k -> "reloaded" + loads.incrementAndGet())).isEqualTo("reloaded2");
        cache.cleanUp();
        assertThat(cache.stats().evictionCount()).isEqualTo(2);
    }

    @Test
    void expireAfterAccessIsExtendedByReads() {
        Cache<String, String> cache = builder("a")
                .expireAfterAccess(Duration.ofSeconds(10))
                .ticker(clock)
                .build();
        cache.put("k", "v");
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(9));
            assertThat(cache.getIfPresent("k")).as("read %d", i).isEqualTo("v");
        }
        clock.advance(Duration.ofSeconds(10));
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void refreshServesTheOldValueWhileOneReloadRunsInTheBackground() throws Exception {
        Queue<Runnable> background = new ArrayDeque<>();
        AtomicInteger version = new AtomicInteger();
        LoadingCache<String, String> cache = Cachet.builder("r")
                .registry(invariants.registry())
                .refreshAfterWrite(Duration.ofSeconds(10))
                .ticker(clock)
                .executor(background::add)
                .build(k -> k + "-v" + version.incrementAndGet());
        assertThat(cache.get("k")).isEqualTo("k-v1");
        clock.advance(Duration.ofSeconds(11));
        assertThat(cache.get("k")).as("stale value served at once").isEqualTo("k-v1");
        assertThat(cache.get("k"))
                .as("a second read does not start a second refresh")
                .isEqualTo("k-v1");
        assertThat(version.get()).as("the reload waits on the executor").isEqualTo(1);
        drain(background);
        assertThat(cache.get("k")).isEqualTo("k-v2");
        assertThat(version.get()).isEqualTo(2);
    }

    @Test
    void aFailedRefreshKeepsTheOldValue() {
        Queue<Runnable> background = new ArrayDeque<>();
        AtomicInteger calls = new AtomicInteger();
        LoadingCache<String, String> cache = Cachet.builder("rf")
                .registry(invariants.registry())
                .refreshAfterWrite(Duration.ofSeconds(10))
                .ticker(clock)
                .executor(background::add)
                .build(k -> {
                    if (calls.incrementAndGet() > 1) {
                        throw new IllegalStateException("backend down");
                    }
                    return "first";
                });
        assertThat(cache.get("k")).isEqualTo("first");
        clock.advance(Duration.ofSeconds(11));
        assertThat(cache.get("k")).isEqualTo("first");
        drain(background);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(cache.get("k")).isEqualTo("first");
        assertThat(cache.stats().loadFailureCount()).isEqualTo(1);
    }

    private static void drain(Queue<Runnable> tasks) {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
        }
    }

    @Test
    void removalListenerHearsEachCauseAndItsFailuresAreContained() {
        List<String> heard = new CopyOnWriteArrayList<>();
        Cache<String, String> cache = builder("l")
                .maximumSize(2)
                .expireAfterWrite(Duration.ofSeconds(1))
                .ticker(clock)
                .removalListener((String k, String v, RemovalCause cause) -> {
                    heard.add(k + "=" + v + ":" + cause);
                    throw new IllegalStateException("listener bug");
                })
                .build();
        cache.put("a", "1");
        cache.put("a", "2");
        cache.invalidate("a");
        cache.put("b", "1");
        clock.advance(Duration.ofSeconds(2));
        cache.cleanUp();
        assertThat(heard).containsExactly("a=1:REPLACED", "a=2:EXPLICIT", "b=1:EXPIRED");
        cache.put("c", "3");
        assertThat(cache.getIfPresent("c")).isEqualTo("3");
        assertThat(RemovalCause.EXPIRED.wasEvicted()).isTrue();
        assertThat(RemovalCause.EXPLICIT.wasEvicted()).isFalse();
    }

    @Test
    void aNullLoadIsReturnedButNotCached() {
        Cache<String, String> cache = builder("n").build();
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("k", k -> {
                    loads.incrementAndGet();
                    return null;
                }))
                .isNull();
        assertThat(cache.get("k", k -> {
                    loads.incrementAndGet();
                    return null;
                }))
                .isNull();
        assertThat(loads.get()).isEqualTo(2);
        assertThat(cache.estimatedSize()).isZero();
    }

    @Test
    void nullArgumentsAreRejectedNamingTheArgument() {
        Cache<String, String> cache = builder("nulls").build();
        cache.put("k", "v");
        assertThatThrownBy(() -> cache.get(null, k -> "v")).hasMessage("key").isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.get("k", null)).hasMessage("loader").isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.put("k", null)).hasMessage("value").isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.put(null, "v")).hasMessage("key").isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.getIfPresent(null)).hasMessage("key");
        assertThatThrownBy(() -> cache.invalidate(null)).hasMessage("key");
        assertThat(cache.getIfPresent("k")).as("nothing lost").isEqualTo("v");
    }

    @Test
    void getAllLoadsOnlyTheMissingKeysInOneCall() {
        Cache<Integer, String> cache = builder("bulk").build();
        cache.put(1, "one");
        List<java.util.Set<? extends Integer>> calls = new CopyOnWriteArrayList<>();
        Map<Integer, String> result = cache.getAll(List.of(3, 1, 2), missing -> {
            calls.add(Set.copyOf(missing));
            return Map.of(2, "two", 3, "three", 4, "four");
        });
        assertThat(result).containsExactly(Map.entry(3, "three"), Map.entry(1, "one"), Map.entry(2, "two"));
        assertThat(calls).containsExactly(java.util.Set.of(2, 3));
        assertThat(cache.getAllPresent(List.of(1, 2, 3, 4, 5))).containsOnlyKeys(1, 2, 3, 4);
        assertThatThrownBy(() -> cache.getAll(List.of(9), missing -> java.util.Collections.singletonMap(9, null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key 9");
        assertThat(cache.getIfPresent(9)).isNull();
    }

    @Test
    void invalidateAndInvalidateAllRemove() {
        Cache<String, String> cache = builder("inv").build();
        cache.put("a", "1");
        cache.put("b", "2");
        cache.invalidate("a");
        assertThat(cache.getIfPresent("a")).isNull();
        assertThat(cache.getIfPresent("b")).isEqualTo("2");
        cache.invalidateAll();
        assertThat(cache.getIfPresent("b")).isNull();
        assertThat(cache.estimatedSize()).isZero();
    }

    @Test
    void aPutDuringALoadIsNotOverwrittenByThatLoad() throws Exception {
        Cache<String, String> cache = builder("race").build();
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> loader = pool.submit(() -> cache.get("k", k -> {
            loading.countDown();
            await(release);
            return "from-loader";
        }));
        assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        cache.put("k", "from-put");
        release.countDown();
        assertThat(loader.get(5, TimeUnit.SECONDS)).isEqualTo("from-loader");
        assertThat(cache.getIfPresent("k")).isEqualTo("from-put");
    }

    @Test
    void anInvalidateDuringALoadKeepsThatLoadFromStoring() throws Exception {
        Cache<String, String> cache = builder("race2").build();
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> loader = pool.submit(() -> cache.get("k", k -> {
            loading.countDown();
            await(release);
            return "stale";
        }));
        assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        cache.invalidate("k");
        release.countDown();
        assertThat(loader.get(5, TimeUnit.SECONDS)).isEqualTo("stale");
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void aLoadThatStartsWhileAPutIsStoringDoesNotOverwriteThatPut() throws Exception {
        // Lincheck's history (issue 10, violation 2): put(3, 4) || get(3, k -> 5) = 5, then get(3) = 5. The load
        // began while the put was between discarding the key's flight and storing its value; it stored after the
        // put had returned. A weigher that blocks on the put's value holds the put in that window.
        CountDownLatch putStoring = new CountDownLatch(1);
        CountDownLatch finishPut = new CountDownLatch(1);
        Cache<Integer, Integer> cache = builder("lost-update")
                .<Integer, Integer>maximumWeight(100, (k, v) -> {
                    if (v == 4) {
                        putStoring.countDown();
                        await(finishPut);
                    }
                    return 1;
                })
                .build();
        Future<?> put = pool.submit(() -> cache.put(3, 4));
        assertThat(putStoring.await(5, TimeUnit.SECONDS)).isTrue();

        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch putReturned = new CountDownLatch(1);
        Thread[] getter = new Thread[1];
        Future<Integer> get = pool.submit(() -> {
            getter[0] = Thread.currentThread();
            return cache.get(3, k -> {
                loading.countDown();
                await(putReturned);
                return 5;
            });
        });
        // Either the load starts (the bug's window is open), or the get waits for the put to finish storing.
        org.awaitility.Awaitility.await("the get loads or waits for the put")
                .pollInterval(Duration.ofMillis(1))
                .until(() -> loading.getCount() == 0 || (getter[0] != null && waits(getter[0])));
        finishPut.countDown();
        put.get(5, TimeUnit.SECONDS);
        putReturned.countDown();

        assertThat(get.get(5, TimeUnit.SECONDS)).isIn(4, 5);
        assertThat(cache.getIfPresent(3)).as("the value of a put that returned").isEqualTo(4);
    }

    private static boolean waits(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.BLOCKED;
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
