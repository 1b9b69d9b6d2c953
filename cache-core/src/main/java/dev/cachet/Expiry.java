package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.BiFunction;

/**
 * Decides how long each entry lives, per entry: the shape of Caffeine's {@code Expiry}, in {@link Duration}s. Set it
 * with {@link CacheBuilder#expireAfter(Expiry)}, instead of a fixed {@code expireAfterWrite} or {@code
 * expireAfterAccess}. An access token that carries its own expiry, for example:
 *
 * <pre>{@code
 * record Token(String value, Instant expiresAt) {
 *     Duration expiresIn() { return Duration.between(Instant.now(), expiresAt).minusSeconds(30); }
 * }
 * Cache<String, Token> tokens = Cachet.builder("tokens")
 *         .expireAfter(Expiry.writing((String audience, Token token) -> token.expiresIn()))
 *         .build();
 * Token token = tokens.get("billing-api", audience -> oauth.fetchToken(audience)); // kept until it nears expiry
 * }</pre>
 *
 * <p><b>Durations.</b> Each method returns how long the entry lives from now: zero expires it at once, a duration
 * longer than Caffeine's limit (about 150 years) lives "forever". A method that throws or returns {@code null} or a
 * negative duration fails the write that asked it with an {@link IllegalStateException} naming the cache and the key,
 * and nothing already cached is lost: the previous value, if any, stays with its previous expiry. A failure on a read
 * ({@link #expireAfterRead}) cannot fail the read: the entry keeps its expiry and the failure is logged once.
 *
 * <p><b>Tiers.</b> In memory, all three methods apply. A cache with a remote tier asks {@link #expireAfterCreate} for
 * every value it writes (a load, a put or a replacement alike; the remote TTL is set without reading the old one
 * first), and its near tier keeps each value no longer than that and no longer than the near tier's own TTL.
 *
 * <p><b>Thread safety.</b> Implementations are called concurrently from any thread that reads or writes the cache,
 * and must be thread-safe; they run on the caller's thread, so they should be fast and must not use the cache.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Expiry<K, V> {

    /**
     * Returns how long a new entry lives: a loaded value, or one put for a key that had none.
     *
     * @param key the entry's key
     * @param value the entry's value
     */
    Duration expireAfterCreate(K key, V value);

    /**
     * Returns how long an entry lives after its value was replaced by {@code put}; in memory only.
     *
     * @param currentDuration how long the replaced value had left to live
     */
    Duration expireAfterUpdate(K key, V value, Duration currentDuration);

    /**
     * Returns how long an entry lives after it was read; in memory only.
     *
     * @param currentDuration how long the entry has left to live; return it to keep the expiry as it is
     */
    Duration expireAfterRead(K key, V value, Duration currentDuration);

    /**
     * Returns an expiry whose entries live {@code ttl.apply(key, value)} after they were created; replacing or reading
     * an entry does not change its expiry.
     *
     * @throws NullPointerException if {@code ttl} is null
     */
    static <K, V> Expiry<K, V> creating(BiFunction<? super K, ? super V, Duration> ttl) {
        return new FunctionExpiry<>(requireNonNull(ttl, "ttl"), false, false);
    }

    /**
     * Returns an expiry whose entries live {@code ttl.apply(key, value)} after each write (create or replace); reading
     * an entry does not change its expiry. The usual choice for values that carry their own expiry.
     *
     * @throws NullPointerException if {@code ttl} is null
     */
    static <K, V> Expiry<K, V> writing(BiFunction<? super K, ? super V, Duration> ttl) {
        return new FunctionExpiry<>(requireNonNull(ttl, "ttl"), true, false);
    }

    /**
     * Returns an expiry whose entries live {@code ttl.apply(key, value)} after each write or read.
     *
     * @throws NullPointerException if {@code ttl} is null
     */
    static <K, V> Expiry<K, V> accessing(BiFunction<? super K, ? super V, Duration> ttl) {
        return new FunctionExpiry<>(requireNonNull(ttl, "ttl"), true, true);
    }
}
