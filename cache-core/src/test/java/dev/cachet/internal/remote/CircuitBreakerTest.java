package dev.cachet.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The breaker on a fake clock: when it opens, when it lets a probe through, and that one probe runs at a time. */
@Timeout(10)
class CircuitBreakerTest {
    private static final long OPEN = Duration.ofMillis(100).toNanos();

    private long now = 1_000;
    private final CircuitBreaker breaker = new CircuitBreaker(() -> now, 3, OPEN);

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        assertThat(breaker.onFailure()).isFalse();
        assertThat(breaker.onFailure()).isFalse();
        assertThat(breaker.onSuccess()).as("a success resets the count").isFalse();
        assertThat(breaker.onFailure()).isFalse();
        assertThat(breaker.onFailure()).isFalse();
        assertThat(breaker.allowsRequest()).isTrue();

        assertThat(breaker.onFailure()).as("the third in a row opens it").isTrue();

        assertThat(breaker.isOpen()).isTrue();
        assertThat(breaker.allowsRequest()).isFalse();
    }

    @Test
    void letsOneProbeThroughOnceTheOpenPeriodHasPassedAndItsSuccessCloses() {
        open();
        advance(OPEN - 1);
        assertThat(breaker.allowsRequest()).isFalse();
        advance(1);

        assertThat(breaker.allowsRequest()).as("the probe").isTrue();
        assertThat(breaker.allowsRequest()).isFalse();
        assertThat(breaker.onSuccess()).as("closed by the probe").isTrue();

        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.allowsRequest()).isTrue();
    }

    @Test
    void noSecondProbeWhileTheFirstStillRuns() {
        open();
        advance(OPEN);
        assertThat(breaker.allowsRequest()).as("the probe").isTrue();

        // A blackholed server holds the probe for its connect timeout, longer than the open period.
        advance(2 * OPEN);

        assertThat(breaker.allowsRequest()).as("the probe still runs").isFalse();
        breaker.onFailure();
        advance(OPEN - 1);
        assertThat(breaker.allowsRequest())
                .as("another period from the probe's failure")
                .isFalse();
        advance(1);
        assertThat(breaker.allowsRequest()).as("the next probe").isTrue();
    }

    @Test
    void aProbeThatNeverReportsIsGivenUpAfterItsLimit() {
        open();
        advance(OPEN);
        assertThat(breaker.allowsRequest()).as("the probe").isTrue();

        advance(CircuitBreaker.PROBE_LIMIT - 1);
        assertThat(breaker.allowsRequest()).isFalse();
        advance(1);

        assertThat(breaker.allowsRequest()).as("the next probe").isTrue();
        assertThat(breaker.isOpen()).isTrue();
    }

    @Test
    void anInconclusiveProbeLetsTheNextOneGoAfterAnOpenPeriod() {
        open();
        advance(OPEN);
        assertThat(breaker.allowsRequest()).as("the probe").isTrue();

        breaker.onInconclusive(); // e.g. no free pooled connection for it

        assertThat(breaker.isOpen()).isTrue();
        assertThat(breaker.allowsRequest()).isFalse();
        advance(OPEN);
        assertThat(breaker.allowsRequest()).as("the next probe").isTrue();
    }

    @Test
    void anInconclusiveCallLeavesAClosedOrWaitingBreakerAlone() {
        breaker.onInconclusive();
        assertThat(breaker.isOpen()).isFalse();
        open();
        breaker.onInconclusive();
        assertThat(breaker.allowsRequest()).isFalse();
        advance(OPEN);
        assertThat(breaker.allowsRequest()).as("the period is not restarted").isTrue();
    }

    @Test
    void concurrentCallersPastTheOpenPeriodLetOneProbeThrough() throws Exception {
        open();
        advance(OPEN);
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> allowed = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> caller = () -> {
                    start.await(5, TimeUnit.SECONDS);
                    return breaker.allowsRequest();
                };
                allowed.add(pool.submit(caller));
            }
            int probes = 0;
            for (Future<Boolean> each : allowed) {
                probes += each.get(5, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(probes).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private void open() {
        for (int i = 0; i < 3; i++) {
            breaker.onFailure();
        }
        assertThat(breaker.isOpen()).isTrue();
    }

    private void advance(long nanos) {
        now += nanos;
    }
}
