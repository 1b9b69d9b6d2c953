package dev.cachet.redis.history;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.ForwardingRemoteStore;
import java.time.Duration;

/**
 * A {@link RemoteTier} that tells a worker thread whether its last write reached Redis: the caches swallow a failed
 * {@code put} or {@code delete} under fail-open (or skip it while the breaker is open), so only the store sees which
 * writes were confirmed. Call {@link #beginWrite()} before {@code put}/{@code invalidate} and {@link
 * #writeConfirmed()} after it, on the same thread: the caches call the store on the caller's thread.
 */
final class RecordingTier implements RemoteTier {
    private static final ThreadLocal<Boolean> CONFIRMED = ThreadLocal.withInitial(() -> false);

    private final RemoteTier delegate;

    RecordingTier(RemoteTier delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** Forgets what the calling thread's previous write did. */
    static void beginWrite() {
        CONFIRMED.set(false);
    }

    /** Returns whether a {@code put} or {@code delete} returned normally on this thread since {@link #beginWrite}. */
    static boolean writeConfirmed() {
        return CONFIRMED.get();
    }

    @Override
    public RemoteStore store(String cacheName) {
        return new ForwardingRemoteStore(delegate.store(cacheName)) {
            @Override
            public void put(String key, byte[] value, Duration ttl) {
                super.put(key, value, ttl);
                CONFIRMED.set(true);
            }

            @Override
            public void delete(String key) {
                super.delete(key);
                CONFIRMED.set(true);
            }
        };
    }

    @Override
    public InvalidationChannel invalidations(String cacheName) {
        return delegate.invalidations(cacheName);
    }

    @Override
    public String describe() {
        return "recording " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
