package dev.cachet.spi;

/**
 * A held cross-process lock on one key of a {@link RemoteStore}. Closing it releases it if this holder still owns it
 * (an expired lease that another process has since taken is left alone). Not reentrant; use from one thread.
 *
 * <p>The lock only elects which process loads: it grants no right to write. Taking it changed the key's fence, so
 * every lease handed out before it is refused.
 */
public interface RemoteLock extends AutoCloseable {

    /** Returns the key this lock protects. */
    String key();

    /**
     * Returns the key's fence right after this lock was taken: a lease for {@link RemoteStore#putIfUnchanged} that
     * holds while nothing has put, deleted, locked or written the key since. Strictly greater than the token of every
     * earlier lock on the same key.
     */
    long fencingToken();

    /** Releases the lock if still owned; never throws for a lock that expired. */
    @Override
    void close();
}
