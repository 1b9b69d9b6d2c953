package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.EnvelopeCodec.Found;
import dev.cachet.EnvelopeCodec.Read;
import dev.cachet.EnvelopeCodec.Stored;
import dev.cachet.spi.LockedLookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Elects one loader per missing key across processes through the tier's lock, and makes the others wait a bounded
 * time for its value: a waiter that finds the lock free without a value (the holder's loader returned null or threw,
 * or its write was refused) takes it, so that one waiter loads next and the others keep waiting. Thread-safe.
 *
 * @param <V> the type of values
 */
final class LoadElection<V> {
    private final RemoteStore store;
    private final TierGuard guard;
    private final EnvelopeCodec<V> envelopes;
    private final TierClock clock;
    private final RemoteCounters counters;
    private final Duration lockLease;
    private final Duration lockWait;
    private final long pollNanos;

    /**
     * A loaded value with its encoded form: the loader's caller gets {@code value}, waiters decode {@code bytes}.
     * {@code asOf} is the key's fence as the read this value rests on found it (empty when the tier did not answer),
     * {@code startedNanos} when the load that produced it started, and {@code writeSentNanos}, if the tier accepted the
     * value's write with the lease of that read, when the write was sent (both on {@link TierClock#nanoTime()}), so
     * that a caller who joined it can tell whether the value may predate a write the caller's own read came after.
     */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are never mutated
    record Loaded<V>(
            @Nullable V value,
            byte @Nullable [] bytes,
            OptionalLong asOf,
            long startedNanos,
            OptionalLong writeSentNanos) {
        /** A value the loader produced after {@code basis}, the read that found the key empty; not written. */
        static <V> Loaded<V> after(@Nullable V value, byte @Nullable [] bytes, Read<V> basis) {
            return new Loaded<>(value, bytes, basis.seen(), 0, OptionalLong.empty());
        }

        /**
         * A value the loader produced after {@code basis}, which the tier accepted with {@code basis}'s lease in a write
         * sent at {@code sentNanos}: nothing wrote, deleted or locked the key between that read and the write.
         */
        static <V> Loaded<V> written(@Nullable V value, byte[] bytes, Read<V> basis, long sentNanos) {
            return new Loaded<>(value, bytes, basis.seen(), 0, OptionalLong.of(sentNanos));
        }

        /** A value another process wrote, found by {@code read}. */
        static <V> Loaded<V> of(Stored<V> stored, Read<V> read) {
            return new Loaded<>(stored.value(), stored.bytes(), read.seen(), 0, OptionalLong.empty());
        }

        Loaded<V> startedAt(long nanos) {
            return new Loaded<>(value, bytes, asOf, nanos, writeSentNanos);
        }

        Loaded<V> withValue(@Nullable V copy) {
            return new Loaded<>(copy, bytes, asOf, startedNanos, writeSentNanos);
        }

        /**
         * Returns whether this value may be older than a write that {@code read}, the read of a caller who began at
         * {@code callerBegan} and saw its read miss at {@code callerMissed}, came after. With both fences known that is
         * exact: the caller's read saw a fence this value's read did not, so a put, invalidate or lock came between
         * them. Without them, a value whose write the tier accepted is no older if the caller's read had ended before
         * that write was sent: any write before the caller's read came either before this value's read, which the load
         * followed, or between it and the accepted write, which changing the fence would have refused. Otherwise only a
         * load that started after the caller began is surely newer.
         */
        boolean predates(Read<?> read, long callerBegan, long callerMissed) {
            if (read.seen().isPresent() && asOf.isPresent()) {
                return read.seen().getAsLong() > asOf.getAsLong();
            }
            if (writeSentNanos.isPresent() && callerMissed - writeSentNanos.getAsLong() < 0) {
                return false;
            }
            return startedNanos - callerBegan < 0;
        }
    }

    /** Runs the loader and writes its value with the lease of {@code basis}, the read that found the key empty. */
    @FunctionalInterface
    interface LoadAndWrite<V> {
        /**
         * Loads and writes; with {@code held}, the lock on the key the caller holds, which the write releases in the
         * same call ({@link RemoteStore#putIfUnchangedAndRelease}). The caller closes {@code held} afterwards all the
         * same, for a load that wrote nothing: closing a released lock again does nothing.
         */
        Loaded<V> run(Read<V> basis, @Nullable RemoteLock held);

        /** Loads and writes without a lock. */
        default Loaded<V> run(Read<V> basis) {
            return run(basis, null);
        }
    }

    LoadElection(
            RemoteConfig remote,
            RemoteStore store,
            TierGuard guard,
            EnvelopeCodec<V> envelopes,
            TierClock clock,
            RemoteCounters counters) {
        this.store = requireNonNull(store, "store");
        this.guard = requireNonNull(guard, "guard");
        this.envelopes = requireNonNull(envelopes, "envelopes");
        this.clock = requireNonNull(clock, "clock");
        this.counters = requireNonNull(counters, "counters");
        this.lockLease = remote.lockLease();
        this.lockWait = remote.lockWait();
        this.pollNanos = remote.lockPollInterval().toNanos();
    }

    /**
     * Loads {@code encodedKey} after {@code miss}: under the tier's lock if it is free; otherwise waits for its holder's
     * value and, whenever a poll finds the lock free without a value, tries to take it. A wait that runs out loads and
     * writes with the lease of its latest miss, which the holder's write, if it came first, has used up. After a
     * {@linkplain Read#isBare() bare} miss the key is read again for its lease: by the lock's own read when there is
     * an election, so that a miss that refills a key takes three round trips (the peek, the lock, the write), not four.
     */
    Loaded<V> load(String encodedKey, Read<V> miss, LoadAndWrite<V> load) {
        // isOpen, not allowsRequest: the read at the start of get() has already been this period's probe, and
        // asking again here would use up the next one without calling the tier.
        boolean elect = !lockWait.isZero() && !guard.isOpen();
        if (miss.isBare() && !elect) {
            // A peek found the key empty: read it again for the lease the write needs (a value may have come since).
            miss = envelopes.read(encodedKey);
            Stored<V> arrived = miss.stored();
            if (arrived != null) {
                return Loaded.of(arrived, miss);
            }
        }
        if (miss.found() != Found.MISS || !elect) {
            return load.run(miss);
        }
        // A bare miss does not know the lock: trying it is the read for the lease, in the same round trip.
        if (!miss.locked()) {
            Loaded<V> loaded = loadIfLockFree(encodedKey, miss, load);
            if (loaded != null) {
                return loaded;
            }
        }
        counters.lockWait();
        Read<V> latestMiss = miss;
        boolean interrupted = false;
        long deadline = clock.nanoTime() + lockWait.toNanos();
        while (clock.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(pollNanos);
            if (Thread.currentThread().isInterrupted()) {
                // parkNanos returns at once while the flag is set, so polling on would spin GETs until the deadline.
                // The caller asked to stop waiting: stop, leave the flag for its next blocking call, and load as
                // after a timeout, so that threads sharing this flight are not failed by another thread's interrupt.
                interrupted = true;
                break;
            }
            Read<V> polled = envelopes.read(encodedKey);
            Stored<V> arrived = polled.stored();
            if (arrived != null) {
                return Loaded.of(arrived, polled);
            }
            if (polled.found() == Found.FOREIGN) {
                return load.run(polled); // no value for us will come
            }
            if (polled.found() == Found.MISS) {
                latestMiss = polled;
                if (!polled.locked()) {
                    Loaded<V> loaded = loadIfLockFree(encodedKey, polled, load);
                    if (loaded != null) {
                        return loaded;
                    }
                }
            }
            if (guard.isOpen()) {
                break;
            }
        }
        counters.lockTimeout();
        // An interrupt says nothing about the holder, which may still be loading: its write should land, not ours.
        return load.run(interrupted ? latestMiss.withoutLease() : latestMiss);
    }

    /** Tries to take the tier's lock on {@code encodedKey}: empty if another process holds it. */
    TierResult<Optional<RemoteLock>> tryLock(String encodedKey) {
        return guard.call("lock", () -> store.tryLock(encodedKey, lockLease));
    }

    /**
     * Takes the tier's lock on {@code encodedKey} and loads under it: re-reads (a value may have been written while we
     * took it), in the same call as the lock ({@link RemoteStore#tryLockAndLookup}), then writes with the lease of
     * that read and releases the lock in one more ({@link RemoteStore#putIfUnchangedAndRelease}): two round trips, not
     * four, for every miss that refills a key. Returns null if another process holds the lock.
     */
    private @Nullable Loaded<V> loadIfLockFree(String encodedKey, Read<V> miss, LoadAndWrite<V> load) {
        long maxBytes = envelopes.maxReadBytes();
        if (!(guard.call("lock", () -> store.tryLockAndLookup(encodedKey, lockLease, maxBytes))
                instanceof TierResult.Answered<Optional<LockedLookup>> answered)) {
            return load.run(miss.isBare() ? Read.unavailable() : miss); // unavailable, fail-open
        }
        Optional<LockedLookup> locked = answered.value();
        if (locked.isEmpty()) {
            return null;
        }
        try (RemoteLock held = locked.get().lock()) {
            Read<V> again = envelopes.interpret(encodedKey, locked.get().lookup());
            Stored<V> arrived = again.stored();
            return arrived != null ? Loaded.of(arrived, again) : load.run(again, held);
        }
    }
}
