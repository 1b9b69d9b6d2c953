package dev.cachet.internal.remote;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Spares callers the wait for a timeout while the remote tier is down: after a number of consecutive failures the
 * breaker opens and {@link #allowsRequest()} answers false, so callers go straight to their fallback; once the open
 * period has passed, one caller at a time is let through as a probe, and the first success closes the breaker.
 *
 * <p>Thread-safe and lock-free; a handful of atomics, because the only states are "counting failures" and "open
 * until". Time comes as a plain nanosecond source, so that this package needs nothing from {@code dev.cachet}.
 */
public final class CircuitBreaker {
    private static final long CLOSED = Long.MIN_VALUE;

    private final LongSupplier nanoTime;
    private final int failureThreshold;
    private final long openNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong openUntil = new AtomicLong(CLOSED);

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
    }

    /** Returns true if a call may go to the tier now; while open, lets one probe through per open period. */
    public boolean allowsRequest() {
        long until = openUntil.get();
        if (until == CLOSED) {
            return true;
        }
        long now = nanoTime.getAsLong();
        // Past the open period: the caller that moves the deadline forward is the probe.
        return now - until >= 0 && openUntil.compareAndSet(until, now + openNanos);
    }

    /** Returns true if the breaker is open (failing fast). */
    public boolean isOpen() {
        return openUntil.get() != CLOSED;
    }

    /** Records a successful call; returns true if it closed an open breaker (the tier is back). */
    public boolean onSuccess() {
        consecutiveFailures.set(0);
        return openUntil.getAndSet(CLOSED) != CLOSED;
    }

    /** Records a failed call; returns true if it opened the breaker. */
    public boolean onFailure() {
        if (consecutiveFailures.incrementAndGet() < failureThreshold) {
            return false;
        }
        long now = nanoTime.getAsLong();
        long until = openUntil.get();
        if (until == CLOSED) {
            return openUntil.compareAndSet(CLOSED, now + openNanos);
        }
        openUntil.compareAndSet(until, now + openNanos); // a failed probe: stay open for another period
        return false;
    }
}
