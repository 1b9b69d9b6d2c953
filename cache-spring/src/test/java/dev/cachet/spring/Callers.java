package dev.cachet.spring;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Threads that call one cached key at once, for tests of one load per key. Each caller {@link #enter() enters} before
 * it calls; the test then {@link #awaitAllWaitingForOneLoad waits} until one load runs and every other caller is
 * parked waiting for its result, and only then lets the load finish. So the callers are known to overlap, without
 * sleeping: if they never do, the wait fails.
 */
public final class Callers {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    /** Creates a group of callers for one test. */
    public Callers() {}

    /** Records the calling thread as one of the callers; call it before calling the cache. */
    public void enter() {
        threads.add(Thread.currentThread());
    }

    /**
     * Waits until {@code expected} callers have entered, {@code loads} says one load has started, and every other
     * caller is parked on a {@code CompletableFuture}, as Cachet's single-flight waiters are.
     */
    public void awaitAllWaitingForOneLoad(int expected, IntSupplier loads) {
        await("one load runs and the other " + (expected - 1) + " callers wait for it")
                .atMost(AWAIT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> threads.size() == expected
                        && loads.getAsInt() == 1
                        && threads.stream().filter(Callers::waitsForALoad).count() == expected - 1);
    }

    private static boolean waitsForALoad(Thread thread) {
        Object blocker = LockSupport.getBlocker(thread);
        return blocker != null && blocker.getClass().getName().startsWith("java.util.concurrent.CompletableFuture");
    }
}
