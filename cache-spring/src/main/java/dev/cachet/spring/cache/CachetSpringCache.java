package dev.cachet.spring.cache;

import static java.util.Objects.requireNonNull;

import dev.cachet.AsyncCache;
import dev.cachet.internal.NullCaching;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Cachet {@link dev.cachet.Cache} seen through Spring's {@link Cache} interface, so that {@code @Cacheable},
 * {@code @CachePut} and {@code @CacheEvict} work on it.
 *
 * <p><b>Nulls</b> are cached only by a cache built with {@code cacheNulls} (the property {@code
 * cachet.caches.<name>.cache-nulls}); it then behaves as Spring's own caches do when they allow null values: {@link
 * #put} of {@code null} caches it, {@link #get(Object)} of a cached {@code null} returns a {@code ValueWrapper}
 * holding {@code null}, {@link #get(Object, Callable)} returns it without calling the loader, and a
 * {@code @Cacheable} method that returns {@code null} is not called again until the null's time to live has passed. Without
 * it, as everywhere in Cachet, nulls are never cached: {@link #put} of {@code null} removes the key instead (so no
 * stale value survives it), a {@code @Cacheable} method that returns {@code null} is called again next time, as if it
 * said {@code unless = "#result == null"}, and {@link #get(Object)} returns either {@code null} (absent) or a wrapper
 * of a non-null value.
 *
 * <p><b>{@code @Cacheable(sync = true)}</b> calls {@link #get(Object, Callable)}, which is Cachet's {@code get(key,
 * loader)}: one load per key at a time in this process, other callers wait for it; for a remote or near cache also
 * across processes, through the Redis load lock. A loader's exception is wrapped in a {@link ValueRetrievalException}
 * (which Spring's interceptor unwraps) and is never cached.
 *
 * <p><b>Keys</b> are used as they are: Spring's {@code SimpleKey} (several parameters) works for in-memory caches;
 * a remote or near cache encodes keys as strings and by default accepts strings, boxed primitives, {@code
 * BigInteger}, {@code BigDecimal}, enums and UUIDs only, each tagged with its type (see {@code
 * RemoteConfig.keyEncoder()}; set a key encoder with {@code RemoteConfig.custom().keyEncoder(...)} in a {@code
 * CachetCacheCustomizer} for others). Values are copied by the cache's copier, as with the Cachet API.
 *
 * <p>{@link #evictIfPresent} and {@link #invalidate()} keep Spring's defaults (they evict, and return {@code false}
 * for "unknown"). Thread-safe.
 *
 * <p><b>{@code retrieve}</b>, Spring's asynchronous contract (used by {@code @Cacheable} on methods that return {@code
 * CompletableFuture}, {@code Mono} or {@code Flux}), goes through an {@link AsyncCache} view of the same cache: no I/O
 * on the caller's thread for a remote or near cache, one load per key at a time, and a future that fails caches
 * nothing.
 */
public final class CachetSpringCache implements Cache {
    private final dev.cachet.Cache<Object, Object> cache;
    private final AsyncCache<Object, Object> async;
    /** The cache's null caching, when it caches nulls; otherwise null. */
    private final @Nullable NullCaching<Object> nulls;

    /**
     * Adapts {@code cache}.
     *
     * @throws NullPointerException if {@code cache} is null
     */
    @SuppressWarnings("unchecked") // Spring's interface is untyped: keys and values are whatever the caller stores
    public CachetSpringCache(dev.cachet.Cache<?, ?> cache) {
        this.cache = (dev.cachet.Cache<Object, Object>) requireNonNull(cache, "cache");
        this.async = AsyncCache.of(this.cache, ForkJoinPool.commonPool());
        this.nulls =
                cache instanceof NullCaching<?> caching && caching.cachesNulls() ? (NullCaching<Object>) caching : null;
    }

    @Override
    public String getName() {
        return cache.name();
    }

    /** Returns the Cachet cache. */
    @Override
    public dev.cachet.Cache<Object, Object> getNativeCache() {
        return cache;
    }

    @Override
    public @Nullable ValueWrapper get(Object key) {
        if (nulls != null) {
            Object found = nulls.lookupOrCachedNull(key); // one lookup tells a cached null from an absent key
            return found == null ? null : new SimpleValueWrapper(found == NullCaching.CACHED_NULL ? null : found);
        }
        Object value = cache.getIfPresent(key);
        return value == null ? null : new SimpleValueWrapper(value);
    }

    /**
     * Returns the value of {@code key} if present, checking its type.
     *
     * @throws IllegalStateException if the value is not a {@code type}
     */
    @Override
    public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
        Object value = cache.getIfPresent(key);
        if (value != null && type != null && !type.isInstance(value)) {
            throw new IllegalStateException("cache '" + getName() + "' holds a "
                    + value.getClass().getName() + " for key " + key + ", not a " + type.getName());
        }
        @SuppressWarnings("unchecked") // checked above
        T typed = (T) value;
        return typed;
    }

    @Override
    public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
        requireNonNull(valueLoader, "valueLoader");
        try {
            @SuppressWarnings("unchecked") // the value stored under this key was produced by such a loader
            T value = (T) cache.get(key, k -> {
                try {
                    return valueLoader.call();
                } catch (Exception e) {
                    throw new LoaderFailure(e);
                }
            });
            return value;
        } catch (LoaderFailure failure) {
            throw new ValueRetrievalException(key, valueLoader, failure.getCause());
        }
    }

    /**
     * Stores {@code value}; {@code null} is cached as such if the cache caches nulls, and otherwise removes the key.
     */
    @Override
    public void put(Object key, @Nullable Object value) {
        if (value == null && nulls != null) {
            nulls.putNull(key);
        } else if (value == null) {
            cache.invalidate(key);
        } else {
            cache.put(key, value);
        }
    }

    /**
     * Stores {@code value} unless {@code key} has one, atomically with loads of the same key (it is a {@code get(key,
     * loader)} whose loader returns {@code value}).
     *
     * <p>A {@code null} is stored only if the cache caches nulls; a cached {@code null} counts as a value there.
     *
     * @return the value that was there (a wrapper of {@code null} for a cached {@code null}), or {@code null} if
     *     {@code value} was stored (or is {@code null} and nulls are not cached)
     */
    @Override
    public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
        if (value == null && nulls == null) {
            return get(key);
        }
        boolean[] stored = {false};
        Object current = cache.get(key, k -> {
            stored[0] = true;
            return value;
        });
        return stored[0] ? null : new SimpleValueWrapper(current);
    }

    /**
     * Returns a future of the value of {@code key}: {@code null} when an in-memory cache holds no value for it; for a
     * remote or near cache, whose answer needs a round trip, a future that completes with {@code null} on a miss.
     */
    @Override
    public @Nullable CompletableFuture<?> retrieve(Object key) {
        NullCaching<Object> caching = nulls;
        if (caching == null) {
            return async.getIfPresent(key);
        }
        requireNonNull(key, "key");
        // Spring's contract: a cached null arrives as a ValueWrapper holding null, a miss as null, a value as itself.
        return CompletableFuture.supplyAsync(
                () -> {
                    Object found = caching.lookupOrCachedNull(key);
                    return found == NullCaching.CACHED_NULL ? new SimpleValueWrapper(null) : found;
                },
                ForkJoinPool.commonPool());
    }

    /**
     * Returns a future of the value of {@code key}, obtained from {@code valueLoader}'s future on a miss. One load per
     * key at a time: callers that miss meanwhile share it. A future that fails (or a loader that throws) caches
     * nothing and fails the callers' futures.
     */
    @Override
    @SuppressWarnings("unchecked") // the value stored under this key was produced by such a loader
    public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
        requireNonNull(valueLoader, "valueLoader");
        return (CompletableFuture<T>) async.get(key, (k, executor) -> valueLoader.get());
    }

    @Override
    public void evict(Object key) {
        cache.invalidate(key);
    }

    @Override
    public void clear() {
        cache.invalidateAll();
    }

    @Override
    public String toString() {
        return "CachetSpringCache[" + getName() + "]";
    }

    /** Carries a loader's exception, checked or not, through Cachet's {@code Function}-based loader. */
    private static final class LoaderFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LoaderFailure(Exception cause) {
            super(null, cause, false, false);
        }
    }
}
