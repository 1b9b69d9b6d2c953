package dev.cachet.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The thread that holds a {@link RedisInvalidationChannel}'s subscription: one daemon thread, {@code
 * cachet-invalidations-<cache>}, that opens a connection through its {@link InvalidationConnector}, holds it in a
 * blocking {@code SUBSCRIBE} with no read timeout (an idle channel is normal), and hands each message to its {@link
 * Receiver}, one after the other, in the order Redis delivers them. The same subscription listens to the channel's
 * acknowledgements ({@link InvalidationMessage#ackChannel}); it counts as subscribed once Redis confirmed both.
 *
 * <p>When the subscription ends with an error (the server stopped, {@code CLIENT KILL TYPE pubsub}, a network failure)
 * or cannot be set up, the thread logs a warning once per outage and tries again after 50 ms, doubling up to 1 s,
 * until {@link #close()}; once subscribed again it logs at INFO and calls {@link Receiver#messagesLost()} exactly
 * once.
 *
 * <p><b>Heartbeat.</b> A connection can die without an error: a half-open TCP connection (a peer or a middlebox gone
 * without a reset, a stopped server) stays "connected" and drops every message until TCP keep-alive gives up, hours
 * later. So every third of {@link RedisTierConfig#heartbeatTimeout()} a shared daemon thread, {@code
 * cachet-invalidations-heartbeat}, sends {@code PING} on the subscribed connection (allowed in subscribed mode; the
 * answer comes back as a pong among the messages). A subscription that has heard nothing (no confirmation, pong or
 * message) for the heartbeat timeout is cut; the thread then calls {@link Receiver#messagesLost()} at once (messages
 * may have been dropped for that long already, and subscribing again may take long) and subscribes again as after an
 * error, calling {@code messagesLost()} once more when that succeeds. A half-open subscription is so noticed within
 * the heartbeat timeout plus one ping interval and a round trip (about 4 s by default).
 *
 * <p><b>Confirmation.</b> The connection has no read timeout while subscribing either, so a {@code SUBSCRIBE} sent
 * while the network is down would wait for that heartbeat bound. Instead, an attempt that Redis has not confirmed
 * within the {@linkplain RedisTierConfig#socketTimeout() socket timeout} of its connection being opened or borrowed is
 * cut and tried again with the usual backoff: Redis answers a {@code SUBSCRIBE} at once, like any other command, and
 * an answer later than that timeout counts as a failure for every other command of the tier too. So once the network
 * is back the subscription is renewed within about that timeout plus the backoff (at most 200 ms), not the heartbeat
 * bound. The attempt never counted as subscribed, so the receiver is told of lost messages only once subscribed
 * again, as after any failed attempt. An established subscription is left to the heartbeat.
 *
 * <p>Thread-safe.
 */
final class InvalidationSubscriber {
    /** The first pause before subscribing again; it doubles after each failed attempt. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

    /**
     * The longest pause between two attempts to subscribe. Short, as the circuit breaker's open period is: until the
     * subscription is back the near tier cannot be trusted, and after it comes back it is cleared and refilled, so
     * this pause is most of how long a near tier takes to recover from a restart of Redis. An attempt while Redis is
     * down costs one refused or timed-out connection.
     */
    static final Duration MAX_BACKOFF = Duration.ofMillis(200);

    private static final Logger logger = LoggerFactory.getLogger(InvalidationSubscriber.class);

    /**
     * Sends every subscriber's heartbeats. One thread serves all: a beat only writes a PING or closes a socket, and
     * never waits for Redis. The thread ends when no subscriber is left, and a new one starts with the next.
     */
    private static final ScheduledThreadPoolExecutor HEARTBEATS = heartbeats();

    /** What the subscriber hands on; called on the subscriber thread, one call after the other. */
    interface Receiver {
        /** A message arrived on the channel. */
        void received(String message);

        /** An acknowledgement arrived on the acknowledgement channel. */
        void acknowledged(String message);

        /**
         * Messages may have been lost: the subscription is new after an outage or after a first failed attempt, or
         * it was just found half-open.
         */
        void messagesLost();
    }

    private final RedisTier tier;
    private final String cacheName;
    private final String channel;
    private final String ackChannel;
    private final InvalidationConnector connector;
    private final Receiver receiver;
    private final Duration firstSubscribeWait;
    private final Duration unsubscribeWait;
    private final Duration stopWait;
    private final Duration heartbeatTimeout;
    private final Duration confirmTimeout;

    private final Object lock = new Object();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private volatile boolean connected;
    private volatile boolean closed;

    // Guarded by lock.
    private @Nullable Thread thread;
    private @Nullable Connection connection;
    private @Nullable Subscription subscription;
    private @Nullable ScheduledFuture<?> heartbeat;
    private @Nullable ScheduledFuture<?> confirmDeadline;
    private boolean everSubscribed;
    private boolean lossPending;

    // Confined to the subscriber thread.
    private boolean outageLogged;

    /**
     * Creates a subscriber; nothing happens until {@link #start()}.
     *
     * @param tier the tier, for its timeouts and for describing failures without credentials
     * @param channel the pub/sub channel, from {@link KeyLayout#invalidationChannel()}
     * @param ackChannel the channel of acknowledgements to this process, from {@link InvalidationMessage#ackChannel}
     */
    InvalidationSubscriber(
            RedisTier tier,
            String cacheName,
            String channel,
            String ackChannel,
            InvalidationConnector connector,
            Receiver receiver) {
        this.tier = tier;
        this.cacheName = cacheName;
        this.channel = channel;
        this.ackChannel = ackChannel;
        this.connector = connector;
        this.receiver = receiver;
        RedisTierConfig config = tier.config();
        this.firstSubscribeWait = config.connectTimeout().plus(config.socketTimeout());
        this.unsubscribeWait = config.socketTimeout();
        this.stopWait = config.connectTimeout().plus(config.socketTimeout()).plusSeconds(1);
        this.heartbeatTimeout = config.heartbeatTimeout();
        // Redis confirms a SUBSCRIBE as soon as it reads it, like any command: the tier's patience for a reply fits,
        // and keeps the first attempt within the connect plus socket timeouts that start() waits for.
        this.confirmTimeout = config.socketTimeout();
    }

    private static ScheduledThreadPoolExecutor heartbeats() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "cachet-invalidations-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(10, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /**
     * Starts the subscriber thread and waits for its first attempt to subscribe, at most the connect timeout plus the
     * socket timeout. If the first attempt fails or takes longer, the thread keeps trying and calls {@link
     * Receiver#messagesLost()} once it succeeds. Never throws for an unreachable server.
     *
     * @throws IllegalStateException if already started or closed
     */
    void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the invalidation channel of cache '" + cacheName + "' is closed");
            }
            if (thread != null) {
                throw new IllegalStateException(
                        "the invalidation channel of cache '" + cacheName + "' already has a listener");
            }
            thread = new Thread(this::run, "cachet-invalidations-" + cacheName);
            thread.setDaemon(true);
            thread.start();
            long interval = Math.max(1, heartbeatTimeout.toNanos() / 3);
            heartbeat = HEARTBEATS.scheduleAtFixedRate(this::beat, interval, interval, TimeUnit.NANOSECONDS);
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

    /** Returns true while subscribed; false before, during outages and after close. */
    boolean isConnected() {
        return connected;
    }

    /** Returns true once {@link #close()} was called. */
    boolean isClosed() {
        return closed;
    }

    /**
     * Unsubscribes, closes the connection and stops the thread, waiting for it a bounded time (the socket timeout for
     * the server to confirm, then the connection is cut). Never throws; may be called from the receiver.
     *
     * @return true if this call closed the subscriber, false if it was already closed
     */
    boolean close() {
        Thread subscriber;
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            subscriber = thread;
            lock.notifyAll(); // ends a pause between attempts
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            firstAttempt.countDown(); // ends a start() waiting for the first attempt
            if (connected) {
                unsubscribeQuietly(subscription);
            }
        }
        if (subscriber == null || subscriber == Thread.currentThread()) {
            return true;
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
        return true;
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
                    // The acknowledgement channel first: once the invalidation channel is confirmed, both are.
                    attempt.proceed(opened, ackChannel, channel);
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
            String reason;
            if (attempt.unconfirmed) {
                reason = describeUnconfirmed();
            } else if (attempt.silent) {
                reason = describeSilence();
            } else {
                reason = describe(failure);
            }
            if (attempt.silent && attempt.confirmed) {
                // Not only once subscribed again: the connection may have dropped messages for the whole heartbeat
                // timeout already, and while the network is down a new subscription may take long.
                logger.warn("{}; local copies are dropped now, and again once subscribed", reason);
                outageLogged = true;
                receiver.messagesLost();
            }
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

    /** Makes {@code opened} the current connection, unless the subscriber was closed meanwhile. */
    private boolean register(Connection opened, Subscription attempt) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            connection = opened;
            subscription = attempt;
            attempt.lastHeard = System.nanoTime(); // the heartbeat timeout runs from here, not from before connecting
            confirmDeadline =
                    HEARTBEATS.schedule(() -> cutUnconfirmed(attempt), confirmTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        }
    }

    /** Forgets the current connection, then closes it (or returns it to its pool). */
    private void release(@Nullable Connection opened) {
        synchronized (lock) {
            connected = false;
            connection = null;
            subscription = null;
            cancelConfirmDeadline();
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
            cancelConfirmDeadline();
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
            receiver.messagesLost();
        } else {
            logger.debug("Invalidations of cache '{}' are received from {}", cacheName, tier.describe());
        }
    }

    /**
     * Runs on the heartbeat thread: cuts the current connection if it has been silent for the heartbeat timeout, else
     * pings it once confirmed. Under the lock, so that a borrowed connection is cut before it goes back to its pool.
     */
    private void beat() {
        try {
            synchronized (lock) {
                Subscription current = subscription;
                if (closed || current == null) {
                    return;
                }
                long silence = System.nanoTime() - current.lastHeard;
                if (silence < heartbeatTimeout.toNanos()) {
                    if (current.confirmed) {
                        pingQuietly(current);
                    }
                    return;
                }
                current.silent = true;
                cutQuietly(connection);
            }
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: this channel would lose its heartbeat for good.
            logger.warn("The heartbeat of the invalidation channel of cache '{}' failed; it goes on", cacheName, e);
        }
    }

    /**
     * Runs on the heartbeat thread once the confirmation timeout of {@code attempt} has passed: cuts its connection
     * unless Redis confirmed it meanwhile, or it ended.
     */
    private void cutUnconfirmed(Subscription attempt) {
        synchronized (lock) {
            if (closed || subscription != attempt || attempt.confirmed) {
                return;
            }
            attempt.unconfirmed = true;
            cutQuietly(connection);
        }
    }

    /** Forgets the current attempt's confirmation timeout; the caller holds the lock. */
    private void cancelConfirmDeadline() {
        if (confirmDeadline != null) {
            confirmDeadline.cancel(false);
            confirmDeadline = null;
        }
    }

    private void pingQuietly(Subscription current) {
        try {
            current.ping();
        } catch (RuntimeException e) {
            // A broken socket shows on the subscriber thread too; the next beat finds the silence if it does not.
            logger.debug("Pinging the invalidation connection of cache '{}' failed: {}", cacheName, e.toString());
        }
    }

    /** Waits up to {@code millis} unless the subscriber closes; only {@link #close()} ends this thread. */
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

    private String describeSilence() {
        return "The invalidation subscription of cache '" + cacheName + "' on " + tier.describe()
                + " answered no heartbeat for " + heartbeatTimeout + "; it was cut as half-open";
    }

    private String describeUnconfirmed() {
        return "Redis did not confirm the invalidation subscription of cache '" + cacheName + "' on " + tier.describe()
                + " within " + confirmTimeout + "; it was cut";
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

    private void unsubscribeQuietly(@Nullable Subscription attempt) {
        if (attempt == null) {
            return;
        }
        try {
            attempt.unsubscribe();
        } catch (RuntimeException e) {
            logger.debug("Unsubscribing from {} failed: {}", channel, e.toString());
        }
    }

    private static void cutQuietly(@Nullable Connection current) {
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

    /** One attempt's subscription; its callbacks run on the subscriber thread. */
    private final class Subscription extends JedisPubSub {
        /** Whether Redis confirmed this subscription. */
        volatile boolean confirmed;

        /** Whether the heartbeat cut this subscription's connection for its silence. */
        volatile boolean silent;

        /** Whether this subscription's connection was cut for want of a confirmation. */
        volatile boolean unconfirmed;

        /** When Redis was last heard on this connection ({@link System#nanoTime()}); the attempt's start at first. */
        volatile long lastHeard = System.nanoTime();

        @Override
        public void onSubscribe(String subscribedChannel, int subscribedChannels) {
            lastHeard = System.nanoTime();
            if (channel.equals(subscribedChannel)) {
                confirmed = true;
                subscribed(this);
            }
        }

        @Override
        public void onMessage(String messageChannel, String message) {
            lastHeard = System.nanoTime();
            if (channel.equals(messageChannel)) {
                receiver.received(message);
            } else {
                receiver.acknowledged(message);
            }
        }

        @Override
        public void onPong(String pattern) {
            lastHeard = System.nanoTime();
        }
    }
}
