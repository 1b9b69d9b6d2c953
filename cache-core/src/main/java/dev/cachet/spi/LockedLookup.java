package dev.cachet.spi;

import static java.util.Objects.requireNonNull;

/**
 * A lock just taken with {@link RemoteStore#tryLockAndLookup} and what the read of its key found under it. Immutable
 * and thread-safe; the lock itself is used from one thread, as {@link RemoteLock} says.
 */
public final class LockedLookup {
    private final RemoteLock lock;
    private final Lookup lookup;

    private LockedLookup(RemoteLock lock, Lookup lookup) {
        this.lock = lock;
        this.lookup = lookup;
    }

    /**
     * Returns a held lock and the read of its key made while it was held.
     *
     * @throws NullPointerException if an argument is null
     */
    public static LockedLookup of(RemoteLock lock, Lookup lookup) {
        return new LockedLookup(requireNonNull(lock, "lock"), requireNonNull(lookup, "lookup"));
    }

    /** Returns the lock, which the caller releases by closing it. */
    public RemoteLock lock() {
        return lock;
    }

    /** Returns what the read of the lock's key found while the lock was held, with its lease. */
    public Lookup lookup() {
        return lookup;
    }

    @Override
    public String toString() {
        return "LockedLookup[" + lock + ", " + lookup + ']';
    }
}
