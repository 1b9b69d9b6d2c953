package dev.cachet;

/** Why an entry left a cache, as reported to a {@link RemovalListener}. */
public enum RemovalCause {
    /** Removed by {@link Cache#invalidate} or {@link Cache#invalidateAll}. */
    EXPLICIT,
    /** Replaced by {@link Cache#put} or a newer load. */
    REPLACED,
    /** Expired by {@code expireAfterWrite} or {@code expireAfterAccess}. */
    EXPIRED,
    /** Evicted to keep the cache within its size or weight bound. */
    SIZE;

    /** Returns true if the entry was removed automatically (expired or evicted) rather than by a caller. */
    public boolean wasEvicted() {
        return this == EXPIRED || this == SIZE;
    }
}
