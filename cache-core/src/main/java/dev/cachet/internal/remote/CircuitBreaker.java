package dev.cachet.internal.remote;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Spares callers the wait for a timeout while the remote tier is down: after a number of consecutive failures the
 * breaker opens and {@link #allowsRequest()} answers false, so callers go straight to their fallback; once the open
 * period has passed, one caller is let through as a probe, and the first success closes the breaker.
 *
 * <p>One probe at a time: while a probe's call runs, no other caller is let through, however long it takes (a
 * blackholed server holds it for the whole connect timeout), and a failed probe opens the breaker for another period
 * counted from its failure. So an open breaker makes at most one caller wait at a time, and short open periods cost no
 * more than one connection attempt per period plus the attempt's own time. A probe that never reports is given up
 * after {@link #PROBE_LIMIT} (or the open period, if longer), and the next one is let through.
 *
 * <p>Thread-safe and lock-free: one atomic reference to an immutable state, replaced on each transition, and a failure
 * counter. Time comes as a plain nanosecond source, so that this package needs nothing from {@code dev.cachet}.
 */
public final class CircuitBreaker {
    /** The longest a probe keeps the others out unless the open period is longer: its call has surely timed out. */
    static final long PROBE_LIMIT = TimeUnit.SECONDS.toNanos(1);

    private static final State CLOSED = new State(0, false);

    private final LongSupplier nanoTime;
    private final int failureThreshold;
    private final long openNanos;
    private final long probeLimitNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<State> state = new AtomicReference<>(CLOSED);

    /**
     * An open breaker: no call until {@code until}; with {@code probing}, a probe is running and {@code until} is when
     * it is given up. Compared by identity, {@link #CLOSED} included: each transition makes a new one.
     */
    private static final class State {
        private final long until;
        private final boolean probing;

        State(long until, boolean probing) {
            this.until = until;
            this.probing = probing;
        }

        long until() {
            return until;
        }

        boolean probing() {
            return probing;
        }
    }

    /**
     * Creates a closed breaker.
     *
     * @param nanoTime the time source, in nanoseconds (the cache's ticker)
     * @param failureThreshold consecutive failures that open the breaker
     * @param openNanos how long the breaker stays open before it lets a probe through
     */
    public CircuitBreaker(LongSupplier nanoTime, int failureThreshold, long openNanos) {
        this.nanoTime = nanoTime;
        this.failureThreshold = failureThreshold;
        this.openNanos = openNanos;
        this.probeLimitNanos = Math.max(openNanos, PROBE_LIMIT);
    }

    /**
     * Returns true if a call may go to the tier now; while open, lets one probe through per open period, and none while
     * the previous probe still runs. The caller reports how its call ended: {@link #onSuccess()}, {@link #onFailure()}
     * or {@link #onInconclusive()}.
     */
    public boolean allowsRequest() {
        State current = state.get();
        if (current == CLOSED) {
            return true;
        }
        long now = nanoTime.getAsLong();
        // Past the open period (or a lost probe's limit): the caller that takes the probe's place is the probe.
        return now - current.until() >= 0 && state.compareAndSet(current, new State(now + probeLimitNanos, true));
    }

    /** Returns true if the breaker is open (failing fast). */
    public boolean isOpen() {
        return state.get() != CLOSED;
    }

    /** Records a successful call; returns true if it closed an open breaker (the tier is back). */
    public boolean onSuccess() {
        // Every successful call passes here: reading first leaves the shared lines alone while nothing changes, so
        // callers on other cores do not take turns writing them (the usual case, a closed breaker and no failures).
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
        return state.get() != CLOSED && state.getAndSet(CLOSED) != CLOSED;
    }

    /** Records a failed call; returns true if it opened the breaker. */
    public boolean onFailure() {
        if (consecutiveFailures.incrementAndGet() < failureThreshold) {
            return false;
        }
        State open = new State(nanoTime.getAsLong() + openNanos, false);
        State current = state.get();
        if (current == CLOSED) {
            return state.compareAndSet(CLOSED, open);
        }
        // A failed probe (or a call that began before the breaker opened): another period, from now.
        state.compareAndSet(current, open);
        return false;
    }

    /**
     * Records a call that tells nothing about the tier (this process had no free connection for it, or it failed
     * otherwise): if a probe was running, the next one is let through after an open period.
     */
    public void onInconclusive() {
        State current = state.get();
        if (current.probing()) {
            state.compareAndSet(current, new State(nanoTime.getAsLong() + openNanos, false));
        }
    }
}
