package dev.cachet.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * One cache's part of a {@link RemoteTier}. Keys are the cache's keys already turned into strings; the store adds
 * its namespace. Every value it writes has a time to live.
 *
 * <p>Every operation may throw {@link dev.cachet.CacheUnavailableException} when the remote side cannot be reached or
 * answers too slowly; the cache's failure policy decides what its callers see. Implementations must be thread-safe.
 */
public interface RemoteStore {

    /** Returns the name of the cache this store belongs to. */
    String cacheName();

    /**
     * Returns the stored bytes for {@code key}, or empty when absent or expired.
     *
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    Optional<byte[]> get(String key);

    /**
     * Returns the stored bytes for {@code key}, as {@link #get(String)} does, if there are at most {@code maxBytes}
     * of them. A longer value is refused, so that a corrupt or foreign value cannot make the client allocate it: a
     * store that can tell a value's length before sending it (as Redis can) should never read it. This default reads
     * the value, then checks its length.
     *
     * @param maxBytes the most bytes to read
     * @throws OversizedValueException if more than {@code maxBytes} bytes are stored
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    default Optional<byte[]> getAtMost(String key, long maxBytes) {
        Optional<byte[]> value = get(key);
        if (value.isPresent() && value.get().length > maxBytes) {
            throw new OversizedValueException(cacheName(), value.get().length, maxBytes);
        }
        return value;
    }

    /**
     * Stores {@code value} for {@code key}, expiring after {@code ttl}.
     *
     * @param ttl positive
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    void put(String key, byte[] value, Duration ttl);

    /**
     * Stores {@code value} for {@code key} only while {@code lock} is still the newest lock taken on that key, so a
     * loader whose lease ran out cannot overwrite the value of a newer one.
     *
     * @return true if stored, false if a newer lock superseded {@code lock}
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    boolean putFenced(String key, byte[] value, Duration ttl, RemoteLock lock);

    /**
     * Removes {@code key}.
     *
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    void delete(String key);

    /**
     * Removes every key of this cache, and no key of any other.
     *
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    void deleteAll();

    /**
     * Tries once to take the cross-process lock that lets one process load {@code key} while others wait.
     *
     * @param lease how long the lock lasts if its holder dies without releasing it
     * @return the lock, or empty if another process holds it
     * @throws dev.cachet.CacheUnavailableException if the remote side cannot be reached
     */
    Optional<RemoteLock> tryLock(String key, Duration lease);
}
