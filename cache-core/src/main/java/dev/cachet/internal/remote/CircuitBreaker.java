package dev.cachet.internal.remote;

import dev.cachet.Ticker;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spares callers the wait for a timeout while the remote tier is down: after a number of consecutive failures the
 * breaker opens and {@link #allowsRequest()} answers false, so callers go straight to their fallback; once the open
 * period has passed, one caller at a time is let through as a probe, and the first success closes the breaker.
 *
 * <p>Thread-safe and lock-free; a handful of atomics, because the only states are "counting failures" and "open
 * until".
 */
final class CircuitBreaker {
    private static final long CLOSED = Long.MIN_VALUE;

    private final Ticker ticker;
    private final int failureThreshold;
    private final long openNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong openUntil = new AtomicLong(CLOSED);

    CircuitBreaker(Ticker ticker, int failureThreshold, long openNanos) {
        this.ticker = ticker;
        this.failureThreshold = failureThreshold;
        this.openNanos = openNanos;
    }

    /** Returns true if a call may go to the tier now; while open, lets one probe through per open period. */
    boolean allowsRequest() {
        long until = openUntil.get();
        if (until == CLOSED) {
            return true;
        }
        long now = ticker.read();
        // Past the open period: the caller that moves the deadline forward is the probe.
        return now - until >= 0 && openUntil.compareAndSet(until, now + openNanos);
    }

    /** Returns true if the breaker is open (failing fast). */
    boolean isOpen() {
        return openUntil.get() != CLOSED;
    }

    /** Records a successful call; returns true if it closed an open breaker (the tier is back). */
    boolean onSuccess() {
        consecutiveFailures.set(0);
        return openUntil.getAndSet(CLOSED) != CLOSED;
    }

    /** Records a failed call; returns true if it opened the breaker. */
    boolean onFailure() {
        if (consecutiveFailures.incrementAndGet() < failureThreshold) {
            return false;
        }
        long now = ticker.read();
        long until = openUntil.get();
        if (until == CLOSED) {
            return openUntil.compareAndSet(CLOSED, now + openNanos);
        }
        openUntil.compareAndSet(until, now + openNanos); // a failed probe: stay open for another period
        return false;
    }
}
