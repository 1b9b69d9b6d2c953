package dev.cachet.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One cache's part of a {@link RemoteTier}. Keys are the cache's keys already turned into strings; the store adds
 * its namespace. Every value it writes has a time to live.
 *
 * <h2>Leases</h2>
 *
 * Each key has a fence counter next to its value. {@link #put}, {@link #delete}, {@link #deleteIfUnchanged} (when it
 * deletes), {@link #tryLock} (when it takes the lock) and {@link #putIfUnchanged} (when it writes) change the fence in
 * the same atomic step as their effect. {@link #lookup} returns the fence with what it read, as a {@link Lookup#lease()
 * lease}; {@link #putIfUnchanged} writes only while the fence still equals a lease. Hence the guarantee the caches
 * build on: <em>once a {@code put} or {@code delete} of a key has returned, no write with a lease read before it
 * lands</em>, in any process. A load that began before a write or an invalidation cannot bring back what it replaced.
 * The lock only elects which process loads; taking it changes the fence too, so a loader whose lock expired and was
 * taken again is refused as well. {@link #deleteAll()} changes every fence of the cache, so the guarantee holds for
 * it too.
 *
 * <p>Every operation may throw {@link dev.cachet.CacheUnavailableException} when the remote side cannot be reached or
 * answers too slowly; the cache's failure policy decides what its callers see. Implementations must be thread-safe.
 */
public interface RemoteStore {

    /** Returns the name of the cache this store belongs to. */
    String cacheName();

    /**
     * Reads {@code key} in one atomic step: its bytes if there are at most {@code maxBytes} of them, its lease, and
     * whether its lock is held. A longer value is not read (only its length is reported), so that a corrupt or
     * foreign value cannot make the client allocate it: a store that can tell a value's length before sending it (as
     * Redis can) should never send it.
     *
     * @param maxBytes the most bytes to read
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    Lookup lookup(String key, long maxBytes);

    /**
     * Returns the bytes stored under {@code key} if there are at most {@code maxBytes} of them, in one plain read that
     * hands out no lease and creates nothing: the cheap read of a hit, which needs no lease. Empty when the key holds
     * no value (or an empty one) or a longer one: a caller that must tell those apart, or needs a lease to write after
     * a miss, calls {@link #lookup}. The default calls {@link #lookup}; a store with a cheaper plain read (Redis: one
     * {@code GETRANGE} instead of a script) overrides it.
     *
     * @param maxBytes the most bytes to read
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    default Optional<byte[]> peek(String key, long maxBytes) {
        return lookup(key, maxBytes).value();
    }

    /**
     * Returns the stored bytes for {@code key}, or empty when absent or expired: {@link #lookup} without a limit.
     *
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    default Optional<byte[]> get(String key) {
        return lookup(key, Long.MAX_VALUE).value();
    }

    /**
     * Stores {@code value} for {@code key}, expiring after {@code ttl}, and changes the key's fence in the same step,
     * so that every lease handed out before is refused.
     *
     * @param ttl positive
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    void put(String key, byte[] value, Duration ttl);

    /**
     * Stores {@code value} for {@code key} only if the key's fence still equals {@code lease}: nothing put, deleted,
     * locked or leased-written the key since the {@link #lookup} (or {@link #tryLock}) that returned the lease. A write
     * changes the fence, so a lease fills a key at most once.
     *
     * @param ttl positive
     * @param lease a {@link Lookup#lease()}, or the {@link RemoteLock#fencingToken()} of a lock on {@code key}
     * @return true if stored, false if refused
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    boolean putIfUnchanged(String key, byte[] value, Duration ttl, long lease);

    /**
     * Removes {@code key}, and changes its fence in the same step, so that every lease handed out before is refused.
     *
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    void delete(String key);

    /**
     * Removes {@code key} only if it still holds exactly {@code expected} (a compare-and-delete: a value written since
     * the caller read {@code expected} stays), changing its fence as {@link #delete} does.
     *
     * @return the key's lease right after the delete, which lets the caller fill the key with {@link
     *     #putIfUnchanged}; empty if the key held other bytes or none, and was left alone
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    OptionalLong deleteIfUnchanged(String key, byte[] expected);

    /**
     * Removes every value of this cache, and no key of any other, and revokes every lease of this cache handed out
     * before the call: once it has returned, no {@link #putIfUnchanged} with such a lease (a {@link #lookup}'s or a
     * {@link RemoteLock#fencingToken() lock's}) writes, and no value such a write stored before remains. A lease
     * handed out while it runs may stay valid: it belongs to a load that began after this call did, so that load read
     * whatever the caller changed before calling. Locks stay held until released or expired.
     *
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    void deleteAll();

    /**
     * Tries once to take the cross-process lock that lets one process load {@code key} while others wait; taking it
     * changes the key's fence.
     *
     * @param lease how long the lock lasts if its holder dies without releasing it
     * @return the lock, or empty if another process holds it
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    Optional<RemoteLock> tryLock(String key, Duration lease);
}
