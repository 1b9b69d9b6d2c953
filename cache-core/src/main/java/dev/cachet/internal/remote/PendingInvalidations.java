package dev.cachet.internal.remote;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The invalidations a process could not deliver to the remote tier under fail-open, to be applied once it answers
 * again: keys to delete, or one pending delete of every key once more than {@code capacity} keys were pending (deleting
 * too much is always safe, forgetting a delete is not).
 *
 * <p>Each entry carries the sequence number of its latest failure, so that a replay removes only what it applied: a key
 * whose invalidation fails again while the replay runs stays pending. Thread-safe; {@link #isEmpty()} is one volatile
 * read, since every tier call asks it.
 */
public final class PendingInvalidations {
    /** What a replay applies the pending invalidations to; its calls throw when the tier fails. */
    public interface Target {
        /** Deletes {@code key} from the tier. */
        void delete(String key);

        /** Deletes every key of the cache from the tier. */
        void deleteAll();
    }

    /** What a replay reports. */
    public enum Replay {
        /** Nothing is pending (any pending invalidation was just applied). */
        CLEAR,
        /** Another thread is replaying right now; what it applies is unknown yet. */
        BUSY,
        /** Invalidations are still pending: they failed again while this replay ran. */
        PENDING
    }

    private final int capacity;
    private final Map<String, Long> keys = new ConcurrentHashMap<>();
    private final ReentrantLock replaying = new ReentrantLock();
    private long sequence; // guarded by this
    private long allSequence; // guarded by this; 0 when no invalidateAll is pending
    private volatile int size;

    /**
     * Creates an empty set.
     *
     * @param capacity how many keys may be pending before they are replaced by one pending invalidateAll
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public PendingInvalidations(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Remembers that {@code key} must be deleted; past the capacity, that every key must be. */
    public synchronized void add(String key) {
        sequence++;
        if (allSequence != 0) {
            // Covered by the pending invalidateAll, if that is applied after this failure: a replay running now may
            // have scanned past the key already, so it must not clear the flag.
            allSequence = sequence;
            return;
        }
        if (keys.size() >= capacity && !keys.containsKey(key)) {
            addAll();
            return;
        }
        keys.put(key, sequence);
        size = keys.size();
    }

    /** Remembers that every key must be deleted; the pending keys are then covered by it. */
    public synchronized void addAll() {
        sequence++;
        allSequence = sequence;
        keys.clear();
        size = 1;
    }

    /** Returns true if nothing is pending. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Returns how many invalidations are pending: the keys, or 1 for a pending invalidateAll. */
    public int size() {
        return size;
    }

    /**
     * Applies what is pending to {@code target}, unless another thread is doing so: a pending invalidateAll first
     * (which covers every key), else each key. Applied entries are removed as they go, so a failure keeps only what
     * was not applied.
     *
     * @param applied told of each invalidation once it reached the tier, for a near cache to re-publish it
     * @return {@link Replay#CLEAR} if nothing is pending any more, {@link Replay#BUSY} if another thread is replaying,
     *     {@link Replay#PENDING} if invalidations failed again meanwhile
     * @throws RuntimeException what {@code target} throws; what it did not apply stays pending
     */
    public Replay replay(Target target, Applied applied) {
        if (isEmpty()) {
            return Replay.CLEAR;
        }
        if (!replaying.tryLock()) {
            return Replay.BUSY;
        }
        try {
            long seen;
            boolean all;
            synchronized (this) {
                seen = sequence;
                all = allSequence != 0;
            }
            if (all) {
                target.deleteAll();
                appliedAll(seen);
                applied.appliedAll();
            }
            // The live map, not a copy: while the tier is down every call tries a replay that fails at its first key,
            // and copying up to capacity keys each time would make an outage quadratic.
            for (Map.Entry<String, Long> entry : keys.entrySet()) {
                String key = entry.getKey();
                long failed = entry.getValue();
                target.delete(key);
                removeIfUnchanged(key, failed);
                applied.applied(key);
            }
            // Failures during the replay may have added entries: the next tier call applies them.
            return isEmpty() ? Replay.CLEAR : Replay.PENDING;
        } finally {
            replaying.unlock();
        }
    }

    /** Told of invalidations a replay applied. */
    public interface Applied {
        /** {@code key}'s pending invalidation reached the tier. */
        void applied(String key);

        /** The pending invalidateAll reached the tier. */
        void appliedAll();
    }

    private synchronized void appliedAll(long seen) {
        if (allSequence <= seen) {
            allSequence = 0;
        }
        keys.values().removeIf(failed -> failed <= seen); // covered by the invalidateAll that just succeeded
        size = allSequence != 0 ? 1 : keys.size();
    }

    private synchronized void removeIfUnchanged(String key, long failed) {
        keys.remove(key, failed);
        size = allSequence != 0 ? 1 : keys.size();
    }

    @Override
    public synchronized String toString() {
        return allSequence != 0 ? "PendingInvalidations[all]" : "PendingInvalidations" + keys.keySet();
    }
}
