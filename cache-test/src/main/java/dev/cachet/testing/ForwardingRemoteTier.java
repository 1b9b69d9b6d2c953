package dev.cachet.testing;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;

/**
 * A {@link RemoteTier} that passes every call to another one: extend it and override {@link #store} to wrap each
 * cache's store (with a {@link ForwardingRemoteStore} that counts, holds or fails calls). Invalidation channels pass
 * through; {@link #describe()} names the wrapper and the tier it wraps. Thread-safe if the delegate is.
 */
public abstract class ForwardingRemoteTier implements RemoteTier {
    private final RemoteTier delegate;
    private final String label;

    /**
     * Forwards to {@code delegate}.
     *
     * @param label what the wrapper does, such as {@code "faulty"}: {@link #describe()} puts it before the delegate's
     * @throws NullPointerException if an argument is null
     */
    protected ForwardingRemoteTier(RemoteTier delegate, String label) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.label = requireNonNull(label, "label");
    }

    /** Returns the tier calls are passed to. */
    protected final RemoteTier delegate() {
        return delegate;
    }

    @Override
    public RemoteStore store(String cacheName) {
        return delegate.store(cacheName);
    }

    @Override
    public InvalidationChannel invalidations(String cacheName) {
        return delegate.invalidations(cacheName);
    }

    @Override
    public String describe() {
        return label + ' ' + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
