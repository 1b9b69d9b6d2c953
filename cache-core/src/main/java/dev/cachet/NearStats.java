package dev.cachet;

/**
 * An immutable snapshot of what a cache's near tier (the local copy over a remote tier) did, beside its {@link
 * CacheStats} and {@link RemoteStats}.
 *
 * @param hits reads answered from the near tier
 * @param misses reads the near tier passed on to the remote tier
 * @param invalidationsReceived invalidation messages from other processes that were applied
 * @param clears times the whole near tier was dropped because messages may have been lost (a reconnection of the
 *     invalidation channel, or the remote tier coming back after an outage) or another process invalidated all
 * @param staleServed expired near copies returned in place of a failed reload ({@code staleIfError}); the expired
 *     values the remote tier returned instead are counted in {@link RemoteStats#staleServed()}
 * @param acknowledged with {@code acknowledgedInvalidation}: writes and invalidations that returned once every other
 *     process that received their message had confirmed dropping the key(s)
 * @param unacknowledged with {@code acknowledgedInvalidation}: writes and invalidations that returned without every
 *     confirmation: the wait ran out, the message could not be sent, or its receivers could not be counted
 * @param invalidationsNotSent invalidation messages this process could not send (the remote tier refused or could not
 *     be reached): other processes may serve the copies those messages would have dropped until their near TTL ends,
 *     their channel reconnects, or this process sends a message again (it then sends what the lost ones were about)
 */
public record NearStats(
        long hits,
        long misses,
        long invalidationsReceived,
        long clears,
        long staleServed,
        long acknowledged,
        long unacknowledged,
        long invalidationsNotSent) {

    /** Creates a snapshot with no stale value served, as before that figure existed. */
    public NearStats(long hits, long misses, long invalidationsReceived, long clears) {
        this(hits, misses, invalidationsReceived, clears, 0);
    }

    /** Creates a snapshot without acknowledged invalidations, as before those figures existed. */
    public NearStats(long hits, long misses, long invalidationsReceived, long clears, long staleServed) {
        this(hits, misses, invalidationsReceived, clears, staleServed, 0, 0);
    }

    /** Creates a snapshot with every invalidation message sent, as before that figure existed. */
    public NearStats(
            long hits,
            long misses,
            long invalidationsReceived,
            long clears,
            long staleServed,
            long acknowledged,
            long unacknowledged) {
        this(hits, misses, invalidationsReceived, clears, staleServed, acknowledged, unacknowledged, 0);
    }
}
