package dev.cachet.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One value of a bulk write to a {@link RemoteStore} ({@link RemoteStore#putAll}, {@link
 * RemoteStore#putAllIfUnchanged}): {@code value} for {@code key}, to expire after {@code ttl}. Immutable and
 * thread-safe; the bytes are not copied and must not be changed.
 *
 * @param key the key, as the cache encoded it
 * @param value the bytes to store
 * @param ttl how long the value lives; positive
 */
@SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are never mutated
public record RemoteWrite(String key, byte[] value, Duration ttl) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    public RemoteWrite {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl + " (key " + key + ")");
        }
    }
}
