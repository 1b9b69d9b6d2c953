package dev.cachet;

import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One process's view of a shared tier whose calls of one kind fail on demand, as a timeout or a partition would: the
 * failed call does not reach the tier. Invalidation messages pass. Thread-safe.
 */
final class FaultyRemoteTier extends ForwardingRemoteTier {
    /** The kinds of calls that can be made to fail. */
    enum Call {
        GET,
        PUT,
        DELETE,
        DELETE_ALL
    }

    private final AtomicInteger[] failures = new AtomicInteger[Call.values().length];
    private final AtomicInteger[] busy = new AtomicInteger[Call.values().length];
    private final AtomicInteger calls = new AtomicInteger();

    FaultyRemoteTier(RemoteTier shared) {
        super(shared, "faulty");
        for (int i = 0; i < failures.length; i++) {
            failures[i] = new AtomicInteger();
            busy[i] = new AtomicInteger();
        }
    }

    /** Makes the next {@code times} calls of {@code call} fail with {@link CacheUnavailableException}. */
    FaultyRemoteTier fail(Call call, int times) {
        failures[call.ordinal()].set(times);
        return this;
    }

    /** Makes the next {@code times} calls of {@code call} fail with {@link RemoteTierBusyException}. */
    FaultyRemoteTier busy(Call call, int times) {
        busy[call.ordinal()].set(times);
        return this;
    }

    /** Returns how many calls this process made to the tier, failed or not. */
    int calls() {
        return calls.get();
    }

    private void check(String cacheName, Call call) {
        calls.incrementAndGet();
        if (busy[call.ordinal()].getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new RemoteTierBusyException("cache '" + cacheName + "': " + call + ": no free connection", null);
        }
        if (failures[call.ordinal()].getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new CacheUnavailableException("cache '" + cacheName + "': " + call + " timed out (test)", null);
        }
    }

    @Override
    public RemoteStore store(String cacheName) {
        return new ForwardingRemoteStore(delegate().store(cacheName)) {
            @Override
            public Lookup lookup(String key, long maxBytes) {
                check(cacheName, Call.GET);
                return super.lookup(key, maxBytes);
            }

            @Override
            public void put(String key, byte[] value, Duration ttl) {
                check(cacheName, Call.PUT);
                super.put(key, value, ttl);
            }

            @Override
            public void delete(String key) {
                check(cacheName, Call.DELETE);
                super.delete(key);
            }

            @Override
            public void deleteAll() {
                check(cacheName, Call.DELETE_ALL);
                super.deleteAll();
            }
        };
    }
}
