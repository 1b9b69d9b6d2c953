package dev.cachet.testing;

import dev.cachet.CacheUnavailableException;
import dev.cachet.Ticker;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A remote tier in a map, for testing what core does over the SPI without Redis: TTLs on a {@link Ticker}, locks with
 * fencing tokens, and a switch that makes every call fail as if the server were down. Thread-safe.
 */
public final class InMemoryRemoteTier implements RemoteTier {
    @SuppressWarnings("ArrayRecordComponent") // never compared; the tier clones on the way in and out
    private record Entry(byte[] value, long expiresAt) {}

    private record Lock(String token, long expiresAt) {}

    private final Ticker ticker;
    private final ConcurrentHashMap<String, Entry> values = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Lock> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> fences = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger calls = new AtomicInteger();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    /** Creates an empty tier whose TTLs follow {@code ticker}. */
    public InMemoryRemoteTier(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Makes every call fail (true) or work (false). */
    public void setDown(boolean isDown) {
        down.set(isDown);
    }

    /** Returns how many calls reached the tier, failed or not. */
    public int calls() {
        return calls.get();
    }

    /** Overwrites a stored value's bytes, as a foreign writer or corruption would. */
    public void corrupt(String cacheName, String key, byte[] bytes) {
        values.put(cacheName + "/" + key, new Entry(bytes, Long.MAX_VALUE));
    }

    /** Returns the raw bytes stored, or null. */
    public byte @Nullable [] raw(String cacheName, String key) {
        Entry entry = values.get(cacheName + "/" + key);
        return entry == null ? null : entry.value();
    }

    @Override
    public RemoteStore store(String cacheName) {
        return new Store(cacheName);
    }

    /**
     * Returns a new invalidation channel for {@code cacheName}: each call stands for another process. Messages are
     * delivered synchronously, on the publishing thread, to every other channel of the same cache.
     */
    @Override
    public InvalidationChannel invalidations(String cacheName) {
        Channel channel = new Channel(cacheName);
        channels.add(channel);
        return channel;
    }

    /** Simulates every subscriber of {@code cacheName} losing its connection and subscribing again. */
    public void dropSubscribers(String cacheName) {
        channels.stream().filter(c -> c.cacheName.equals(cacheName)).forEach(c -> c.listener.onMessagesLost());
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    @Override
    public void close() {}

    private void call(String cacheName, String operation) {
        calls.incrementAndGet();
        if (down.get()) {
            throw new CacheUnavailableException("cache '" + cacheName + "': " + operation + " failed: tier down", null);
        }
    }

    private final class Store implements RemoteStore {
        private final String cacheName;

        Store(String cacheName) {
            this.cacheName = cacheName;
        }

        private String key(String key) {
            return cacheName + "/" + key;
        }

        @Override
        public String cacheName() {
            return cacheName;
        }

        @Override
        public Optional<byte[]> get(String key) {
            call(cacheName, "get");
            Entry entry = values.get(key(key));
            if (entry == null || ticker.read() - entry.expiresAt() >= 0) {
                return Optional.empty();
            }
            return Optional.of(entry.value().clone());
        }

        @Override
        public void put(String key, byte[] value, Duration ttl) {
            call(cacheName, "put");
            values.put(key(key), new Entry(value.clone(), ticker.read() + ttl.toNanos()));
        }

        @Override
        public boolean putFenced(String key, byte[] value, Duration ttl, RemoteLock lock) {
            call(cacheName, "putFenced");
            Long fence = fences.get(key(key));
            if (fence == null || fence != lock.fencingToken()) {
                return false;
            }
            values.put(key(key), new Entry(value.clone(), ticker.read() + ttl.toNanos()));
            return true;
        }

        @Override
        public void delete(String key) {
            call(cacheName, "delete");
            values.remove(key(key));
        }

        @Override
        public void deleteAll() {
            call(cacheName, "deleteAll");
            values.keySet().removeIf(k -> k.startsWith(cacheName + "/"));
        }

        @Override
        public Optional<RemoteLock> tryLock(String key, Duration lease) {
            call(cacheName, "tryLock");
            String full = key(key);
            String token = "t" + tokens.incrementAndGet();
            long now = ticker.read();
            Lock taken = locks.compute(
                    full,
                    (k, existing) -> existing == null || now - existing.expiresAt() >= 0
                            ? new Lock(token, now + lease.toNanos())
                            : existing);
            if (!taken.token().equals(token)) {
                return Optional.empty();
            }
            long fencingToken = fences.merge(full, 1L, Long::sum);
            return Optional.of(new RemoteLock() {
                @Override
                public String key() {
                    return key;
                }

                @Override
                public long fencingToken() {
                    return fencingToken;
                }

                @Override
                public void close() {
                    locks.computeIfPresent(full, (k, held) -> held.token().equals(token) ? null : held);
                }
            });
        }
    }

    private final class Channel implements InvalidationChannel {
        private final String cacheName;
        private volatile InvalidationListener listener;

        Channel(String cacheName) {
            this.cacheName = cacheName;
        }

        @Override
        public void subscribe(InvalidationListener listener) {
            this.listener = listener;
        }

        private void send(java.util.function.Consumer<InvalidationListener> message) {
            call(cacheName, "publish");
            for (Channel other : channels) {
                if (other != this && other.cacheName.equals(cacheName) && other.listener != null) {
                    message.accept(other.listener);
                }
            }
        }

        @Override
        public void publish(String key) {
            send(l -> l.onInvalidate(key));
        }

        @Override
        public void publishAll() {
            send(InvalidationListener::onInvalidateAll);
        }

        @Override
        public boolean isConnected() {
            return !down.get();
        }

        @Override
        public void close() {
            channels.remove(this);
        }
    }
}
