package dev.cachet.redis.history;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.LockedLookup;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.RemoteWrite;
import dev.cachet.testing.ForwardingInvalidationChannel;
import dev.cachet.testing.ForwardingInvalidationListener;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RemoteTier} that tells a worker thread what its last call did in Redis: whether a write reached it (the
 * caches swallow a failed {@code put} or {@code delete} under fail-open, or skip it while the breaker is open, so only
 * the store sees which writes were confirmed), whether a write's acknowledged invalidation was acknowledged (the near
 * cache only counts it, so only the channel sees it), and whether a read found a value there. Call {@link #begin()}
 * before the cache call and {@link #writeConfirmed()}, {@link #writeAcknowledged()} or {@link #readFromRedis()} after
 * it, on the same thread: the caches call the store and publish on the caller's thread.
 *
 * <p>It also tells a {@link SubscriptionLog} when a near cache's subscription was cut or renewed, which happens on the
 * channel's own thread.
 */
final class RecordingTier extends ForwardingRemoteTier {
    private static final ThreadLocal<Boolean> CONFIRMED = ThreadLocal.withInitial(() -> false);
    private static final ThreadLocal<Boolean> ACKNOWLEDGED = ThreadLocal.withInitial(() -> false);
    private static final ThreadLocal<Boolean> FOUND = ThreadLocal.withInitial(() -> false);

    /** Told of each cut and renewal of a subscription; called on the channel's thread, must not block for long. */
    @FunctionalInterface
    interface SubscriptionLog {
        /**
         * The subscription of the cache named {@code cacheName} was cut or renewed at {@code time} ({@link
         * System#nanoTime()}).
         */
        void changed(String cacheName, ChannelEvent.Kind kind, long time);
    }

    private final SubscriptionLog subscriptions;

    RecordingTier(RemoteTier delegate, SubscriptionLog subscriptions) {
        super(delegate, "recording");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
    }

    /** Forgets what the calling thread's previous call did. */
    static void begin() {
        CONFIRMED.set(false);
        ACKNOWLEDGED.set(false);
        FOUND.set(false);
    }

    /**
     * Returns whether the last acknowledged publish on this thread since {@link #begin} returned true: every receiver
     * confirmed the message within the wait. False if there was none, if it ran out of its wait or if it threw.
     */
    static boolean writeAcknowledged() {
        return ACKNOWLEDGED.get();
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
            public Optional<LockedLookup> tryLockAndLookup(String key, Duration lease, long maxBytes) {
                // The store's own script (lock and read in one step), so that a history exercises it.
                Optional<LockedLookup> locked = delegate().tryLockAndLookup(key, lease, maxBytes);
                if (locked.isPresent() && locked.get().lookup().value().isPresent()) {
                    FOUND.set(true);
                }
                return locked;
            }

            @Override
            public boolean putIfUnchangedAndRelease(RemoteLock lock, byte[] value, Duration ttl, long lease) {
                return delegate().putIfUnchangedAndRelease(lock, value, ttl, lease);
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

    @Override
    public InvalidationChannel invalidations(String cacheName) {
        return new RecordingChannel(delegate().invalidations(cacheName), cacheName);
    }

    /**
     * Runs an acknowledged publish and records its outcome; one that throws counts as not acknowledged, as the near
     * cache counts it.
     */
    private static boolean acknowledge(AcknowledgedPublish publish) {
        ACKNOWLEDGED.set(false);
        boolean acknowledged = publish.run();
        ACKNOWLEDGED.set(acknowledged);
        return acknowledged;
    }

    @FunctionalInterface
    private interface AcknowledgedPublish {
        boolean run();
    }

    /**
     * Passes every call to the tier's channel, each method to its own counterpart (the interface's defaults would
     * publish differently), recording acknowledged publishes and the subscription's cuts and renewals.
     */
    private final class RecordingChannel extends ForwardingInvalidationChannel {
        private final String cacheName;

        RecordingChannel(InvalidationChannel delegate, String cacheName) {
            super(delegate);
            this.cacheName = cacheName;
        }

        @Override
        public void subscribe(InvalidationListener listener) {
            delegate().subscribe(new RecordingListener(requireNonNull(listener, "listener"), delegate(), cacheName));
        }

        /** Records the outcome; a {@link CacheUnavailableException} passes through, recorded as not acknowledged. */
        @Override
        public boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
            return acknowledge(() -> super.publishAcknowledged(keys, maxWait));
        }

        /** Records the outcome as {@link #publishAcknowledged} does. */
        @Override
        public boolean publishAllAcknowledged(Duration maxWait) {
            return acknowledge(() -> super.publishAllAcknowledged(maxWait));
        }
    }

    /** Passes every message to the near cache's listener, and logs the subscription's cuts and renewals. */
    private final class RecordingListener extends ForwardingInvalidationListener {
        private final InvalidationChannel channel;
        private final String cacheName;

        RecordingListener(InvalidationListener delegate, InvalidationChannel channel, String cacheName) {
            super(delegate);
            this.channel = channel;
            this.cacheName = cacheName;
        }

        /**
         * Tells a cut from a renewal by the channel's state: the Redis channel's subscriber thread, which alone calls
         * this and alone changes that state, marks itself connected before it reports a renewal and disconnected
         * before it reports a cut. A cut is logged with the time before the near tier is dropped (the subscription was
         * gone already), a renewal with the time after (reads that begin later must not find an old copy).
         */
        @Override
        public void onMessagesLost() {
            if (channel.isConnected()) {
                delegate().onMessagesLost();
                subscriptions.changed(cacheName, ChannelEvent.Kind.RESUBSCRIBED, System.nanoTime());
            } else {
                subscriptions.changed(cacheName, ChannelEvent.Kind.CUT, System.nanoTime());
                delegate().onMessagesLost();
            }
        }
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
