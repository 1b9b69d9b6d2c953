package dev.cachet.spi;

import static java.util.Objects.requireNonNull;

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
     * Tells the other processes that every key changed.
     *
     * @throws dev.cachet.CacheUnavailableException if the message could not be sent
     */
    void publishAll();

    /** Returns true while the channel is subscribed and receiving. */
    boolean isConnected();

    /** Stops receiving and releases the connection. */
    @Override
    void close();
}
