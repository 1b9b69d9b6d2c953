package dev.cachet;

import java.time.Duration;

/**
 * How long a copy may live, as measured at one moment of a {@link Ticker}: {@link #left()} asks again later and gets
 * what is left by then, so that the time spent between reading a remote value and keeping a copy of it (a cold JVM's
 * class loading, a loaded machine) never lengthens the copy's life past the remote value's expiry.
 *
 * @param ticker the ticker the lifetime was measured by
 * @param measuredAtNanos the ticker's reading when {@code lifetime} was measured
 * @param lifetime how long the copy had to live then
 */
record Lifetime(Ticker ticker, long measuredAtNanos, Duration lifetime) {
    /** Returns how long the copy has left now, zero once its lifetime has passed. */
    Duration left() {
        long elapsed = ticker.read() - measuredAtNanos;
        Duration left = lifetime.minusNanos(Math.max(0, elapsed));
        return left.isNegative() ? Duration.ZERO : left;
    }
}
