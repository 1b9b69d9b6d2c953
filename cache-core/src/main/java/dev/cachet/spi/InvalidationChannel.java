package dev.cachet.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collection;

/**
 * Carries one cache's invalidations between processes (Redis pub/sub, in the {@code cache-redis} module), so that a
 * write in one process evicts the key from every other process's near cache. Messages carry the key, never the value.
 * A channel never delivers a process's own messages back to it.
 *
 * <p>Delivery is best effort: a channel that loses its connection reconnects by itself and then calls {@link
 * InvalidationListener#onMessagesLost()}. Implementations must be thread-safe.
 */
public interface InvalidationChannel extends AutoCloseable {

    /**
     * Starts delivering other processes' messages to {@code listener}; call once.
     *
     * @throws IllegalStateException if already subscribed
     */
    void subscribe(InvalidationListener listener);

    /**
     * Tells the other processes that {@code key} changed.
     *
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent
     */
    void publish(String key);

    /**
     * Tells the other processes that every key of {@code keys} changed: one message for the batch where the channel
     * can (Redis sends one), so that a bulk write costs one message, not one per key. The default calls {@link
     * #publish} once per key.
     *
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent; some keys may have been sent
     */
    default void publishEach(Collection<String> keys) {
        requireNonNull(keys, "keys");
        for (String key : keys) {
            publish(requireNonNull(key, "key"));
        }
    }

    /**
     * Tells the other processes, before this process writes {@code keys} to the remote tier, that they are about to
     * change, so that they drop their copies while the write is on its way: a read in another process right after the
     * write returned then goes to the remote tier and sees it, instead of finding the copy its message has not dropped
     * yet. A hint only: the write is published as usual once done ({@link #publish}), which also drops a copy read
     * again in between. The default does nothing.
     *
     * @throws NullPointerException if {@code keys} or a key is null
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent
     */
    default void publishAhead(Collection<String> keys) {
        requireNonNull(keys, "keys").forEach(key -> requireNonNull(key, "key"));
    }

    /**
     * Tells the other processes that every key changed.
     *
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent
     */
    void publishAll();

    /**
     * Like {@link #publishEach}, then waits until every process that received the message has applied it (its
     * listener returned) and said so, but no longer than {@code maxWait} from the call. This process's own
     * subscription is not waited for: it receives no messages of its own. Used by near caches built with {@code
     * acknowledgedInvalidation}.
     *
     * <p>The default publishes and returns false at once: it cannot tell who received the message.
     *
     * @param keys the keys that changed; not empty
     * @param maxWait the longest this call waits for confirmations, counted from the call; positive
     * @return true if every receiver confirmed within {@code maxWait}; false if the wait ran out, or if this channel
     *     cannot count its receivers
     * @throws NullPointerException if an argument or a key is null
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent; some keys may have been sent
     */
    default boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
        requireNonNull(maxWait, "maxWait");
        publishEach(keys);
        return false;
    }

    /**
     * Like {@link #publishAll}, then waits for every receiver's confirmation as {@link #publishAcknowledged} does.
     * The default publishes and returns false at once.
     *
     * @param maxWait the longest this call waits for confirmations, counted from the call; positive
     * @return true if every receiver confirmed within {@code maxWait}; false otherwise
     * @throws NullPointerException if {@code maxWait} is null
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent
     */
    default boolean publishAllAcknowledged(Duration maxWait) {
        requireNonNull(maxWait, "maxWait");
        publishAll();
        return false;
    }

    /** Returns true while the channel is subscribed and receiving. */
    boolean isConnected();

    /** Stops receiving and releases the connection. */
    @Override
    void close();
}
