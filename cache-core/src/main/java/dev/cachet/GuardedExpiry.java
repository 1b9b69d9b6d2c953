package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache's {@link Expiry}, guarded: each answer is checked, and a failure on a write becomes an {@link
 * IllegalStateException} naming the cache, the key and the method, thrown before anything is written, so that the
 * previous value stays. Also adapts it to Caffeine, which asks it only for reads and refreshes: Cachet's own writes
 * ask it first and hand Caffeine the duration. Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class GuardedExpiry<K, V> {
    private static final Logger log = LoggerFactory.getLogger(GuardedExpiry.class);

    /** Durations from this on are "forever" (Caffeine caps them at about 150 years anyway). */
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

    private final String cacheName;
    private final Expiry<? super K, ? super V> expiry;
    /** False when reads keep the expiry as it is, so the hit path does not call it (nor allocate a Duration). */
    private final boolean readSensitive;

    private final AtomicBoolean readFailureLogged = new AtomicBoolean();

    GuardedExpiry(String cacheName, Expiry<? super K, ? super V> expiry) {
        this.cacheName = requireNonNull(cacheName, "cacheName");
        this.expiry = requireNonNull(expiry, "expiry");
        this.readSensitive = !(expiry instanceof FunctionExpiry<?, ?> function) || function.onRead();
    }

    /** Returns the user's expiry, for the registry's fingerprint and tests. */
    Expiry<? super K, ? super V> expiry() {
        return expiry;
    }

    /**
     * Returns how long a new entry lives.
     *
     * @throws IllegalStateException if the expiry threw or returned null or a negative duration
     */
    Duration create(K key, V value) {
        Duration duration;
        try {
            duration = expiry.expireAfterCreate(key, value);
        } catch (RuntimeException e) {
            throw failed("expireAfterCreate", key, e);
        }
        return checked("expireAfterCreate", key, duration);
    }

    /**
     * Returns how long a replaced entry lives.
     *
     * @throws IllegalStateException if the expiry threw or returned null or a negative duration
     */
    Duration update(K key, V value, Duration current) {
        Duration duration;
        try {
            duration = expiry.expireAfterUpdate(key, value, current);
        } catch (RuntimeException e) {
            throw failed("expireAfterUpdate", key, e);
        }
        return checked("expireAfterUpdate", key, duration);
    }

    /** Returns how long a read entry lives, in nanoseconds; never throws: a failure keeps the current duration. */
    long readNanos(K key, V value, long currentNanos) {
        if (!readSensitive) {
            return currentNanos;
        }
        try {
            return nanos(checked(
                    "expireAfterRead", key, expiry.expireAfterRead(key, value, Duration.ofNanos(currentNanos))));
        } catch (RuntimeException e) {
            if (readFailureLogged.compareAndSet(false, true)) {
                log.warn(
                        "cache '{}': the Expiry failed on a read of key {}; the entry keeps its expiry. Further read"
                                + " failures are not logged.",
                        cacheName,
                        key,
                        e);
            }
            return currentNanos;
        }
    }

    /** Returns this expiry as Caffeine asks it: in nanoseconds, throwing as {@link #create} and {@link #update} do. */
    com.github.benmanes.caffeine.cache.Expiry<K, V> forCaffeine() {
        return new com.github.benmanes.caffeine.cache.Expiry<>() {
            // A cached null (LocalCache's marker) keeps its own TTL: the user's expiry never sees it.
            @Override
            public long expireAfterCreate(K key, V value, long currentTime) {
                return LocalCache.isCachedNull(value)
                        ? LocalCache.nanosLeft(value, currentTime)
                        : nanos(create(key, value));
            }

            @Override
            public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
                return LocalCache.isCachedNull(value)
                        ? LocalCache.nanosLeft(value, currentTime)
                        : nanos(update(key, value, Duration.ofNanos(currentDuration)));
            }

            @Override
            public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
                return LocalCache.isCachedNull(value) ? currentDuration : readNanos(key, value, currentDuration);
            }
        };
    }

    /**
     * Checks the {@code ttl} of a {@link Cache#put(Object, Object, Duration)}.
     *
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    static Duration requireTtl(@Nullable Duration ttl, String cacheName) {
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException(
                    "ttl must be positive, was " + ttl + " (cache '" + cacheName + "'); nothing was stored");
        }
        return ttl;
    }

    /** Returns {@code duration} in nanoseconds, saturated at {@link Long#MAX_VALUE}. */
    static long nanos(Duration duration) {
        return duration.compareTo(FOREVER) >= 0 ? Long.MAX_VALUE : duration.toNanos();
    }

    private Duration checked(String method, K key, @Nullable Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalStateException("cache '" + cacheName + "': the Expiry's " + method + " returned "
                    + duration + " for key " + key + "; a duration must be zero or positive. Nothing was stored;"
                    + " the previous value, if any, stays");
        }
        return duration;
    }

    private IllegalStateException failed(String method, K key, RuntimeException cause) {
        return new IllegalStateException(
                "cache '" + cacheName + "': the Expiry's " + method + " failed for key " + key + " (" + cause
                        + "). Nothing was stored; the previous value, if any, stays",
                cause);
    }
}
