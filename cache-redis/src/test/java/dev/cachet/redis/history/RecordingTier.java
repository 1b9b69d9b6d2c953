package dev.cachet.redis.history;

import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.RemoteWrite;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import java.time.Duration;
import java.util.List;

/**
 * A {@link RemoteTier} that tells a worker thread what its last call did in Redis: whether a write reached it (the
 * caches swallow a failed {@code put} or {@code delete} under fail-open, or skip it while the breaker is open, so only
 * the store sees which writes were confirmed), and whether a read found a value there. Call {@link #begin()} before
 * the cache call and {@link #writeConfirmed()} or {@link #readFromRedis()} after it, on the same thread: the caches
 * call the store on the caller's thread.
 */
final class RecordingTier extends ForwardingRemoteTier {
    private static final ThreadLocal<Boolean> CONFIRMED = ThreadLocal.withInitial(() -> false);
    private static final ThreadLocal<Boolean> FOUND = ThreadLocal.withInitial(() -> false);

    RecordingTier(RemoteTier delegate) {
        super(delegate, "recording");
    }

    /** Forgets what the calling thread's previous call did. */
    static void begin() {
        CONFIRMED.set(false);
        FOUND.set(false);
    }

    /** Returns whether a {@code put} or {@code delete} returned normally on this thread since {@link #begin}. */
    static boolean writeConfirmed() {
        return CONFIRMED.get();
    }

    /**
     * Returns whether a {@code lookup} or {@code lookupAll} on this thread found a value in Redis since {@link #begin}.
     */
    static boolean readFromRedis() {
        return FOUND.get();
    }

    @Override
    public RemoteStore store(String cacheName) {
        return new ForwardingRemoteStore(delegate().store(cacheName)) {
            @Override
            public Lookup lookup(String key, long maxBytes) {
                Lookup lookup = super.lookup(key, maxBytes);
                if (lookup.value().isPresent()) {
                    FOUND.set(true);
                }
                return lookup;
            }

            @Override
            public List<Lookup> lookupAll(List<String> keys, long maxBytes) {
                // The store's own bulk read (not the default's loop of lookups), so that a history exercises it.
                List<Lookup> lookups = delegate().lookupAll(keys, maxBytes);
                if (lookups.stream().anyMatch(lookup -> lookup.value().isPresent())) {
                    FOUND.set(true);
                }
                return lookups;
            }

            @Override
            public List<Boolean> putAllIfUnchanged(List<RemoteWrite> writes, long[] leases) {
                return delegate().putAllIfUnchanged(writes, leases);
            }

            @Override
            public void put(String key, byte[] value, Duration ttl) {
                confirm(() -> super.put(key, value, ttl));
            }

            @Override
            public void delete(String key) {
                confirm(() -> super.delete(key));
            }
        };
    }

    /**
     * Runs a write and records its outcome. A failure clears an earlier success on this thread: a cache may replay a
     * pending invalidation of another key before the write the worker asked for, and only the last one counts.
     */
    private static void confirm(Runnable write) {
        try {
            write.run();
            CONFIRMED.set(true);
        } catch (RuntimeException e) {
            CONFIRMED.set(false);
            throw e;
        }
    }
}
