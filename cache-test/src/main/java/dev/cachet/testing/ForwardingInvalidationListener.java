package dev.cachet.testing;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.InvalidationListener;

/**
 * An {@link InvalidationListener} that passes every call to another one: extend it and override only the calls a test
 * wants to hold, count or record. {@link #onInvalidateAhead} is forwarded as itself, not through the interface's
 * default, so that the delegate tells an ahead message from the write's own. Thread-safe if the delegate is.
 */
public abstract class ForwardingInvalidationListener implements InvalidationListener {
    private final InvalidationListener delegate;

    /**
     * Forwards to {@code delegate}.
     *
     * @throws NullPointerException if {@code delegate} is null
     */
    protected ForwardingInvalidationListener(InvalidationListener delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** Returns the listener calls are passed to. */
    protected final InvalidationListener delegate() {
        return delegate;
    }

    @Override
    public void onInvalidate(String key) {
        delegate.onInvalidate(key);
    }

    @Override
    public void onInvalidateAhead(String key) {
        delegate.onInvalidateAhead(key);
    }

    @Override
    public void onInvalidateAll() {
        delegate.onInvalidateAll();
    }

    @Override
    public void onMessagesLost() {
        delegate.onMessagesLost();
    }
}
