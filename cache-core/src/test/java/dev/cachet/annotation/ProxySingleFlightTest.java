package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stampedes through a proxy: however many threads miss one key at once, the target is called once. */
class ProxySingleFlightTest {
    private static final int THREADS = 64;
    private static final int ROUNDS = 20;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    interface Reports {
        @Cached(name = "reports")
        String report(String region) throws IOException;

        @Cached(name = "async-reports")
        CompletableFuture<String> reportLater(String region);

        @CacheInvalidate(name = "reports")
        void refresh(String region);

        @CacheInvalidate(name = "async-reports")
        void refreshLater(String region);
    }

    /** A slow backend whose answers and failures the test scripts. */
    static final class SlowReports implements Reports {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<IOException> failure = new AtomicReference<>();
        final AtomicReference<CompletableFuture<String>> later = new AtomicReference<>();
        final Set<Thread> callers = ConcurrentHashMap.newKeySet();

        @Override
        public String report(String region) throws IOException {
            int call = calls.incrementAndGet();
            if (!callers.isEmpty()) {
                awaitOthersWaitingForThisCall(callers);
            }
            IOException planned = failure.get();
            if (planned != null) {
                throw planned;
            }
            return region + " report #" + call;
        }

        @Override
        public CompletableFuture<String> reportLater(String region) {
            calls.incrementAndGet();
            return later.get();
        }

        @Override
        public void refresh(String region) {}

        @Override
        public void refreshLater(String region) {}
    }

    private final SlowReports target = new SlowReports();
    private final Reports reports = Cachet.proxy(Reports.class, target, invariants.registry());

    /**
     * Blocks the calling thread (the one calling the target) until every other caller waits for that call's result:
     * parked in a {@code CompletableFuture}, as single-flight waiters are. Then none of them can miss and call again.
     */
    private static void awaitOthersWaitingForThisCall(Set<Thread> callers) {
        Thread calling = Thread.currentThread();
        await("the other callers all wait for the call in flight")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    long waiting = callers.stream()
                            .filter(t -> t != calling)
                            .map(LockSupport::getBlocker)
                            .filter(blocker -> blocker != null
                                    && blocker.getClass()
                                            .getName()
                                            .startsWith("java.util.concurrent.CompletableFuture"))
                            .count();
                    return callers.size() == THREADS && waiting == THREADS - 1;
                });
    }

    private <T> List<T> callTogether(Callable<T> call) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(THREADS);
        target.callers.clear();
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                target.callers.add(Thread.currentThread());
                barrier.await(10, TimeUnit.SECONDS);
                return call.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(10, TimeUnit.SECONDS));
        }
        target.callers.clear();
        return results;
    }

    @Test
    void sixtyFourThreadsMissingOneKeyCallTheTargetOnceEachRound() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            reports.refresh("emea");
            List<String> results = callTogether(() -> reports.report("emea"));

            assertThat(results).as("round %d", round).containsOnly("emea report #" + round);
            assertThat(target.calls.get()).as("calls after round %d", round).isEqualTo(round);
        }
        assertThat(invariants.registry().find("reports").orElseThrow().stats().loadSuccessCount())
                .isEqualTo(ROUNDS);
    }

    @Test
    void aCheckedExceptionReachesEveryWaitingThreadUnchangedAndIsNotCached() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            IOException failure = new IOException("disk full, round " + round);
            target.failure.set(failure);
            List<Throwable> outcomes = callTogether(() -> {
                try {
                    reports.report("apac");
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });

            assertThat(outcomes)
                    .as("round %d", round)
                    .allSatisfy(outcome -> assertThat(outcome).isSameAs(failure));
            assertThat(target.calls.get()).as("calls after round %d", round).isEqualTo(round);
        }
        target.failure.set(null);
        assertThat(reports.report("apac")).isEqualTo("apac report #" + (ROUNDS + 1));
    }

    @Test
    void sixtyFourThreadsMissingOneKeyShareOneFutureCallEachRound() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            reports.refreshLater("amer");
            CompletableFuture<String> backend = new CompletableFuture<>();
            target.later.set(backend);
            List<CompletableFuture<String>> futures = callTogether(() -> reports.reportLater("amer"));

            assertThat(target.calls.get()).as("calls after round %d", round).isEqualTo(round);
            assertThat(futures).as("round %d", round).noneMatch(CompletableFuture::isDone);
            backend.complete("amer report #" + round);
            for (CompletableFuture<String> future : futures) {
                assertThat(future).as("round %d", round).isCompletedWithValue("amer report #" + round);
            }
            assertThat(reports.reportLater("amer")).isCompletedWithValue("amer report #" + round);
        }
    }
}
