package dev.cachet.testing;

import dev.cachet.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Ticker} that moves only when told to, so expiry tests never sleep. Thread-safe. */
public final class FakeTicker implements Ticker {
    /** Where {@link #clock()} starts: 2026-01-01T00:00:00Z. */
    private static final long CLOCK_ORIGIN_MILLIS = 1_767_225_600_000L;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
        return nanos.get();
    }

    /** Returns the current reading; handy as a method reference ({@code ticker(clock::nanos)}). */
    public long nanos() {
        return nanos.get();
    }

    /**
     * Returns a wall clock that moves with this ticker (from an arbitrary epoch instant), for what a cache stamps in
     * wall-clock time: {@code RemoteConfig.custom().clock(ticker.clock())} makes a remote value's expiry and write
     * time follow the test's time.
     */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(CLOCK_ORIGIN_MILLIS + TimeUnit.NANOSECONDS.toMillis(nanos.get()));
            }
        };
    }

    /** Moves time forward by {@code duration}. */
    public FakeTicker advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
        return this;
    }
}
