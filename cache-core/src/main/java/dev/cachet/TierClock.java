package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/**
 * The one source of time of a {@link RemoteCache} and its parts: every time read on the remote path goes through it,
 * so a test sets both kinds of time in one place (a {@code FakeTicker} and a fixed or offset {@link Clock}).
 *
 * <p>Two kinds, because two questions: {@link #nanoTime()} measures durations in this process (load times, the lock
 * wait's deadline, the circuit breaker's open period) from the cache's {@link Ticker}, which never goes backwards
 * but whose origin means nothing to another process; {@link #epochMillis()} stamps envelopes that other processes
 * read (a value's expiry and compute time for early recompute), so it is wall-clock time from {@link
 * RemoteConfig#clock()}, which every process shares but which may jump, and so never times a wait. Thread-safe.
 */
final class TierClock {
    private final Ticker ticker;
    private final Clock wallClock;

    /**
     * Creates the clock.
     *
     * @param ticker the cache's ticker, for durations
     * @param wallClock the clock for envelope stamps shared between processes
     */
    TierClock(Ticker ticker, Clock wallClock) {
        this.ticker = requireNonNull(ticker, "ticker");
        this.wallClock = requireNonNull(wallClock, "wallClock");
    }

    /** Returns the ticker's reading, in nanoseconds from an arbitrary origin: for durations in this process. */
    long nanoTime() {
        return ticker.read();
    }

    /** Returns the wall clock's time in epoch milliseconds: for stamps other processes read. */
    long epochMillis() {
        return wallClock.millis();
    }
}
