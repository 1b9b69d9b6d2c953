package dev.cachet;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link LowHitRatio} handler: logs each low window as a WARN, but at most one line per interval per
 * cache (one minute by default) so that a busy, badly sized cache does not flood the log; the line after a quiet
 * spell says how many low windows it stood for. Thread-safe.
 */
final class LowHitRatioLogger implements Consumer<LowHitRatio> {
    private static final Logger log = LoggerFactory.getLogger("HitRatio");

    private final Ticker ticker;
    private final long intervalNanos;
    private final AtomicLong nextLogAt;
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * Creates a logger.
     *
     * @param ticker the cache's ticker, for the rate limit
     * @param intervalNanos the least time between two lines
     */
    LowHitRatioLogger(Ticker ticker, long intervalNanos) {
        this.ticker = ticker;
        this.intervalNanos = intervalNanos;
        this.nextLogAt = new AtomicLong(ticker.read());
    }

    /** Creates a logger with a one-minute interval. */
    LowHitRatioLogger(Ticker ticker) {
        this(ticker, TimeUnit.MINUTES.toNanos(1));
    }

    @Override
    public void accept(LowHitRatio event) {
        String line = lineFor(event);
        if (line != null) {
            log.warn(line);
        }
    }

    /** Returns the line to log for {@code event}, or null when the rate limit holds it back. */
    @Nullable
    String lineFor(LowHitRatio event) {
        long now = ticker.read();
        long due = nextLogAt.get();
        if (now - due < 0 || !nextLogAt.compareAndSet(due, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return null;
        }
        long skipped = suppressed.getAndSet(0);
        return skipped == 0
                ? event.describe()
                : event.describe() + " (" + skipped + " more low windows since the last warning)";
    }
}
