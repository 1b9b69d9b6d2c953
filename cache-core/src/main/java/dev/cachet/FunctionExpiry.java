package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.BiFunction;

/**
 * The expiries of {@link Expiry#creating}, {@link Expiry#writing} and {@link Expiry#accessing}: one function, asked
 * again on the events it names, the current duration kept on the others. Immutable and thread-safe if the function is.
 *
 * @param ttl how long an entry lives after an event that asks it
 * @param onUpdate whether a replacement asks {@code ttl} again
 * @param onRead whether a read asks {@code ttl} again; if not, reads never call this expiry (see {@link GuardedExpiry})
 */
record FunctionExpiry<K, V>(BiFunction<? super K, ? super V, Duration> ttl, boolean onUpdate, boolean onRead)
        implements Expiry<K, V> {

    FunctionExpiry {
        requireNonNull(ttl, "ttl");
    }

    @Override
    public Duration expireAfterCreate(K key, V value) {
        return ttl.apply(key, value);
    }

    @Override
    public Duration expireAfterUpdate(K key, V value, Duration currentDuration) {
        return onUpdate ? ttl.apply(key, value) : currentDuration;
    }

    @Override
    public Duration expireAfterRead(K key, V value, Duration currentDuration) {
        return onRead ? ttl.apply(key, value) : currentDuration;
    }
}
