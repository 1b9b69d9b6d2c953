package dev.cachet.testing;

import dev.cachet.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Ticker} that moves only when told to, so expiry tests never sleep. Thread-safe. */
public final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
        return nanos.get();
    }

    /** Returns the current reading; handy as a method reference ({@code ticker(clock::nanos)}). */
    public long nanos() {
        return nanos.get();
    }

    /** Moves time forward by {@code duration}. */
    public FakeTicker advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
        return this;
    }
}
