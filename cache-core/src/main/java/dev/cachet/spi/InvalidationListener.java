package dev.cachet.spi;

/**
 * Told of invalidations that other processes published on a cache's {@link InvalidationChannel}. Called on the
 * channel's own thread; implementations must be quick and must not throw (a throw is logged and ignored).
 */
public interface InvalidationListener {

    /** Another process wrote or removed {@code key}: drop any local copy of it. */
    void onInvalidate(String key);

    /**
     * Another process is about to write or remove {@code key} ({@link InvalidationChannel#publishAhead}): drop any
     * local copy of it now; the write's own message follows. The default calls {@link #onInvalidate}.
     */
    default void onInvalidateAhead(String key) {
        onInvalidate(key);
    }

    /** Another process removed every key of the cache. */
    void onInvalidateAll();

    /**
     * The channel lost its connection and has subscribed again: messages sent in between are lost, so every local
     * copy must be dropped. Also called when the channel subscribes for the first time after a failed start, and when
     * it finds its connection silently dead (half-open), before it subscribes again.
     */
    void onMessagesLost();
}
