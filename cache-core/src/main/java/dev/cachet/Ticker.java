package dev.cachet;

/**
 * A source of time for expiry and load timing, in nanoseconds from an arbitrary origin. Inject a fake one in tests
 * so that expiry can be tested without sleeping: {@code builder.ticker(fakeClock::nanos)}.
 *
 * <p>Implementations must be thread-safe and never go backwards.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current time in nanoseconds, relative to a fixed but arbitrary origin. */
    long read();

    /** Returns the ticker backed by {@link System#nanoTime()}. */
    static Ticker systemTicker() {
        return SystemTicker.INSTANCE;
    }
}

/** The default {@link Ticker}; a singleton so that configurations using it compare equal. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
