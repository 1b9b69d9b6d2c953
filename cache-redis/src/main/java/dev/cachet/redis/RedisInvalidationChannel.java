package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One cache's {@link InvalidationChannel} on Redis pub/sub (Redis 7.0 has no client-side caching over RESP3 that Jedis
 * could drive here). Made by {@link RedisTier#invalidations(String)}.
 *
 * <p><b>Channel and messages.</b> The channel is {@link KeyLayout#invalidationChannel()}, such as {@code
 * cachet:5:users:invalidations}, in the cache's namespace. Messages are UTF-8 text:
 *
 * <pre>
 * 1:&lt;origin&gt;:k:&lt;escaped key&gt;    the key changed
 * 1:&lt;origin&gt;:a                  every key changed
 * </pre>
 *
 * <p>{@code 1} is the format's version; {@code <origin>} is 32 hex digits drawn at random once per {@link RedisTier}
 * (a tier stands for one process); the key, never the value, is escaped as in {@link KeyLayout#escape(String)} (so
 * that a key with an unpaired surrogate survives UTF-8 exactly) and may contain colons, as it runs to the end. A
 * message whose origin is this channel's tier is not delivered; one that cannot be parsed is logged and delivered as
 * {@link InvalidationListener#onInvalidateAll()}, the safe reading.
 *
 * <p><b>Publishing</b> uses the tier's normal client ({@code PUBLISH}; a Cluster broadcasts it to every node), on the
 * caller's thread, and reports every failure as a {@link CacheUnavailableException} naming the cache and operation.
 *
 * <p><b>Receiving.</b> {@link #subscribe} starts one daemon thread, {@code cachet-invalidations-<cache>}, that holds
 * one connection of its own in a blocking {@code SUBSCRIBE} with no read timeout (an idle channel is normal), and
 * calls the listener on that thread, one message after the other, in the order Redis delivers them. Listener
 * exceptions are logged and ignored. When the subscription ends with an error (the server stopped, {@code CLIENT KILL
 * TYPE pubsub}, a network failure) or cannot be set up, the thread logs a warning once per outage and tries again after
 * 50 ms, doubling up to 1 s, until {@link #close()}; once subscribed again it logs at INFO and calls {@link
 * InvalidationListener#onMessagesLost()} exactly once. How the connection is made depends on the tier: see {@link
 * Connector}.
 *
 * <p><b>Delivery is best effort.</b> Redis pub/sub keeps nothing: a message published while this channel is not
 * subscribed is lost, which the listener learns through {@code onMessagesLost()}. A connection that dies silently (a
 * half-open TCP connection, no reset from the peer) is only noticed when TCP keep-alive gives up on it. Channels are
 * shared by every database of a server, so tiers on different databases with the same key prefix and cache name hear
 * each other's invalidations: extra evictions, never a missed one.
 *
 * <p>Thread-safe.
 */
final class RedisInvalidationChannel implements InvalidationChannel {
    /** The first pause before subscribing again; it doubles after each failed attempt. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

    /** The longest pause between two attempts to subscribe. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private static final Logger logger = LoggerFactory.getLogger(RedisInvalidationChannel.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String VERSION = "1";
    private static final char KEY_TYPE = 'k';
    private static final char ALL_TYPE = 'a';
    private static final HexFormat HEX = HexFormat.of();

    private final RedisTier tier;
    private final String cacheName;
    private final String channel;
    private final String origin;
    private final String allMessage;
    private final Connector connector;
    private final Consumer<RedisInvalidationChannel> onClose;
    private final Duration firstSubscribeWait;
    private final Duration unsubscribeWait;
    private final Duration stopWait;

    private final Object lock = new Object();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile @Nullable InvalidationListener listener;

    // Guarded by lock.
    private @Nullable Thread thread;
    private @Nullable Connection connection;
    private @Nullable Subscription subscription;
    private boolean everSubscribed;
    private boolean lossPending;

    // Confined to the subscriber thread.
    private boolean outageLogged;
    private boolean malformedLogged;

    /**
     * Creates a channel; nothing happens until {@link #subscribe} or {@link #publish}.
     *
     * @param channel the pub/sub channel, from {@link KeyLayout#invalidationChannel()}
     * @param origin the tier's origin id, from {@link #newOriginId()}
     * @param onClose told once when the channel closes, so that the tier forgets it
     */
    RedisInvalidationChannel(
            RedisTier tier,
            String cacheName,
            String channel,
            String origin,
            Connector connector,
            Consumer<RedisInvalidationChannel> onClose) {
        this.tier = tier;
        this.cacheName = cacheName;
        this.channel = channel;
        this.origin = origin;
        this.allMessage = VERSION + ':' + origin + ':' + ALL_TYPE;
        this.connector = connector;
        this.onClose = onClose;
        RedisTierConfig config = tier.config();
        this.firstSubscribeWait = config.connectTimeout().plus(config.socketTimeout());
        this.unsubscribeWait = config.socketTimeout();
        this.stopWait = config.connectTimeout().plus(config.socketTimeout()).plusSeconds(1);
    }

    /** Returns a new random origin id: 32 hex digits. */
    static String newOriginId() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return HEX.formatHex(random);
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
            if (closed) {
                throw new IllegalStateException("the invalidation channel of cache '" + cacheName + "' is closed");
            }
            if (thread != null) {
                throw new IllegalStateException(
                        "the invalidation channel of cache '" + cacheName + "' already has a listener");
            }
            this.listener = listener;
            thread = new Thread(this::run, "cachet-invalidations-" + cacheName);
            thread.setDaemon(true);
            thread.start();
        }
        boolean attempted;
        try {
            attempted = firstAttempt.await(firstSubscribeWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            attempted = false;
        }
        if (!attempted) {
            synchronized (lock) {
                // Messages from now until the subscription starts are lost to a caller that goes on caching.
                if (!everSubscribed) {
                    lossPending = true;
                }
            }
        }
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
        send("publish", VERSION + ':' + origin + ':' + KEY_TYPE + ':' + KeyLayout.escape(key));
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
        return connected;
    }

    /**
     * Unsubscribes, closes the connection and stops the subscriber thread, waiting for it a bounded time (the socket
     * timeout for the server to confirm, then the connection is cut). Idempotent; never throws; may be called from the
     * listener.
     */
    @Override
    public void close() {
        Thread subscriber;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            subscriber = thread;
            lock.notifyAll(); // ends a pause between attempts
            firstAttempt.countDown(); // ends a subscribe() waiting for the first attempt
            if (connected) {
                unsubscribeQuietly(subscription);
            }
        }
        onClose.accept(this);
        if (subscriber == null || subscriber == Thread.currentThread()) {
            return;
        }
        if (!join(subscriber, unsubscribeWait)) {
            synchronized (lock) {
                cutQuietly(connection);
            }
            if (!join(subscriber, stopWait)) {
                logger.warn(
                        "The invalidation thread of cache '{}' did not stop within {}; it ends on its own",
                        cacheName,
                        unsubscribeWait.plus(stopWait));
            }
        }
    }

    @Override
    public String toString() {
        return "RedisInvalidationChannel[" + channel + " on " + tier.describe() + (closed ? ", closed" : "")
                + (connected ? ", connected" : "") + ']';
    }

    private void send(String operation, String message) {
        if (closed) {
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

    /** The subscriber thread: subscribes, and subscribes again after each failure, until {@link #close()}. */
    private void run() {
        long backoffMillis = FIRST_BACKOFF.toMillis();
        while (!closed) {
            Subscription attempt = new Subscription();
            Connection opened = null;
            RuntimeException failure = null;
            try {
                opened = connector.open();
                if (register(opened, attempt)) {
                    attempt.proceed(opened, channel);
                }
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                release(opened);
            }
            if (closed) {
                break;
            }
            synchronized (lock) {
                lossPending = true;
            }
            firstAttempt.countDown();
            if (attempt.confirmed) {
                // A new outage: start again from the shortest pause.
                backoffMillis = FIRST_BACKOFF.toMillis();
                outageLogged = false;
            }
            String reason = describe(failure);
            if (outageLogged) {
                logger.debug("{}; trying again in {} ms", reason, backoffMillis);
            } else {
                outageLogged = true;
                logger.warn("{}; invalidations sent meanwhile are lost, subscribing again in the background", reason);
            }
            pause(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
        }
        logger.debug("The invalidation thread of cache '{}' stopped", cacheName);
    }

    /** Makes {@code opened} the current connection, unless the channel was closed meanwhile. */
    private boolean register(Connection opened, Subscription attempt) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            connection = opened;
            subscription = attempt;
            return true;
        }
    }

    /** Forgets the current connection, then closes it (or returns it to its pool). */
    private void release(@Nullable Connection opened) {
        synchronized (lock) {
            connected = false;
            connection = null;
            subscription = null;
        }
        if (opened != null) {
            try {
                opened.close();
            } catch (RuntimeException e) {
                logger.debug("Closing the invalidation connection of cache '{}' failed: {}", cacheName, e.toString());
            }
        }
    }

    /** Called on the subscriber thread once Redis confirms the subscription. */
    private void subscribed(Subscription attempt) {
        boolean lost;
        synchronized (lock) {
            if (closed) {
                unsubscribeQuietly(attempt);
                return;
            }
            connected = true;
            everSubscribed = true;
            lost = lossPending;
            lossPending = false;
        }
        firstAttempt.countDown();
        if (lost) {
            logger.info(
                    "Invalidations of cache '{}' are received again from {}; local copies are dropped",
                    cacheName,
                    tier.describe());
            notifyListener("onMessagesLost", InvalidationListener::onMessagesLost);
        } else {
            logger.debug("Invalidations of cache '{}' are received from {}", cacheName, tier.describe());
        }
    }

    /** Called on the subscriber thread for each message. */
    private void received(String message) {
        Decoded decoded;
        try {
            decoded = decode(message);
        } catch (IllegalArgumentException e) {
            if (malformedLogged) {
                logger.debug("Unreadable invalidation on {} ({}): '{}'", channel, e.getMessage(), message);
            } else {
                malformedLogged = true;
                logger.warn(
                        "Unreadable invalidation on {} ({}): '{}'; every key is dropped (further ones are logged at"
                                + " DEBUG)",
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
        Optional<String> key = decoded.key();
        if (key.isPresent()) {
            String changed = key.get();
            notifyListener("onInvalidate", l -> l.onInvalidate(changed));
        } else {
            notifyListener("onInvalidateAll", InvalidationListener::onInvalidateAll);
        }
    }

    private void notifyListener(String method, Consumer<InvalidationListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            logger.warn("The invalidation listener of cache '{}' failed in {}; ignored", cacheName, method, e);
        }
    }

    /** Waits up to {@code millis} unless the channel closes; only {@link #close()} ends this thread. */
    private void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            long remaining = deadline - System.nanoTime();
            while (!closed && remaining > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    // Not ours to honour: the thread belongs to this channel, which stops only when closed.
                    logger.debug("The invalidation thread of cache '{}' ignored an interrupt", cacheName);
                }
                remaining = deadline - System.nanoTime();
            }
        }
    }

    private String describe(@Nullable RuntimeException failure) {
        if (failure instanceof JedisException jedis) {
            return tier.unavailable(cacheName, "subscribe", jedis).getMessage();
        }
        if (failure != null) {
            return "Redis subscribe for cache '" + cacheName + "' failed on " + tier.describe() + ": " + failure;
        }
        return "Redis subscribe for cache '" + cacheName + "' ended on " + tier.describe();
    }

    private void unsubscribeQuietly(Subscription attempt) {
        if (attempt == null) {
            return;
        }
        try {
            attempt.unsubscribe();
        } catch (RuntimeException e) {
            logger.debug("Unsubscribing from {} failed: {}", channel, e.toString());
        }
    }

    private static void cutQuietly(Connection current) {
        if (current == null) {
            return;
        }
        try {
            // Closes the socket under the blocked reader, which then fails and lets the thread end.
            current.forceDisconnect();
        } catch (IOException | RuntimeException e) {
            logger.debug("Cutting an invalidation connection failed: {}", e.toString());
        }
    }

    private static boolean join(Thread thread, Duration timeout) {
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Parses a message.
     *
     * @throws IllegalArgumentException if it is not in this class's format
     */
    static Decoded decode(String message) {
        int versionEnd = message.indexOf(':');
        if (versionEnd < 0 || !message.substring(0, versionEnd).equals(VERSION)) {
            throw new IllegalArgumentException("not version " + VERSION);
        }
        int originEnd = message.indexOf(':', versionEnd + 1);
        if (originEnd <= versionEnd + 1 || originEnd + 1 >= message.length()) {
            throw new IllegalArgumentException("no origin and type");
        }
        String sender = message.substring(versionEnd + 1, originEnd);
        char type = message.charAt(originEnd + 1);
        int rest = originEnd + 2;
        if (type == ALL_TYPE && rest == message.length()) {
            return new Decoded(sender, Optional.empty());
        }
        if (type == KEY_TYPE && rest < message.length() && message.charAt(rest) == ':') {
            return new Decoded(sender, Optional.of(unescape(message.substring(rest + 1))));
        }
        throw new IllegalArgumentException("unknown type");
    }

    /**
     * Reverses {@link KeyLayout#escape(String)}.
     *
     * @throws IllegalArgumentException if {@code text} has a {@code %} that escaping cannot have written
     */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                out.append(c);
            } else if (text.startsWith("25", i + 1)) {
                out.append('%');
                i += 2;
            } else if (text.startsWith("7B", i + 1)) {
                out.append('{');
                i += 2;
            } else if (text.startsWith("7D", i + 1)) {
                out.append('}');
                i += 2;
            } else if (text.startsWith("u", i + 1) && i + 6 <= text.length() && isHex(text, i + 2, i + 6)) {
                out.append((char) HexFormat.fromHexDigits(text, i + 2, i + 6));
                i += 5;
            } else {
                throw new IllegalArgumentException("bad escape at index " + i + " of the key");
            }
        }
        return out.toString();
    }

    private static boolean isHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A parsed message: the sender's origin id, and the key, or empty for every key. */
    record Decoded(String origin, Optional<String> key) {}

    /** One attempt's subscription; its callbacks run on the subscriber thread. */
    private final class Subscription extends JedisPubSub {
        /** Whether Redis confirmed this subscription; read by the subscriber thread after it ends. */
        boolean confirmed;

        @Override
        public void onSubscribe(String subscribedChannel, int subscribedChannels) {
            confirmed = true;
            subscribed(this);
        }

        @Override
        public void onMessage(String messageChannel, String message) {
            received(message);
        }
    }

    /**
     * Opens the connection a subscription runs on; the subscriber thread closes it when the subscription ends. Made by
     * {@link RedisTier}:
     *
     * <ul>
     *   <li>{@link RedisTier#connect}: a new connection of the channel's own to the server, with the tier's host,
     *       port, credentials, database, TLS and connect timeout, outside the tier's pool;
     *   <li>{@link RedisTier#cluster}: the same, to a reachable node of the Cluster (a master or a replica, tried in
     *       random order among the nodes the client knows and the seeds), since every node relays every {@code
     *       PUBLISH};
     *   <li>{@link RedisTier#using}: a connection borrowed from the caller's client, for as long as the subscription
     *       lasts, from the pool of a {@link RedisClient} or {@link JedisPooled}, or of a reachable node of a {@link
     *       RedisClusterClient} or {@code JedisCluster}. The client's settings are not visible, so a connection of its
     *       own cannot be made; other clients (a {@link UnifiedJedis} over one connection, Sentinel, multi-database)
     *       cannot carry invalidations.
     * </ul>
     *
     * <p>{@link JedisPubSub#proceed} lifts the read timeout of that connection while subscribed.
     */
    @FunctionalInterface
    interface Connector {
        /**
         * Opens or borrows a connection.
         *
         * @throws JedisException if none can be had
         */
        Connection open();

        /**
         * Returns a connector that opens a new connection with {@code clientConfig} to the first of {@code nodes} that
         * accepts it, trying them in random order.
         */
        static Connector dedicated(JedisClientConfig clientConfig, Supplier<Collection<HostAndPort>> nodes) {
            return () -> {
                List<HostAndPort> candidates = new ArrayList<>(nodes.get());
                Collections.shuffle(candidates, RANDOM);
                JedisException last = new JedisConnectionException("no node to subscribe on");
                for (HostAndPort node : candidates) {
                    try {
                        return new Connection(node, clientConfig);
                    } catch (JedisException e) {
                        last = e;
                    }
                }
                throw last;
            };
        }

        /** Returns the nodes of {@code client}'s current view of the Cluster, then the seed nodes. */
        static Supplier<Collection<HostAndPort>> clusterNodes(RedisClusterClient client, Set<HostAndPort> seeds) {
            return () -> {
                Set<HostAndPort> nodes = new LinkedHashSet<>();
                try {
                    client.getClusterNodes().keySet().forEach(node -> nodes.add(HostAndPort.from(node)));
                } catch (RuntimeException e) {
                    // The client may be closing; the seeds still serve.
                    logger.debug("Cannot list the Cluster's nodes: {}", e.toString());
                }
                nodes.addAll(seeds);
                return nodes;
            };
        }

        /**
         * Returns a connector that borrows a connection from {@code client}'s pool, or empty when the client has no
         * pool to borrow from.
         */
        @SuppressWarnings("deprecation") // recognises the deprecated JedisCluster, still common in callers' code
        static Optional<Connector> borrowing(UnifiedJedis client) {
            if (client instanceof RedisClient pooled) {
                return Optional.of(() -> pooled.getPool().getResource());
            }
            if (client instanceof JedisPooled pooled) {
                return Optional.of(() -> pooled.getPool().getResource());
            }
            if (client instanceof RedisClusterClient cluster) {
                return Optional.of(() -> anyNode(cluster.getClusterNodes().values()));
            }
            if (client instanceof redis.clients.jedis.JedisCluster legacy) {
                return Optional.of(() -> anyNode(legacy.getClusterNodes().values()));
            }
            return Optional.empty();
        }

        /** Borrows a connection from the first node, in random order, that answers PING. */
        private static Connection anyNode(Collection<ConnectionPool> pools) {
            List<ConnectionPool> candidates = new ArrayList<>(pools);
            Collections.shuffle(candidates, RANDOM);
            JedisException last = new JedisConnectionException("no node to subscribe on");
            for (ConnectionPool pool : candidates) {
                Connection borrowed = null;
                try {
                    borrowed = pool.getResource();
                    borrowed.ping();
                    return borrowed;
                } catch (JedisException e) {
                    last = e;
                    if (borrowed != null) {
                        borrowed.close();
                    }
                }
            }
            throw last;
        }
    }
}
