package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stampede protection inside one process: one load per key at a time, whatever the number of callers. */
class SingleFlightLoadTest {
    private static final int THREADS = 64;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void sixtyFourThreadsOnAMissingOrExpiredKeyRunTheLoaderOnceEachRound() throws Exception {
        FakeTicker clock = new FakeTicker();
        Cache<String, String> cache = Cachet.builder("hot")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofSeconds(1))
                .ticker(clock)
                .build();
        AtomicInteger loads = new AtomicInteger();
        CyclicBarrier barrier = new CyclicBarrier(THREADS);
        for (int round = 0; round < 200; round++) {
            if (round % 2 == 0) {
                cache.invalidate("k"); // missing
            } else {
                clock.advance(Duration.ofSeconds(2)); // expired
            }
            int before = loads.get();
            String expected = "value-" + (before + 1);
            List<Future<String>> answers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                answers.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return cache.get("k", k -> {
                        java.util.concurrent.locks.LockSupport.parkNanos(
                                10_000); // widen the window in which others arrive
                        return "value-" + loads.incrementAndGet();
                    });
                }));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS))
                        .as("round %d", round)
                        .isEqualTo(expected);
            }
            assertThat(loads.get() - before).as("loads in round %d", round).isEqualTo(1);
        }
    }

    @Test
    void aLoaderExceptionReachesEveryWaiterIsNotCachedAndTheNextCallRetries() throws Exception {
        Cache<String, String> cache =
                Cachet.builder("failing").registry(invariants.registry()).build();
        for (int round = 0; round < 20; round++) {
            AtomicInteger loads = new AtomicInteger();
            IllegalStateException failure = new IllegalStateException("backend down, round " + round);
            List<Thread> callers = new ArrayList<>();
            List<Future<Throwable>> outcomes = new ArrayList<>();
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            for (int t = 0; t < THREADS; t++) {
                outcomes.add(pool.submit((Callable<Throwable>) () -> {
                    synchronized (callers) {
                        callers.add(Thread.currentThread());
                    }
                    barrier.await(10, TimeUnit.SECONDS);
                    try {
                        cache.get("k", k -> {
                            loads.incrementAndGet();
                            awaitOthersWaiting(callers);
                            throw failure;
                        });
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            for (Future<Throwable> outcome : outcomes) {
                assertThat(outcome.get(10, TimeUnit.SECONDS)).isSameAs(failure);
            }
            assertThat(loads.get()).isEqualTo(1);
            assertThat(cache.getIfPresent("k")).isNull();
            assertThat(cache.get("k", k -> "recovered")).isEqualTo("recovered");
            cache.invalidate("k");
        }
        assertThat(cache.stats().loadFailureCount()).isEqualTo(20);
    }

    /** Blocks the loading thread until every other caller is parked waiting for its result. */
    private static void awaitOthersWaiting(List<Thread> callers) {
        Thread loader = Thread.currentThread();
        await("the other callers all wait for the load")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    List<Thread> snapshot;
                    synchronized (callers) {
                        snapshot = List.copyOf(callers);
                    }
                    long waiting = snapshot.stream()
                            .filter(t -> t != loader)
                            .filter(t -> t.getState() == Thread.State.WAITING)
                            .count();
                    return snapshot.size() == THREADS && waiting == THREADS - 1;
                });
    }

    @Test
    void aLoaderAskingForItsOwnKeyFailsAtOnceInsteadOfDeadlocking() {
        Cache<String, String> cache =
                Cachet.builder("cycle").registry(invariants.registry()).build();
        assertThatThrownBy(() -> cache.get("k", k -> cache.get("k", k2 -> "never")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recursive load")
                .hasMessageContaining("'cycle'")
                .hasMessageContaining("key k");
        assertThat(cache.get("k", k -> "fine")).isEqualTo("fine");
    }

    @Test
    void aLoaderMayReadOtherKeysOfTheSameCache() {
        Cache<Integer, Long> cache =
                Cachet.builder("nested").registry(invariants.registry()).build();
        class Sum {
            long of(int n) {
                return cache.get(n, k -> k == 0 ? 0L : k + of(k - 1));
            }
        }
        assertThat(new Sum().of(300)).isEqualTo(300L * 301 / 2);
        assertThat(cache.estimatedSize()).isEqualTo(301);
    }

    @Test
    void checkedExceptionsThrownByStealthAreWrapped() {
        Cache<String, String> cache =
                Cachet.builder("checked").registry(invariants.registry()).build();
        assertThatThrownBy(() -> cache.get("k", k -> sneakyThrow(new java.io.IOException("disk"))))
                .isInstanceOf(CacheLoadException.class)
                .hasMessageContaining("'checked'")
                .hasRootCauseInstanceOf(java.io.IOException.class);
    }

    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    private static <T extends Throwable, R> R sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
