package dev.cachet.testing;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import java.time.Duration;
import java.util.Collection;

/**
 * An {@link InvalidationChannel} that passes every call to another one: extend it and override only the calls a test
 * wants to hold, count or record, such as {@link #subscribe} to wrap the listener. Every call is forwarded, the bulk
 * and acknowledged ones included, so that the delegate's own behaviour (one message per batch, counted receivers) is
 * what the test sees. Thread-safe if the delegate is.
 */
public abstract class ForwardingInvalidationChannel implements InvalidationChannel {
    private final InvalidationChannel delegate;

    /**
     * Forwards to {@code delegate}.
     *
     * @throws NullPointerException if {@code delegate} is null
     */
    protected ForwardingInvalidationChannel(InvalidationChannel delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** Returns the channel calls are passed to. */
    protected final InvalidationChannel delegate() {
        return delegate;
    }

    @Override
    public void subscribe(InvalidationListener listener) {
        delegate.subscribe(listener);
    }

    @Override
    public void publish(String key) {
        delegate.publish(key);
    }

    @Override
    public void publishEach(Collection<String> keys) {
        delegate.publishEach(keys);
    }

    @Override
    public void publishAhead(Collection<String> keys) {
        delegate.publishAhead(keys);
    }

    @Override
    public void publishAll() {
        delegate.publishAll();
    }

    @Override
    public boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
        return delegate.publishAcknowledged(keys, maxWait);
    }

    @Override
    public boolean publishAllAcknowledged(Duration maxWait) {
        return delegate.publishAllAcknowledged(maxWait);
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
