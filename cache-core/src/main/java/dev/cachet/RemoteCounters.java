package dev.cachet;

import java.util.concurrent.atomic.LongAdder;

/** The counters of a {@link RemoteCache}, from which it makes its {@link RemoteStats}. Thread-safe; never decrease. */
final class RemoteCounters {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder lockWaits = new LongAdder();
    private final LongAdder lockTimeouts = new LongAdder();
    private final LongAdder decodeFailures = new LongAdder();
    private final LongAdder fallbackLoads = new LongAdder();
    private final LongAdder earlyRecomputes = new LongAdder();
    private final LongAdder refreshes = new LongAdder();

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void error() {
        errors.increment();
    }

    void lockWait() {
        lockWaits.increment();
    }

    void lockTimeout() {
        lockTimeouts.increment();
    }

    void decodeFailure() {
        decodeFailures.increment();
    }

    void fallbackLoad() {
        fallbackLoads.increment();
    }

    void earlyRecompute() {
        earlyRecomputes.increment();
    }

    void refresh() {
        refreshes.increment();
    }

    /**
     * Returns a snapshot of the counters, with the number of invalidations pending now and of expired values served
     * (counted by the cache's {@link StaleServing}).
     */
    RemoteStats snapshot(long pendingInvalidations, long staleServed) {
        return new RemoteStats(
                hits.sum(),
                misses.sum(),
                errors.sum(),
                lockWaits.sum(),
                lockTimeouts.sum(),
                decodeFailures.sum(),
                fallbackLoads.sum(),
                earlyRecomputes.sum(),
                pendingInvalidations,
                refreshes.sum(),
                staleServed);
    }
}
