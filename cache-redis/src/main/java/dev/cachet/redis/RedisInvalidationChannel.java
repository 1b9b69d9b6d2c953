package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
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
 * caller's thread, and reports every failure as a {@link CacheUnavailableException} naming the cache and operation. On
 * a Cluster every message of a channel goes through the node serving the channel's slot, so that each receiver gets
 * one sender's messages in the order sent; when that node cannot be reached, any node that can publishes it.
 *
 * <p><b>Receiving.</b> {@link #subscribe} starts an {@link InvalidationSubscriber}, whose thread, {@code
 * cachet-invalidations-<cache>}, calls the listener one message after the other, in the order Redis delivers them.
 * Listener exceptions are logged and ignored. When the subscription ends with an error (the server stopped, {@code
 * CLIENT KILL TYPE pubsub}, a network failure) or cannot be set up, the thread logs a warning once per outage and
 * tries again after 50 ms, doubling up to 1 s, until {@link #close()}; once subscribed again it logs at INFO and calls
 * {@link InvalidationListener#onMessagesLost()} exactly once. A connection that dies silently (a half-open TCP
 * connection, no reset from the peer, a stopped server) is found by a heartbeat within about 4/3 of {@link
 * RedisTierConfig#heartbeatTimeout()} (4 s by default) and cut; the listener is then told {@code onMessagesLost()} at
 * once, and again once subscribed. A {@code SUBSCRIBE} that Redis does not confirm within the {@linkplain
 * RedisTierConfig#socketTimeout() socket timeout} is cut and tried again, so that a subscription is renewed soon after
 * the network comes back (see {@link InvalidationSubscriber}).
 *
 * <p><b>Acknowledged publishing.</b> {@link #publishAcknowledged} and {@link #publishAllAcknowledged} send the
 * message with an acknowledgement id ({@link InvalidationMessage}) and wait for one acknowledgement per receiver.
 * Every subscriber listens on its own acknowledgement channel too ({@link InvalidationMessage#ackChannel}); a receiver
 * answers there once its listener has returned for every key of the message, that is once its near tier dropped
 * them: from a shared daemon thread, {@code cachet-invalidation-acks}, so that the subscriber thread goes on with the
 * next message at once. A process's own subscription is among the receivers counted; it sends no answer but counts
 * one when its own message comes back to it. The wait ends at the deadline in any case: a receiver that predates
 * acknowledgements, or loses its connection, or a lost answer, make the call return false then.
 *
 * <p><b>Counting the receivers.</b> Off a Cluster they are the number {@code PUBLISH} returns, counted by Redis as it
 * delivers. On a Cluster {@code PUBLISH} counts only the subscribers of the node that ran it, while the cluster bus
 * relays the message to the others: there every node the client knows (masters and replicas) is asked {@code PUBSUB
 * NUMSUB} of the channel twice, once before the message is sent and once after, and each node is expected to have
 * the larger of its two counts. Both errors err on the safe side: a process that subscribes in between is counted by
 * the second count without perhaps receiving the message, and one that unsubscribes in between, perhaps once it has
 * answered, by the first, so that its answer cannot stand in for a slow receiver's; a write that counted one too many
 * waits until the deadline and returns false. The cost is one more round trip per node and acknowledged write, on a
 * Cluster only. What remains open, the counts not being taken as Redis delivers: a process that subscribes to a node
 * after that node was asked the second time but before the bus brought it the message, or while another leaves that
 * node between the two counts (the larger count then holds one of the two), is not counted, and its answer may stand
 * in for another's; so is a subscriber of a node the client does not know (outside its slot map). A node that cannot
 * be asked, either time (unreachable, failing, or none known), makes the call return false at once, the message sent,
 * and logs a warning once per run of such failures.
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

    /** Acknowledgement ids, unique in this JVM, so that channels sharing an origin never mistake each other's. */
    private static final AtomicLong ACK_IDS = new AtomicLong();

    /** Acknowledged publishes waiting for their answers, by acknowledgement id; shared by every channel of the JVM. */
    private static final Map<Long, PendingAck> AWAITING = new ConcurrentHashMap<>();

    /** Sends every channel's acknowledgements; one daemon thread that ends when idle, started again when needed. */
    private static final ThreadPoolExecutor ACK_SENDER = ackSender();

    private final RedisTier tier;
    private final String cacheName;
    private final String channel;
    private final String origin;
    /** This subscription's id in its answers, so that a sender counts it once however many copies reach it. */
    private final String receiverId = InvalidationMessage.newOriginId();

    private final String ackChannel;
    private final String allMessage;
    private final Consumer<RedisInvalidationChannel> onClose;
    private final InvalidationSubscriber subscriber;

    private final Object lock = new Object();
    private volatile @Nullable InvalidationListener listener;
    private final ConcurrentLinkedQueue<Ack> acksToSend = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean ackSendQueued = new AtomicBoolean();
    /** Whether the last count of the Cluster's subscriptions failed, so that a run of failures warns once. */
    private final AtomicBoolean countFailing = new AtomicBoolean();

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
        this.ackChannel = InvalidationMessage.ackChannel(channel, origin);
        this.allMessage = InvalidationMessage.encodeAll(origin);
        this.onClose = onClose;
        this.subscriber = new InvalidationSubscriber(tier, cacheName, channel, ackChannel, connector, new Receiver());
    }

    private static ThreadPoolExecutor ackSender() {
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "cachet-invalidation-acks");
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
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
     * <p>One {@code PUBLISH} of an ahead message ({@link InvalidationMessage}) per key, or per batch of {@value
     * #MAX_BATCH} keys.
     *
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws CacheUnavailableException if Redis cannot be reached, or the channel or its tier is closed
     */
    @Override
    public void publishAhead(Collection<String> keys) {
        requireNonNull(keys, "keys");
        List<String> all = List.copyOf(keys);
        String sender = InvalidationMessage.aheadSender(origin);
        if (all.size() == 1) {
            send("publishAhead", InvalidationMessage.encodeKey(sender, all.get(0)));
            return;
        }
        for (int from = 0; from < all.size(); from += MAX_BATCH) {
            send(
                    "publishAhead",
                    InvalidationMessage.encodeBatch(sender, all.subList(from, Math.min(all.size(), from + MAX_BATCH))));
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

    /**
     * {@inheritDoc}
     *
     * <p>One {@code PUBLISH} per {@value #MAX_BATCH} keys, as {@link #publishEach}, each carrying the same
     * acknowledgement id; then waits for one acknowledgement per receiver of each message, this process's own
     * subscription among them. The receivers are those the {@code PUBLISH}es counted, or on a Cluster the channel's
     * subscriptions on every node, counted before the messages are sent and again after, the larger count of each node
     * expected; a Cluster node that cannot be asked makes the call return false at once, the messages sent (see the
     * class comment).
     *
     * @throws NullPointerException if an argument or a key is null
     * @throws IllegalArgumentException if {@code maxWait} is not positive
     * @throws CacheUnavailableException if Redis cannot be reached to publish, or the channel or its tier is closed
     */
    @Override
    public boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
        requireNonNull(keys, "keys");
        long deadline = deadline(maxWait);
        List<String> all = List.copyOf(keys);
        if (all.isEmpty()) {
            return true;
        }
        long ackId = ACK_IDS.incrementAndGet();
        String sender = InvalidationMessage.sender(origin, ackId);
        PendingAck pending = new PendingAck(this);
        AWAITING.put(ackId, pending);
        try {
            Map<String, Long> before = countBeforePublishing();
            if (all.size() == 1) {
                long receivers = send("publish", InvalidationMessage.encodeKey(sender, all.get(0)));
                return await(pending, before, receivers, 1, deadline);
            }
            long receivers = 0;
            int messages = 0;
            for (int from = 0; from < all.size(); from += MAX_BATCH) {
                receivers += send(
                        "publishEach",
                        InvalidationMessage.encodeBatch(
                                sender, all.subList(from, Math.min(all.size(), from + MAX_BATCH))));
                messages++;
            }
            return await(pending, before, receivers, messages, deadline);
        } finally {
            AWAITING.remove(ackId);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code PUBLISH}, then the wait as in {@link #publishAcknowledged}.
     *
     * @throws NullPointerException if {@code maxWait} is null
     * @throws IllegalArgumentException if {@code maxWait} is not positive
     * @throws CacheUnavailableException if Redis cannot be reached to publish, or the channel or its tier is closed
     */
    @Override
    public boolean publishAllAcknowledged(Duration maxWait) {
        long deadline = deadline(maxWait);
        long ackId = ACK_IDS.incrementAndGet();
        PendingAck pending = new PendingAck(this);
        AWAITING.put(ackId, pending);
        try {
            Map<String, Long> before = countBeforePublishing();
            long receivers =
                    send("publishAll", InvalidationMessage.encodeAll(InvalidationMessage.sender(origin, ackId)));
            return await(pending, before, receivers, 1, deadline);
        } finally {
            AWAITING.remove(ackId);
        }
    }

    private static long deadline(Duration maxWait) {
        requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
        }
        return System.nanoTime() + maxWait.toNanos();
    }

    /**
     * On a Cluster, counts the channel's subscriptions node by node before the messages are sent (see {@link
     * #clusterSubscriptions()}); off a Cluster, where {@code PUBLISH} counts the receivers itself, returns an empty map
     * without asking anything.
     */
    private @Nullable Map<String, Long> countBeforePublishing() {
        return tier.isCluster() ? clusterSubscriptions() : Map.of();
    }

    /**
     * Waits for the acknowledgements of {@code messages} messages just published, whose {@code PUBLISH}es counted
     * {@code published} receivers in all; returns whether they all came before the deadline. On a Cluster those counts
     * are of one node each, so the channel's subscriptions on every node are counted again, now that the messages are
     * out, and each node is expected to have the larger of its two counts, {@code before} (null if it could not be
     * taken) and this one: each receiver is expected to answer every message (see the class comment).
     */
    private boolean await(
            PendingAck pending, @Nullable Map<String, Long> before, long published, int messages, long deadline) {
        if (!tier.isCluster()) {
            return pending.await(published, deadline);
        }
        if (before == null) {
            return false; // logged by the count; the messages are out all the same
        }
        Map<String, Long> after = clusterSubscriptions();
        return after != null && pending.await(receivers(before, after) * messages, deadline);
    }

    /**
     * Returns the receivers to wait for from two counts of the Cluster's subscriptions by node, one taken before the
     * message was sent and one after: per node the larger of the two, summed. A subscriber that joined in between is
     * counted by the second, one that left in between (perhaps after answering) by the first.
     */
    private static long receivers(Map<String, Long> before, Map<String, Long> after) {
        long receivers = 0;
        for (Map.Entry<String, Long> node : before.entrySet()) {
            receivers += Math.max(node.getValue(), after.getOrDefault(node.getKey(), 0L));
        }
        for (Map.Entry<String, Long> node : after.entrySet()) {
            if (!before.containsKey(node.getKey())) {
                receivers += node.getValue();
            }
        }
        return receivers;
    }

    /**
     * Returns how many subscriptions the channel has on each node of the Cluster the client knows, masters and
     * replicas, by {@code host:port}, from {@code PUBSUB NUMSUB}, one round trip per node; or null if that cannot be
     * told: no node is known, or one does not answer (a subscriber may be connected to it). The first failure after a
     * success is logged at WARN, the others at DEBUG.
     */
    private @Nullable Map<String, Long> clusterSubscriptions() {
        Map<String, ConnectionPool> nodes;
        try {
            nodes = tier.clusterNodes();
        } catch (RuntimeException e) { // the client closing under us
            countFailed("the nodes of " + tier.describe() + " cannot be listed: " + e);
            return null;
        }
        if (nodes.isEmpty()) {
            countFailed("the client of " + tier.describe() + " knows no node");
            return null;
        }
        Map<String, Long> subscriptions = new LinkedHashMap<>();
        for (Map.Entry<String, ConnectionPool> node : nodes.entrySet()) {
            try (Connection connection = node.getValue().getResource()) {
                subscriptions.put(
                        node.getKey(),
                        new Jedis(connection).pubsubNumSub(channel).getOrDefault(channel, 0L));
            } catch (RuntimeException e) { // a JedisException, or the pool closing under us
                String operation = "PUBSUB NUMSUB on node " + node.getKey();
                countFailed(
                        e instanceof JedisException jedis
                                ? tier.unavailable(cacheName, operation, jedis).getMessage()
                                : "Redis " + operation + " for cache '" + cacheName + "' failed: " + e);
                return null;
            }
        }
        if (countFailing.get()) {
            countFailing.set(false);
        }
        return subscriptions;
    }

    private void countFailed(String why) {
        String message = "Cannot count the receivers of an acknowledged invalidation of cache '{}' ({}): the write is"
                + " not waited for and counts as unacknowledged";
        if (countFailing.compareAndSet(false, true)) {
            logger.warn(message, cacheName, why);
        } else {
            logger.debug(message, cacheName, why);
        }
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

    /** Publishes {@code message} on the invalidation channel; returns how many subscribers received it. */
    private long send(String operation, String message) {
        return send(operation, channel, message);
    }

    private long send(String operation, String to, String message) {
        if (subscriber.isClosed()) {
            throw new CacheUnavailableException(
                    "Redis " + operation + " for cache '" + cacheName + "' failed: its invalidation channel is closed",
                    null);
        }
        UnifiedJedis client = tier.client(cacheName, operation);
        try {
            return publishInOrder(client, to, message);
        } catch (JedisException e) {
            throw tier.unavailable(cacheName, operation, e);
        }
    }

    /**
     * Publishes routed by the channel's slot, so that on a Cluster every message of a channel goes through one node.
     * A keyless {@code PUBLISH} runs on a node the client picks at random, and the bus relays what different nodes
     * publish independently: one sender's messages could then arrive out of order (a put's announcement after the put's
     * own message, dropping the copy a reader made in between). If that node cannot be reached, any node that can
     * publishes the message, the order then not kept: a message out of order only drops a copy more.
     */
    private long publishInOrder(UnifiedJedis client, String to, String message) {
        if (!tier.isCluster()) {
            return client.publish(to, message);
        }
        try {
            return (Long) client.sendCommand(to, Protocol.Command.PUBLISH, to, message);
        } catch (JedisConnectionException | JedisClusterOperationException e) {
            logger.debug(
                    "Publishing on {} through its slot's node failed ({}); publishing through any node",
                    to,
                    e.toString());
            return client.publish(to, message);
        }
    }

    /** Queues an acknowledgement of {@code ackId} to {@code sender}, once its message was applied. */
    private void acknowledge(String sender, long ackId) {
        acksToSend.add(new Ack(sender, ackId));
        if (ackSendQueued.compareAndSet(false, true)) {
            try {
                ACK_SENDER.execute(this::sendAcks);
            } catch (RejectedExecutionException e) {
                ackSendQueued.set(false); // not reachable: the executor is never shut down
                logger.debug("Acknowledgements of cache '{}' not sent: {}", cacheName, e.toString());
            }
        }
    }

    /** Runs on the acknowledgement thread: one PUBLISH per sender of everything queued. */
    private void sendAcks() {
        ackSendQueued.set(false); // first: an acknowledgement queued from now on queues another run
        Map<String, List<Long>> bySender = new LinkedHashMap<>();
        for (Ack ack = acksToSend.poll(); ack != null; ack = acksToSend.poll()) {
            bySender.computeIfAbsent(ack.sender(), unused -> new ArrayList<>()).add(ack.ackId());
        }
        bySender.forEach((sender, ids) -> {
            try {
                send(
                        "acknowledge",
                        InvalidationMessage.ackChannel(channel, sender),
                        InvalidationMessage.encodeAnswer(receiverId, ids));
            } catch (RuntimeException e) {
                // The sender's wait runs out instead: it counts the write as unacknowledged.
                logger.debug("Acknowledgement on cache '{}' not sent: {}", cacheName, e.toString());
            }
        });
    }

    /** An acknowledgement to send: to whom, of which message. */
    private record Ack(String sender, long ackId) {}

    /** One acknowledged publish's wait for its answers. */
    private static final class PendingAck {
        private final RedisInvalidationChannel owner;
        /**
         * The receivers that answered, this process's own subscriptions included. A set, not a count: a message a
         * client sent twice (trying again when the reply timed out) reaches each receiver twice.
         */
        private final Set<String> answered = new HashSet<>();

        PendingAck(RedisInvalidationChannel owner) {
            this.owner = owner;
        }

        synchronized void arrive(String receiver) {
            if (answered.add(receiver)) {
                notifyAll();
            }
        }

        /** Waits until {@code expected} receivers answered or the deadline passed; an interrupt ends the wait. */
        synchronized boolean await(long expected, long deadline) {
            while (answered.size() < expected) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
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
                if (decoded.wantsAck()) {
                    // This process's own subscription, which PUBLISH counted, has nothing to drop.
                    PendingAck pending = AWAITING.get(decoded.ackId());
                    if (pending != null) {
                        pending.arrive(receiverId);
                    }
                }
                return;
            }
            if (decoded.ahead()) {
                for (String changing : decoded.keys()) {
                    notifyListener("onInvalidateAhead", l -> l.onInvalidateAhead(changing));
                }
                if (decoded.isAll()) {
                    notifyListener("onInvalidateAll", InvalidationListener::onInvalidateAll);
                }
            } else if (decoded.isAll()) {
                notifyListener("onInvalidateAll", InvalidationListener::onInvalidateAll);
            } else {
                for (String changed : decoded.keys()) {
                    notifyListener("onInvalidate", l -> l.onInvalidate(changed));
                }
            }
            if (decoded.wantsAck()) {
                acknowledge(decoded.origin(), decoded.ackId());
            }
        }

        @Override
        public void acknowledged(String message) {
            InvalidationMessage.Answer answer;
            try {
                answer = InvalidationMessage.decodeAnswer(message);
            } catch (IllegalArgumentException e) {
                logger.debug("Unreadable acknowledgement on {} ({}): '{}'", ackChannel, e.getMessage(), message);
                return;
            }
            for (long id : answer.ids()) {
                PendingAck pending = AWAITING.get(id);
                // Another channel of this JVM with the same origin hears the same acknowledgements: only the owner
                // counts them.
                if (pending != null && pending.owner == RedisInvalidationChannel.this) {
                    pending.arrive(answer.receiver());
                }
            }
        }

        @Override
        public void messagesLost() {
            notifyListener("onMessagesLost", InvalidationListener::onMessagesLost);
        }
    }
}
