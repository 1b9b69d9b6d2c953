package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One cache's {@link InvalidationChannel} on Redis pub/sub (Redis 7.0 has no client-side caching over RESP3 that Jedis
 * could drive here). Made by {@link RedisTier#invalidations(String)}. It puts together three parts: the message format
 * ({@link InvalidationMessage}), the subscriber thread ({@link InvalidationSubscriber}) and the way its connection is
 * made ({@link InvalidationConnector}).
 *
 * <p><b>Channel and messages.</b> The channel is {@link KeyLayout#invalidationChannel()}, such as {@code
 * cachet:5:users:invalidations}, in the cache's namespace; the messages are {@link InvalidationMessage}s, carrying the
 * key and the sender's origin id, never the value. A message whose origin is this channel's tier is not delivered;
 * one that cannot be parsed is logged and delivered as {@link InvalidationListener#onInvalidateAll()}, the safe
 * reading.
 *
 * <p><b>Publishing</b> uses the tier's normal client ({@code PUBLISH}; a Cluster broadcasts it to every node), on the
 * caller's thread, and reports every failure as a {@link CacheUnavailableException} naming the cache and operation.
 *
 * <p><b>Receiving.</b> {@link #subscribe} starts an {@link InvalidationSubscriber}, whose thread, {@code
 * cachet-invalidations-<cache>}, calls the listener one message after the other, in the order Redis delivers them.
 * Listener exceptions are logged and ignored. When the subscription ends with an error (the server stopped, {@code
 * CLIENT KILL TYPE pubsub}, a network failure) or cannot be set up, the thread logs a warning once per outage and
 * tries again after 50 ms, doubling up to 1 s, until {@link #close()}; once subscribed again it logs at INFO and calls
 * {@link InvalidationListener#onMessagesLost()} exactly once. A connection that dies silently (a half-open TCP
 * connection, no reset from the peer, a stopped server) is found by a heartbeat within about 4/3 of {@link
 * RedisTierConfig#heartbeatTimeout()} (4 s by default) and cut; the listener is then told {@code onMessagesLost()} at
 * once, and again once subscribed (see {@link InvalidationSubscriber}).
 *
 * <p><b>Delivery is best effort.</b> Redis pub/sub keeps nothing: a message published while this channel is not
 * subscribed, or while its connection is silently dead and not yet found out, is lost, which the listener learns
 * through {@code onMessagesLost()}. Channels are
 * shared by every database of a server, so tiers on different databases with the same key prefix and cache name hear
 * each other's invalidations: extra evictions, never a missed one.
 *
 * <p>Thread-safe.
 */
final class RedisInvalidationChannel implements InvalidationChannel {
    private static final Logger logger = LoggerFactory.getLogger(RedisInvalidationChannel.class);

    /**
     * The most keys of one batch message: a bigger batch goes as several, so that no message nears a subscriber's
     * output buffer limit (Redis's default for pub/sub clients: 8 MB for a minute, 32 MB at once).
     */
    static final int MAX_BATCH = 1_000;

    private final RedisTier tier;
    private final String cacheName;
    private final String channel;
    private final String origin;
    private final String allMessage;
    private final Consumer<RedisInvalidationChannel> onClose;
    private final InvalidationSubscriber subscriber;

    private final Object lock = new Object();
    private volatile @Nullable InvalidationListener listener;

    // Confined to the subscriber thread.
    private boolean malformedLogged;

    /**
     * Creates a channel; nothing happens until {@link #subscribe} or {@link #publish}.
     *
     * @param channel the pub/sub channel, from {@link KeyLayout#invalidationChannel()}
     * @param origin the tier's origin id, from {@link InvalidationMessage#newOriginId()}
     * @param onClose told once when the channel closes, so that the tier forgets it
     */
    RedisInvalidationChannel(
            RedisTier tier,
            String cacheName,
            String channel,
            String origin,
            InvalidationConnector connector,
            Consumer<RedisInvalidationChannel> onClose) {
        this.tier = tier;
        this.cacheName = cacheName;
        this.channel = channel;
        this.origin = origin;
        this.allMessage = InvalidationMessage.encodeAll(origin);
        this.onClose = onClose;
        this.subscriber = new InvalidationSubscriber(tier, cacheName, channel, connector, new Receiver());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Starts the subscriber thread and waits for its first attempt to subscribe, at most the connect timeout plus
     * the socket timeout, so that a near cache filled right after this call hears of later writes. If the first
     * attempt fails or takes longer, the thread keeps trying and calls {@link InvalidationListener#onMessagesLost()}
     * once it succeeds. Never throws for an unreachable server.
     *
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if the channel already has a listener or is closed
     */
    @Override
    public void subscribe(InvalidationListener listener) {
        requireNonNull(listener, "listener");
        synchronized (lock) {
            if (subscriber.isClosed()) {
                throw new IllegalStateException("the invalidation channel of cache '" + cacheName + "' is closed");
            }
            if (this.listener != null) {
                throw new IllegalStateException(
                        "the invalidation channel of cache '" + cacheName + "' already has a listener");
            }
            this.listener = listener;
        }
        subscriber.start();
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException if {@code key} is null
     * @throws CacheUnavailableException if Redis cannot be reached, or the channel or its tier is closed
     */
    @Override
    public void publish(String key) {
        requireNonNull(key, "key");
        send("publish", InvalidationMessage.encodeKey(origin, key));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code PUBLISH} of one batch message per {@value #MAX_BATCH} keys (see {@link InvalidationMessage}); a
     * single key goes as a plain key message. A process too old to read a batch drops every key instead.
     *
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws CacheUnavailableException if Redis cannot be reached, or the channel or its tier is closed
     */
    @Override
    public void publishEach(Collection<String> keys) {
        requireNonNull(keys, "keys");
        List<String> all = List.copyOf(keys); // rejects null keys before anything is sent
        if (all.size() == 1) {
            publish(all.get(0));
            return;
        }
        for (int from = 0; from < all.size(); from += MAX_BATCH) {
            send(
                    "publishEach",
                    InvalidationMessage.encodeBatch(origin, all.subList(from, Math.min(all.size(), from + MAX_BATCH))));
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws CacheUnavailableException if Redis cannot be reached, or the channel or its tier is closed
     */
    @Override
    public void publishAll() {
        send("publishAll", allMessage);
    }

    /** Returns true while the subscriber thread is subscribed; false before, during outages and after close. */
    @Override
    public boolean isConnected() {
        return subscriber.isConnected();
    }

    /**
     * Unsubscribes, closes the connection and stops the subscriber thread, waiting for it a bounded time (the socket
     * timeout for the server to confirm, then the connection is cut). Idempotent; never throws; may be called from the
     * listener.
     */
    @Override
    public void close() {
        if (subscriber.close()) {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "RedisInvalidationChannel[" + channel + " on " + tier.describe()
                + (subscriber.isClosed() ? ", closed" : "") + (subscriber.isConnected() ? ", connected" : "") + ']';
    }

    private void send(String operation, String message) {
        if (subscriber.isClosed()) {
            throw new CacheUnavailableException(
                    "Redis " + operation + " for cache '" + cacheName + "' failed: its invalidation channel is closed",
                    null);
        }
        UnifiedJedis client = tier.client(cacheName, operation);
        try {
            client.publish(channel, message);
        } catch (JedisException e) {
            throw tier.unavailable(cacheName, operation, e);
        }
    }

    private void notifyListener(String method, Consumer<InvalidationListener> call) {
        InvalidationListener current = listener;
        if (current == null) {
            return; // Not reachable: the subscriber starts only once a listener is set.
        }
        try {
            call.accept(current);
        } catch (RuntimeException e) {
            logger.warn("The invalidation listener of cache '{}' failed in {}; ignored", cacheName, method, e);
        }
    }

    /** Decodes what the subscriber receives and tells the listener; runs on the subscriber thread. */
    private final class Receiver implements InvalidationSubscriber.Receiver {
        @Override
        public void received(String message) {
            InvalidationMessage decoded;
            try {
                decoded = InvalidationMessage.decode(message);
            } catch (IllegalArgumentException e) {
                if (malformedLogged) {
                    logger.debug("Unreadable invalidation on {} ({}): '{}'", channel, e.getMessage(), message);
                } else {
                    malformedLogged = true;
                    logger.warn(
                            "Unreadable invalidation on {} ({}): '{}'; every key is dropped (further ones are logged"
                                    + " at DEBUG)",
                            channel,
                            e.getMessage(),
                            message);
                }
                notifyListener("onInvalidateAll", InvalidationListener::onInvalidateAll);
                return;
            }
            if (decoded.origin().equals(origin)) {
                return;
            }
            if (decoded.isAll()) {
                notifyListener("onInvalidateAll", InvalidationListener::onInvalidateAll);
                return;
            }
            for (String changed : decoded.keys()) {
                notifyListener("onInvalidate", l -> l.onInvalidate(changed));
            }
        }

        @Override
        public void messagesLost() {
            notifyListener("onMessagesLost", InvalidationListener::onMessagesLost);
        }
    }
}
