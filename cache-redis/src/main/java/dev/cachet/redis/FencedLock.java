package dev.cachet.redis;

import dev.cachet.spi.RemoteLock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A lock taken by {@link RedisStore#tryLock}: a lock key holding a random token, and the fencing token drawn from the
 * key's fencing counter at the same moment. Closing it deletes the lock key only if it still holds this token, and at
 * most once. Thread-safe, though the SPI expects one thread.
 */
final class FencedLock implements RemoteLock {
    private final RedisStore store;
    private final String key;
    private final byte[] lockKey;
    private final String fenceKey;
    private final byte[] token;
    private final long fencingToken;
    private final AtomicBoolean released = new AtomicBoolean();

    FencedLock(RedisStore store, String key, byte[] lockKey, String fenceKey, byte[] token, long fencingToken) {
        this.store = store;
        this.key = key;
        this.lockKey = lockKey;
        this.fenceKey = fenceKey;
        this.token = token;
        this.fencingToken = fencingToken;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public long fencingToken() {
        return fencingToken;
    }

    /**
     * Releases the lock if Redis still holds this lock's token; a lock that expired, and perhaps was taken by another
     * process since, is left alone. Never throws: when Redis cannot be reached the failure is logged and the lock
     * expires with its lease. Only the first call does anything.
     */
    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            store.release(this);
        }
    }

    /** Marks the lock released, by a script that wrote and released it in one step: closing it does nothing more. */
    void released() {
        released.set(true);
    }

    /** Returns the store that took this lock. */
    RedisStore store() {
        return store;
    }

    /** Returns the Redis key of the lock. */
    byte[] lockKey() {
        return lockKey;
    }

    /** Returns the Redis key of the fencing counter. */
    String fenceKey() {
        return fenceKey;
    }

    /** Returns the random token the lock key holds while this lock owns it. */
    byte[] token() {
        return token;
    }

    @Override
    public String toString() {
        return "FencedLock[cache=" + store.cacheName() + ", key=" + key + ", fencingToken=" + fencingToken
                + (released.get() ? ", released" : "") + ']';
    }
}
