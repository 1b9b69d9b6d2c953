package dev.cachet.spi;

/**
 * A held cross-process lock on one key of a {@link RemoteStore}. Closing it releases it if this holder still owns it
 * (an expired lease that another process has since taken is left alone). Not reentrant; use from one thread.
 */
public interface RemoteLock extends AutoCloseable {

    /** Returns the key this lock protects. */
    String key();

    /**
     * Returns this lock's fencing token: strictly greater than the token of every earlier lock on the same key, so
     * that a write carrying an older token can be refused.
     */
    long fencingToken();

    /** Releases the lock if still owned; never throws for a lock that expired. */
    @Override
    void close();
}
