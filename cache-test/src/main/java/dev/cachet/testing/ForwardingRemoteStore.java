package dev.cachet.testing;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link RemoteStore} that passes every call to another one: extend it and override only the calls a test wants to
 * count, hold or fail. {@link #get}, the bulk calls ({@link #lookupAll}, {@link #peekAll}, {@link #putAll}, {@link
 * #putAllIfUnchanged}, {@link #deleteEach}) and the combined ones ({@link #tryLockAndLookup}, {@link
 * #putIfUnchangedAndRelease}) are not forwarded: they keep the SPI's defaults, which go through the single-key calls,
 * so that a test that intercepts {@code lookup}, {@code tryLock} or {@code put} sees every key. A subclass that wants
 * the delegate's own calls overrides them. Thread-safe if the delegate is.
 */
public abstract class ForwardingRemoteStore implements RemoteStore {
    private final RemoteStore delegate;

    /**
     * Forwards to {@code delegate}.
     *
     * @throws NullPointerException if {@code delegate} is null
     */
    protected ForwardingRemoteStore(RemoteStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** Returns the store calls are passed to. */
    protected final RemoteStore delegate() {
        return delegate;
    }

    @Override
    public String cacheName() {
        return delegate.cacheName();
    }

    @Override
    public Lookup lookup(String key, long maxBytes) {
        return delegate.lookup(key, maxBytes);
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        delegate.put(key, value, ttl);
    }

    @Override
    public boolean putIfUnchanged(String key, byte[] value, Duration ttl, long lease) {
        return delegate.putIfUnchanged(key, value, ttl, lease);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public OptionalLong deleteIfUnchanged(String key, byte[] expected) {
        return delegate.deleteIfUnchanged(key, expected);
    }

    @Override
    public void deleteAll() {
        delegate.deleteAll();
    }

    @Override
    public Optional<RemoteLock> tryLock(String key, Duration lease) {
        return delegate.tryLock(key, lease);
    }
}
