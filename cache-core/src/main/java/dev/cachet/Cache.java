package dev.cachet;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A cache of values by key: the one interface behind every kind of Cachet cache (in-memory, Redis-backed, two-level).
 *
 * <p><b>Loads.</b> {@link #get(Object, Function)} runs the loader at most once per key at a time: concurrent callers
 * asking for the same missing key wait for that one load and all receive its value (or its exception). A loader
 * that returns {@code null} has its result returned but not cached, unless the cache was built with {@link
 * CacheBuilder#cacheNulls}. A loader exception is never cached: it reaches
 * the caller that ran the loader and every caller waiting for it, and the next call loads again; with {@link
 * CacheBuilder#staleIfError} they all receive the expired value instead while it is within its grace. A loader may read
 * other keys of the same cache (recursive memoisation works); a loader that asks for the very key it is loading
 * fails at once with an {@link IllegalStateException} instead of deadlocking.
 *
 * <p><b>Copies.</b> Values are copied on the way in and out according to the cache's {@link Copier}, so by default no
 * caller can change a cached value, neither by mutating an object after {@code put} nor by mutating what a read
 * returned. Immutable values pass through without a copy.
 *
 * <p><b>Nulls.</b> Keys, values and loaders are never {@code null}; passing one throws {@link NullPointerException}
 * naming the argument. Reads return {@code null} for an absent or expired key.
 *
 * <p><b>Thread safety.</b> All implementations are safe for concurrent use by any number of threads.
 *
 * @param <K> the type of keys; keys must be immutable in practice and implement {@code equals}/{@code hashCode}
 * @param <V> the type of values
 */
public interface Cache<K, V> {

    /** Returns the name this cache was built with; metrics and log lines use it. */
    String name();

    /**
     * Returns the value for {@code key}, loading it with {@code loader} if absent or expired. The loader runs at
     * most once per key at a time; concurrent callers wait for its result.
     *
     * <p><b>Interruption.</b> This method never throws {@link InterruptedException} and never clears the caller's
     * interrupt flag. A caller waiting for a load that runs in another process (a remote tier's load lock) stops
     * waiting as soon as it is interrupted, polls the tier no more, and loads the value itself, exactly as when the
     * wait runs out ({@link RemoteConfig#lockWait()}); callers waiting in this process for that caller's load get its
     * value, not a failure caused by someone else's interrupt. The loader then runs with the flag still set, so a
     * loader that blocks interruptibly fails at once and its exception reaches the caller as any loader exception
     * does. A caller waiting for a load that runs in this process waits for it to end, as {@link
     * java.util.concurrent.ConcurrentHashMap#computeIfAbsent} does.
     *
     * @return the cached or loaded value; {@code null} only when the loader returned {@code null} (now, or while a
     *     {@linkplain CacheBuilder#cacheNulls cached null} lives)
     * @throws NullPointerException if {@code key} or {@code loader} is null
     * @throws IllegalStateException if the loader asks this cache for the key it is loading
     * @throws RuntimeException whatever the loader threw (never cached)
     */
    @Nullable
    V get(K key, Function<? super K, ? extends @Nullable V> loader);

    /**
     * Returns the value for {@code key}, or {@code null} if it is absent or expired. Never loads.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Nullable
    V getIfPresent(K key);

    /**
     * Returns the values of the keys that are present; absent keys are missing from the result.
     *
     * @return an unmodifiable map in the iteration order of {@code keys}
     * @throws NullPointerException if {@code keys} or any key is null
     */
    default Map<K, V> getAllPresent(Iterable<? extends K> keys) {
        Objects.requireNonNull(keys, "keys");
        Map<K, V> present = new LinkedHashMap<>();
        for (K key : keys) {
            V value = getIfPresent(Objects.requireNonNull(key, "key"));
            if (value != null) {
                present.put(key, value);
            }
        }
        return Collections.unmodifiableMap(present);
    }

    /**
     * Returns the values of all {@code keys}, loading the absent ones with one call of {@code bulkLoader}. Keys the
     * bulk loader does not return are absent from the result. Unlike {@link #get(Object, Function)}, a bulk load is
     * not coordinated with concurrent loads of the same keys: it takes no cross-process lock and waits for none (a
     * bulk loader loads a page at once; locking each of its keys would serialise pages). A remote tier still writes
     * each loaded value only if nothing wrote, invalidated or locked its key since this call read it, so a bulk load
     * never undoes a write or invalidation that returned meanwhile; a near tier keeps copies of what it read and
     * loaded. On Redis the reads take one round trip (one plain {@code MGET}; one per Cluster node, and there one more
     * for keys without a fence, such as keys never written) and the writes another ({@code README}, "Bulk
     * operations").
     *
     * <p>A cached null ({@link CacheBuilder#cacheNulls}) is present without a value: it is neither returned nor
     * loaded; and with {@code cacheNulls}, a key the bulk loader does not return is cached as a null, as a {@code get}
     * whose loader returns {@code null}. Bulk reads neither refresh ahead nor recompute early: {@code get} does. With
     * {@link CacheBuilder#staleIfError}, when the bulk loader throws and every key it was asked for still has an
     * expired value within its grace, those values are returned (counted as served stale); otherwise the bulk loader's
     * exception is thrown.
     *
     * @return an unmodifiable map in the iteration order of {@code keys}
     * @throws NullPointerException if an argument, a key, or a key or value the bulk loader returned is null
     */
    Map<K, V> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

    /**
     * Stores {@code value} for {@code key}, replacing any value; a load of the same key that is in flight will not
     * overwrite it. The value is copied (see {@link Copier}) before it is stored, so later changes to {@code value}
     * do not reach the cache.
     *
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalArgumentException if the value cannot be copied; nothing is stored then
     */
    void put(K key, V value);

    /**
     * Stores {@code value} for {@code key} to live {@code ttl}, whatever the cache's {@link Expiry} or fixed expiry
     * would say; otherwise like {@link #put(Object, Object)}. A remote tier writes the value with this TTL, and a near
     * tier keeps its copy no longer than this and its own TTL. An in-memory cache needs per-entry expiry for this
     * (built with {@link CacheBuilder#expireAfter(Expiry)}).
     *
     * @throws NullPointerException if {@code key}, {@code value} or {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative, or the value cannot be copied; nothing is
     *     stored then, and the previous value stays
     * @throws IllegalStateException if this is an in-memory cache without per-entry expiry; nothing is stored
     */
    void put(K key, V value, Duration ttl);

    /**
     * Stores every entry of {@code entries}, as {@link #put(Object, Object)} does for each; a remote tier writes them
     * in O(1) round trips, and a near tier tells the other processes in one message. Every key and value is checked
     * before anything is stored; Cachet's caches also copy (or encode) every value first.
     *
     * @throws NullPointerException if {@code entries}, a key or a value is null; nothing is stored then
     * @throws IllegalArgumentException if a value cannot be copied or encoded; in Cachet's caches nothing is stored
     *     then
     */
    default void putAll(Map<? extends K, ? extends V> entries) {
        Objects.requireNonNull(entries, "entries");
        entries.forEach((key, value) -> {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, () -> "the value for key " + key);
        });
        entries.forEach(this::put);
    }

    /**
     * Removes {@code key}. A load of that key that is in flight will not store its result.
     *
     * @throws NullPointerException if {@code key} is null
     */
    void invalidate(K key);

    /**
     * Removes every key of {@code keys}, as {@link #invalidate(Object)} does for each; a remote tier removes them in
     * O(1) round trips, and a near tier tells the other processes in one message.
     *
     * @throws NullPointerException if {@code keys} or a key is null; nothing is removed then
     */
    default void invalidateAll(Iterable<? extends K> keys) {
        Objects.requireNonNull(keys, "keys");
        keys.forEach(key -> Objects.requireNonNull(key, "key"));
        keys.forEach(this::invalidate);
    }

    /** Removes every entry. Loads in flight will not store their results. */
    void invalidateAll();

    /**
     * Returns the approximate number of entries; it may count entries that have expired but were not yet cleaned
     * up. Call {@link #cleanUp()} first for an exact figure.
     */
    long estimatedSize();

    /** Performs pending maintenance (eviction of expired and excess entries) now, on the calling thread. */
    void cleanUp();

    /** Returns an immutable snapshot of this cache's statistics since it was built. */
    CacheStats stats();

    /** Returns the configuration this cache was built with. */
    CacheConfig config();

    /**
     * Returns what the cache's remote tier did, or empty for a cache without one. Thread-safe; an immutable snapshot.
     */
    default Optional<RemoteStats> remoteStats() {
        return Optional.empty();
    }

    /**
     * Returns what the cache's near tier did, or empty for a cache without one. Thread-safe; an immutable snapshot.
     */
    default Optional<NearStats> nearStats() {
        return Optional.empty();
    }
}
