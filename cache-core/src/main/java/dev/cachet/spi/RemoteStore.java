package dev.cachet.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * it too. {@link #tryLockAndLookup} and {@link #putIfUnchangedAndRelease} are a lock and a read, and a leased write
 * and a release, each pair in one call, with the same effect on the fence as the two calls.
 *
 * <h2>Bulk calls</h2>
 *
 * {@link #lookupAll}, {@link #peekAll}, {@link #putAll}, {@link #putAllIfUnchanged} and {@link #deleteEach} do what
 * their single-key calls do, for many keys, each key with the same guarantee as alone (leases included); the keys of
 * one call are not one atomic step. Their defaults loop over the single-key calls, so that every store works with
 * them; a store that can batch (Redis: one {@code MGET} or script per hash-slot group, pipelined) overrides them to
 * take O(1) round trips. A bulk call that throws may have done part of its work.
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

    /**
     * Tries once to take the lock on {@code key} as {@link #tryLock} does and, if it took it, reads the key as {@link
     * #lookup} does while holding it: the re-read a loader makes under the lock, since a value may have been written
     * while it took it. The default makes the two calls one after the other (releasing the lock if the read throws); a
     * store that can do both in one atomic step (Redis: one script) overrides it to save a round trip, and its read's
     * lease is then the lock's {@link RemoteLock#fencingToken() fencing token}.
     *
     * @param lease how long the lock lasts if its holder dies without releasing it
     * @param maxBytes the most bytes to read
     * @return the lock with the read made under it, or empty if another process holds the lock
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached; the lock is then not held,
     *     or held until its lease expires
     */
    default Optional<LockedLookup> tryLockAndLookup(String key, Duration lease, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        Optional<RemoteLock> taken = tryLock(key, lease);
        if (taken.isEmpty()) {
            return Optional.empty();
        }
        RemoteLock lock = taken.get();
        try {
            return Optional.of(LockedLookup.of(lock, lookup(key, maxBytes)));
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Writes as {@link #putIfUnchanged} does for the key of {@code lock}, then releases {@code lock} as {@link
     * RemoteLock#close()} does, whether or not the write landed: the last step of a load under the lock. Closing the
     * lock again afterwards does nothing. The default makes the two calls one after the other (releasing the lock even
     * if the write throws); a store that can do both in one atomic step (Redis: one script) overrides it to save a
     * round trip; if it throws, the lock may still be held, and closing it releases it.
     *
     * @param lock a lock of this store, held by the caller
     * @param ttl positive
     * @param lease a {@link Lookup#lease()} of the lock's key, or the lock's {@link RemoteLock#fencingToken()}
     * @return true if stored, false if refused
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    default boolean putIfUnchangedAndRelease(RemoteLock lock, byte[] value, Duration ttl, long lease) {
        try {
            return putIfUnchanged(lock.key(), value, ttl, lease);
        } finally {
            lock.close();
        }
    }

    /**
     * Reads every key of {@code keys} as {@link #lookup} does, and returns the reads in the same order. Bulk loads
     * neither take nor wait for the lock, so a store may skip reading it: {@link Lookup#isLocked()} may then be false
     * for a locked key. A store may hand out, for a key that has no fence yet, a lease of its own making instead of
     * creating the fence (Redis: the cache's fence, which {@link #deleteAll()} changes), provided {@link
     * #putAllIfUnchanged} and {@link #putIfUnchanged} then keep the guarantee of leases for it: no write with it lands
     * once a {@code put}, {@code delete}, lock or {@code deleteAll} that began after the read has returned. The default
     * calls {@link #lookup} once per key.
     *
     * @param maxBytes the most bytes to read per value
     * @return one read per key, in the order of {@code keys}
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    default List<Lookup> lookupAll(List<String> keys, long maxBytes) {
        requireNonNull(keys, "keys");
        List<Lookup> lookups = new ArrayList<>(keys.size());
        for (String key : keys) {
            lookups.add(lookup(requireNonNull(key, "key"), maxBytes));
        }
        return lookups;
    }

    /**
     * Returns the bytes stored under every key of {@code keys} as {@link #peek} does, in the same order: plain reads
     * that hand out no lease and create nothing. The default calls {@link #peek} once per key.
     *
     * @param maxBytes the most bytes to read per value
     * @return one value or empty per key, in the order of {@code keys}
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    default List<Optional<byte[]>> peekAll(List<String> keys, long maxBytes) {
        requireNonNull(keys, "keys");
        List<Optional<byte[]>> values = new ArrayList<>(keys.size());
        for (String key : keys) {
            values.add(peek(requireNonNull(key, "key"), maxBytes));
        }
        return values;
    }

    /**
     * Stores every write of {@code writes} as {@link #put} does. The default calls {@link #put} once per write.
     *
     * @throws NullPointerException if {@code writes} or a write is null
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached; some writes may have landed
     */
    default void putAll(List<RemoteWrite> writes) {
        requireNonNull(writes, "writes");
        for (RemoteWrite write : writes) {
            requireNonNull(write, "write");
            put(write.key(), write.value(), write.ttl());
        }
    }

    /**
     * Stores each write of {@code writes} as {@link #putIfUnchanged} does, with the lease at the same index of {@code
     * leases}, and returns which were stored. The default calls {@link #putIfUnchanged} once per write.
     *
     * @param leases one lease per write, each a {@link Lookup#lease()} of its key
     * @return for each write, in order, true if stored and false if refused
     * @throws NullPointerException if an argument or a write is null
     * @throws IllegalArgumentException if {@code leases} does not have one lease per write
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached; some writes may have landed
     */
    default List<Boolean> putAllIfUnchanged(List<RemoteWrite> writes, long[] leases) {
        requireNonNull(writes, "writes");
        requireLeasePerWrite(writes, leases);
        List<Boolean> stored = new ArrayList<>(writes.size());
        for (int i = 0; i < writes.size(); i++) {
            RemoteWrite write = requireNonNull(writes.get(i), "write");
            stored.add(putIfUnchanged(write.key(), write.value(), write.ttl(), leases[i]));
        }
        return stored;
    }

    /**
     * Removes every key of {@code keys} as {@link #delete} does, changing each key's fence. The default calls {@link
     * #delete} once per key.
     *
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached; some keys may be removed
     */
    default void deleteEach(Collection<String> keys) {
        requireNonNull(keys, "keys");
        for (String key : keys) {
            delete(requireNonNull(key, "key"));
        }
    }

    /** Checks the arguments of {@link #putAllIfUnchanged}: one lease per write. */
    private static void requireLeasePerWrite(List<RemoteWrite> writes, long[] leases) {
        requireNonNull(leases, "leases");
        if (leases.length != writes.size()) {
            throw new IllegalArgumentException(
                    "one lease per write expected: " + writes.size() + " writes, " + leases.length + " leases");
        }
    }
}
