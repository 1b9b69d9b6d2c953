package dev.cachet.testing;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.Ticker;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A remote tier in a map, for testing what core does over the SPI without Redis: TTLs on a {@link Ticker}, locks, the
 * fences behind {@link Lookup#lease() leases} with the semantics of the Redis scripts (each store operation is one
 * atomic step over a key's value, lock and fence; a read creates the fence of a key that has none, at 0, and {@code
 * deleteAll} changes every fence of its cache, so it revokes every lease handed out before it), and a switch that
 * makes every call fail as if the server were down. Thread-safe.
 */
public final class InMemoryRemoteTier implements RemoteTier {
    @SuppressWarnings("ArrayRecordComponent") // never compared; the tier clones on the way in and out
    private record Entry(byte[] value, long expiresAt) {}

    private record Lock(String token, long expiresAt) {}

    private final Ticker ticker;
    /** Guards values, locks and fences: each store operation is one atomic step over all three, as a Lua script is. */
    private final Object monitor = new Object();

    private final Map<String, Entry> values = new HashMap<>();
    private final Map<String, Lock> locks = new HashMap<>();
    private final Map<String, Long> fences = new HashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, AtomicInteger> callsByOperation = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Runnable> beforeNext = new java.util.concurrent.ConcurrentHashMap<>();
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

    /** Returns how many calls of one store operation ({@code "lookup"}, {@code "peek"}, {@code "put"}, …) were made. */
    public int calls(String operation) {
        AtomicInteger count = callsByOperation.get(operation);
        return count == null ? 0 : count.get();
    }

    /**
     * Runs {@code action} once, on the calling thread, just before the next call of {@code operation} ({@code "lookup"},
     * {@code "tryLock"}, …) of any cache: to put another process's write in between two calls of one operation.
     */
    public void beforeNext(String operation, Runnable action) {
        beforeNext.put(requireNonNull(operation, "operation"), requireNonNull(action, "action"));
    }

    /** Returns how many keys have a fence: keys a lease was handed out for or that were written. */
    public int fences() {
        synchronized (monitor) {
            return fences.size();
        }
    }

    /** Overwrites a stored value's bytes, as a foreign writer or corruption would. */
    public void corrupt(String cacheName, String key, byte[] bytes) {
        synchronized (monitor) {
            values.put(cacheName + "/" + key, new Entry(bytes.clone(), Long.MAX_VALUE));
        }
    }

    /** Returns the raw bytes stored, or null. */
    public byte @Nullable [] raw(String cacheName, String key) {
        synchronized (monitor) {
            Entry entry = values.get(cacheName + "/" + key);
            return entry == null ? null : entry.value().clone();
        }
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
        Runnable action = beforeNext.remove(operation);
        if (action != null) {
            action.run();
        }
        calls.incrementAndGet();
        callsByOperation
                .computeIfAbsent(operation, unused -> new AtomicInteger())
                .incrementAndGet();
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
        public Lookup lookup(String key, long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
            }
            call(cacheName, "lookup");
            String full = key(key);
            synchronized (monitor) {
                // As the Redis script does: every lease handed out is a fence that deleteAll changes.
                long lease = fences.computeIfAbsent(full, unused -> 0L);
                Lock lock = locks.get(full);
                boolean locked = lock != null && ticker.read() - lock.expiresAt() < 0;
                Entry entry = live(full);
                if (entry == null) {
                    return Lookup.miss(lease, locked);
                }
                if (entry.value().length > maxBytes) {
                    return Lookup.oversized(entry.value().length, lease, locked);
                }
                return Lookup.hit(entry.value().clone(), lease, locked);
            }
        }

        @Override
        public Optional<byte[]> peek(String key, long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
            }
            call(cacheName, "peek");
            String full = key(key);
            synchronized (monitor) {
                Entry entry = live(full); // no fence made: a peek hands out no lease
                return entry == null || entry.value().length > maxBytes || entry.value().length == 0
                        ? Optional.empty()
                        : Optional.of(entry.value().clone());
            }
        }

        @Override
        public void put(String key, byte[] value, Duration ttl) {
            call(cacheName, "put");
            String full = key(key);
            synchronized (monitor) {
                values.put(full, new Entry(value.clone(), ticker.read() + ttl.toNanos()));
                bump(full);
            }
        }

        @Override
        public boolean putIfUnchanged(String key, byte[] value, Duration ttl, long lease) {
            call(cacheName, "putIfUnchanged");
            String full = key(key);
            synchronized (monitor) {
                if (fences.getOrDefault(full, 0L) != lease) {
                    return false;
                }
                values.put(full, new Entry(value.clone(), ticker.read() + ttl.toNanos()));
                bump(full);
                return true;
            }
        }

        @Override
        public void delete(String key) {
            call(cacheName, "delete");
            String full = key(key);
            synchronized (monitor) {
                values.remove(full);
                bump(full);
            }
        }

        @Override
        public OptionalLong deleteIfUnchanged(String key, byte[] expected) {
            call(cacheName, "deleteIfUnchanged");
            String full = key(key);
            synchronized (monitor) {
                Entry entry = live(full);
                if (entry == null || !Arrays.equals(entry.value(), expected)) {
                    return OptionalLong.empty();
                }
                values.remove(full);
                return OptionalLong.of(bump(full));
            }
        }

        @Override
        public void deleteAll() {
            call(cacheName, "deleteAll");
            synchronized (monitor) {
                String prefix = cacheName + "/";
                values.keySet().removeIf(k -> k.startsWith(prefix));
                fences.replaceAll((k, fence) -> k.startsWith(prefix) ? fence + 1 : fence);
            }
        }

        @Override
        public Optional<RemoteLock> tryLock(String key, Duration lease) {
            call(cacheName, "tryLock");
            String full = key(key);
            String token = "t" + tokens.incrementAndGet();
            long fencingToken;
            synchronized (monitor) {
                long now = ticker.read();
                Lock existing = locks.get(full);
                if (existing != null && now - existing.expiresAt() < 0) {
                    return Optional.empty();
                }
                locks.put(full, new Lock(token, now + lease.toNanos()));
                fencingToken = bump(full);
            }
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
                    synchronized (monitor) {
                        Lock held = locks.get(full);
                        if (held != null && held.token().equals(token)) {
                            locks.remove(full);
                        }
                    }
                }
            });
        }

        /** Returns the live entry of {@code full}, or null; the caller holds the monitor. */
        private @Nullable Entry live(String full) {
            Entry entry = values.get(full);
            return entry == null || ticker.read() - entry.expiresAt() >= 0 ? null : entry;
        }

        /** Changes the fence of {@code full} and returns its new value; the caller holds the monitor. */
        private long bump(String full) {
            return fences.merge(full, 1L, Long::sum);
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

        /** Delivers on this thread, so every receiver has applied the message when this returns: true. */
        @Override
        public boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            publishEach(keys);
            return true;
        }

        /** Delivers on this thread, so every receiver has applied the message when this returns: true. */
        @Override
        public boolean publishAllAcknowledged(Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            publishAll();
            return true;
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
