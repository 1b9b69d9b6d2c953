package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a process waits for another process's load of the same key: an interrupt ends the wait at once, without
 * polling the tier, keeps the thread's interrupt flag set, and the caller gets its own loader's value (fail-open).
 */
class RemoteLockWaitTest {
    /** Far longer than any test may take: a waiter that returns did not wait it out. */
    private static final RemoteConfig PATIENT = RemoteConfig.custom()
            .lockWait(Duration.ofSeconds(30))
            .lockPollInterval(Duration.ofSeconds(10))
            .build();

    private final InMemoryRemoteTier shared = new InMemoryRemoteTier(Ticker.systemTicker());
    private final RecordingRemoteTier waiterTier = new RecordingRemoteTier(shared);
    private final Cache<String, String> holder = process(shared);
    private final Cache<String, String> waiter = process(waiterTier);
    private final CountDownLatch holderLoading = new CountDownLatch(1);
    private final CountDownLatch releaseHolder = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        releaseHolder.countDown();
        pool.shutdownNow();
    }

    private static Cache<String, String> process(RemoteTier tier) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofSeconds(30))
                .remote(tier, Utf8Codec.INSTANCE, PATIENT)
                .build();
    }

    /** Starts the holder's load of {@code k}, which takes the lock and keeps it until {@link #releaseHolder}. */
    private Future<String> holderLoads() throws InterruptedException {
        Future<String> load = pool.submit(() -> holder.get("k", key -> {
            holderLoading.countDown();
            InMemoryCacheTest.await(releaseHolder);
            return "from-holder";
        }));
        assertThat(holderLoading.await(5, TimeUnit.SECONDS)).isTrue();
        return load;
    }

    @Test
    void aWaiterInterruptedWhileAnotherProcessLoadsReturnsAtOnceWithItsFlagSet() throws Exception {
        Future<String> holderLoad = holderLoads();
        AtomicReference<String> result = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();
        CountDownLatch returned = new CountDownLatch(1);
        Thread waiting = new Thread(
                () -> {
                    result.set(waiter.get("k", key -> "from-waiter"));
                    flagKept.set(Thread.currentThread().isInterrupted());
                    returned.countDown();
                },
                "waiter");
        waiting.setDaemon(true);
        waiting.start();
        await("the waiter waits for the holder's lock")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> waiter.remoteStats().orElseThrow().lockWaits() == 1);

        waiting.interrupt();

        assertThat(returned.await(5, TimeUnit.SECONDS))
                .as(
                        "returned within 5 s of the interrupt, lockWait being 30 s (GETs sent so far: %s)",
                        waiterTier.gets())
                .isTrue();
        assertThat(flagKept)
                .as("the interrupt flag is still set when get returns")
                .isTrue();
        assertThat(result.get()).as("fail-open: the caller's own loader").isEqualTo("from-waiter");
        assertThat(waiterTier.gets())
                .as("GETs: the miss (its peek; the lock it then tried read nothing, as the holder had it), and at most"
                        + " one poll before the interrupt")
                .isLessThanOrEqualTo(2);
        RemoteStats stats = waiter.remoteStats().orElseThrow();
        assertThat(stats.lockTimeouts())
                .as("an interrupted wait counts as one that ran out")
                .isEqualTo(1);

        releaseHolder.countDown();
        assertThat(holderLoad.get(5, TimeUnit.SECONDS)).isEqualTo("from-holder");
        assertThat(waiter.getIfPresent("k"))
                .as("the holder's fenced write still lands")
                .isEqualTo("from-holder");
    }

    @Test
    void aThreadAlreadyInterruptedDoesNotWaitAtAll() throws Exception {
        Future<String> holderLoad = holderLoads();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            Thread.currentThread().interrupt();
            try {
                assertThat(waiter.get("k", key -> "from-waiter")).isEqualTo("from-waiter");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted(); // leave the flag behind with the test, not on the runner's thread
            }
        });
        assertThat(waiterTier.gets())
                .as("GETs: the miss only (its peek; the lock it then tried read nothing, as the holder had it)")
                .isEqualTo(1);
        releaseHolder.countDown();
        assertThat(holderLoad.get(5, TimeUnit.SECONDS)).isEqualTo("from-holder");
    }
}
