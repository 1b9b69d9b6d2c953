package dev.cachet;

import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One process's view of a shared tier that records what it sends: how many GETs, and every write with the TTL it
 * carried. It can also refuse writes, as a tier that fails between a read and a write would. Thread-safe.
 */
final class RecordingRemoteTier extends ForwardingRemoteTier {
    /** A write that reached the tier: the encoded envelope and the TTL the tier was given. */
    @SuppressWarnings("ArrayRecordComponent") // never compared; the tier clones on the way in
    record Write(String key, byte[] bytes, Duration ttl) {}

    private final AtomicInteger gets = new AtomicInteger();
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refuseWrites = new AtomicBoolean();

    RecordingRemoteTier(RemoteTier shared) {
        super(shared, "recording");
    }

    /** Returns how many reads (lookups, and peeks, which a forwarding store sends as lookups) this process sent. */
    int gets() {
        return gets.get();
    }

    /** Returns the writes this process sent, leased or not, in order; refused ones are not recorded. */
    List<Write> writes() {
        return List.copyOf(writes);
    }

    /** Makes every put and leased put fail as if the tier were unreachable (true), or pass (false). */
    void refuseWrites(boolean refuse) {
        refuseWrites.set(refuse);
    }

    @Override
    public RemoteStore store(String cacheName) {
        return new ForwardingRemoteStore(delegate().store(cacheName)) {
            @Override
            public Lookup lookup(String key, long maxBytes) {
                gets.incrementAndGet();
                return super.lookup(key, maxBytes);
            }

            @Override
            public void put(String key, byte[] value, Duration ttl) {
                checkWritable(cacheName);
                super.put(key, value, ttl);
                writes.add(new Write(key, value.clone(), ttl));
            }

            @Override
            public boolean putIfUnchanged(String key, byte[] value, Duration ttl, long lease) {
                checkWritable(cacheName);
                boolean written = super.putIfUnchanged(key, value, ttl, lease);
                if (written) {
                    writes.add(new Write(key, value.clone(), ttl));
                }
                return written;
            }
        };
    }

    private void checkWritable(String cacheName) {
        if (refuseWrites.get()) {
            throw new CacheUnavailableException("cache '" + cacheName + "': write refused by the test", null);
        }
    }
}
