package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AsyncCache} over a synchronous cache. Two paths, chosen once by the kind of cache:
 *
 * <ul>
 *   <li><b>In memory</b> ({@link LocalCache}): a hit is answered on the caller's thread. A miss registers a future
 *       here, so that callers who miss meanwhile share it without holding a thread each; the value enters the cache
 *       through the cache's own load path ({@link LocalCache#loadAfterMiss}) when the future completes, which counts
 *       the load in the cache's statistics and leaves a value written meanwhile in place.
 *   <li><b>Remote or near</b>: each call runs the synchronous cache's method on the executor, so that its lease,
 *       fence and cross-process lock, and its own single flight, apply unchanged. A second single flight here would
 *       let a caller that arrives after another process's write take the value of a load that began before it, which
 *       the remote cache rules out. The cost: a caller waiting for another's load keeps an executor thread waiting.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class AsyncCacheView<K, V> implements AsyncCache<K, V> {
    private static final Logger log = LoggerFactory.getLogger(AsyncCacheView.class);

    private final Cache<K, V> cache;
    private final @Nullable LocalCache<K, V> local;
    private final Executor executor;
    /** In-memory path only: the loads and puts in flight, by key; one is removed when it ends or is superseded. */
    private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

    private final Cache<K, V> synchronous;

    AsyncCacheView(Cache<K, V> cache, Executor executor) {
        this.cache = cache;
        this.executor = executor;
        this.local = cache instanceof LocalCache<K, V> inMemory ? inMemory : null;
        this.synchronous = local == null ? cache : new SynchronousView();
    }

    @Override
    public String name() {
        return cache.name();
    }

    @Override
    public CompletableFuture<@Nullable V> get(K key, Function<? super K, ? extends @Nullable V> loader) {
        requireNonNull(key, "key");
        requireNonNull(loader, "loader");
        if (local == null) {
            return onExecutor(() -> cache.get(key, loader));
        }
        return get(key, (k, e) -> CompletableFuture.supplyAsync(() -> loader.apply(k), e));
    }

    @Override
    public CompletableFuture<@Nullable V> get(
            K key, BiFunction<? super K, ? super Executor, ? extends CompletableFuture<? extends @Nullable V>> loader) {
        requireNonNull(key, "key");
        requireNonNull(loader, "loader");
        LocalCache<K, V> inMemory = local;
        if (inMemory == null) {
            return onExecutor(() -> cache.get(key, k -> await(k, loader)));
        }
        V value = inMemory.lookup(key);
        if (value != null) {
            return CompletableFuture.completedFuture(value);
        }
        CompletableFuture<V> shared = new CompletableFuture<>();
        CompletableFuture<V> current = flights.putIfAbsent(key, shared);
        if (current != null) {
            return follow(inMemory, current);
        }
        CompletableFuture<? extends @Nullable V> loading;
        try {
            loading = requireNonNull(loader.apply(key, executor), () -> nullFuture(key));
        } catch (RuntimeException | Error e) {
            loaded(inMemory, key, shared, null, e);
            return follow(inMemory, shared);
        }
        var unused =
                loading.whenComplete((loadedValue, failure) -> loaded(inMemory, key, shared, loadedValue, failure));
        return follow(inMemory, shared);
    }

    /**
     * Ends an in-memory load: stores its value through the cache's load path if the flight is still the key's (a put
     * or invalidation meanwhile removed it), then completes the shared future. A failure goes the same way, so that
     * the cache counts it, and stores nothing.
     */
    private void loaded(
            LocalCache<K, V> inMemory,
            K key,
            CompletableFuture<V> shared,
            @Nullable V value,
            @Nullable Throwable failure) {
        Throwable cause = failure == null ? null : unwrap(failure);
        try {
            flights.computeIfPresent(key, (k, flight) -> {
                if (flight != shared) {
                    return flight;
                }
                inMemory.loadAfterMiss(k, unused -> {
                    if (cause != null) {
                        throw new LoadFailure(cause);
                    }
                    return value;
                });
                return null;
            });
        } catch (LoadFailure counted) {
            flights.remove(key, shared);
        } catch (RuntimeException | Error e) { // the copier or weigher rejected the value: the load fails
            flights.remove(key, shared);
            shared.completeExceptionally(cause != null ? cause : e);
            return;
        }
        if (cause != null) {
            shared.completeExceptionally(cause);
        } else {
            shared.complete(value);
        }
    }

    /** Returns a future of its own for one caller of a shared future, with its own copy of the value. */
    private static <K, V> CompletableFuture<@Nullable V> follow(
            LocalCache<K, V> inMemory, CompletableFuture<V> shared) {
        CompletableFuture<@Nullable V> mine = new CompletableFuture<>();
        var unused = shared.whenComplete((value, failure) -> {
            if (failure != null) {
                mine.completeExceptionally(failure);
                return;
            }
            try {
                mine.complete(value == null ? null : inMemory.copyOut(value));
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
            }
        });
        return mine;
    }

    /**
     * Remote path: runs the loader on the executor thread that is loading, and waits there for its future, so that
     * the value is stored under the lease of the read that missed.
     */
    private @Nullable V await(
            K key, BiFunction<? super K, ? super Executor, ? extends CompletableFuture<? extends @Nullable V>> loader) {
        CompletableFuture<? extends @Nullable V> loading =
                requireNonNull(loader.apply(key, executor), () -> nullFuture(key));
        try {
            return loading.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new LoadFailure(cause);
        }
    }

    private String nullFuture(K key) {
        return "the loader returned a null future for key " + key + " (cache '" + name() + "')";
    }

    @Override
    public @Nullable CompletableFuture<@Nullable V> getIfPresent(K key) {
        requireNonNull(key, "key");
        LocalCache<K, V> inMemory = local;
        if (inMemory == null) {
            return onExecutor(() -> cache.getIfPresent(key));
        }
        CompletableFuture<V> flight = flights.get(key);
        if (flight != null) {
            return follow(inMemory, flight);
        }
        V value = inMemory.getIfPresent(key);
        return value == null ? null : CompletableFuture.completedFuture(value);
    }

    @Override
    public CompletableFuture<Map<K, V>> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
        requireNonNull(keys, "keys");
        requireNonNull(bulkLoader, "bulkLoader");
        List<K> requested = new ArrayList<>(); // taken now: the caller may change its collection afterwards
        keys.forEach(key -> requested.add(requireNonNull(key, "key")));
        return onExecutor(() -> cache.getAll(requested, bulkLoader));
    }

    @Override
    public void put(K key, CompletableFuture<? extends V> valueFuture) {
        requireNonNull(key, "key");
        requireNonNull(valueFuture, "valueFuture");
        if (local == null) {
            // The synchronous put fences this process's loads of the key when it runs; the value is not known before.
            var unused = valueFuture.whenComplete((value, failure) -> {
                if (failure == null && value != null) {
                    runOnExecutor(() -> cache.put(key, value));
                }
            });
            return;
        }
        CompletableFuture<V> shared = new CompletableFuture<>();
        flights.put(key, shared); // a load in flight now finds its flight gone and stores nothing
        var unused = valueFuture.whenComplete((value, failure) -> {
            if (failure != null || value == null) {
                flights.remove(key, shared);
                if (failure != null) {
                    shared.completeExceptionally(unwrap(failure));
                } else {
                    shared.complete(null);
                }
                return;
            }
            try {
                flights.computeIfPresent(key, (k, flight) -> {
                    if (flight == shared) {
                        cache.put(k, value);
                    }
                    return flight == shared ? null : flight;
                });
            } catch (RuntimeException | Error e) {
                flights.remove(key, shared);
                shared.completeExceptionally(e);
                log.warn("cache '{}' could not store the value of a future put for key {}", name(), key, e);
                return;
            }
            shared.complete(value);
        });
    }

    @Override
    public Cache<K, V> synchronous() {
        return synchronous;
    }

    /** Runs {@code work} on the executor for one caller; a caller that cancelled before it started skips it. */
    private <T> CompletableFuture<T> onExecutor(Supplier<T> work) {
        CompletableFuture<T> mine = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (mine.isDone()) {
                    return;
                }
                try {
                    mine.complete(work.get());
                } catch (Throwable t) {
                    mine.completeExceptionally(unwrap(t));
                }
            });
        } catch (RejectedExecutionException e) {
            mine.completeExceptionally(e);
        }
        return mine;
    }

    private void runOnExecutor(Runnable write) {
        try {
            executor.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException | Error e) {
                    log.warn("cache '{}' could not store the value of a future put", name(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("cache '{}' could not store the value of a future put: executor rejected it", name(), e);
        }
    }

    /** Returns the exception a caller should see: the loader's own, not the wrappers it travelled in. */
    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof LoadFailure) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "AsyncCache[" + cache.name() + "]";
    }

    /** Carries a load's exception, checked or not, through the synchronous cache's {@code Function} loader. */
    private static final class LoadFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LoadFailure(Throwable cause) {
            super(null, cause, false, false);
        }
    }

    /** The in-memory cache, whose writes also stop this view's loads in flight from storing. */
    private final class SynchronousView implements Cache<K, V> {
        @Override
        public String name() {
            return cache.name();
        }

        @Override
        public @Nullable V get(K key, Function<? super K, ? extends @Nullable V> loader) {
            return cache.get(key, loader);
        }

        @Override
        public @Nullable V getIfPresent(K key) {
            return cache.getIfPresent(key);
        }

        @Override
        public Map<K, V> getAll(
                Iterable<? extends K> keys,
                Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
            return cache.getAll(keys, bulkLoader);
        }

        @Override
        public void put(K key, V value) {
            flights.remove(requireNonNull(key, "key"));
            cache.put(key, value);
        }

        @Override
        public void invalidate(K key) {
            flights.remove(requireNonNull(key, "key"));
            cache.invalidate(key);
        }

        @Override
        public void invalidateAll() {
            flights.clear();
            cache.invalidateAll();
        }

        @Override
        public long estimatedSize() {
            return cache.estimatedSize();
        }

        @Override
        public void cleanUp() {
            cache.cleanUp();
        }

        @Override
        public CacheStats stats() {
            return cache.stats();
        }

        @Override
        public CacheConfig config() {
            return cache.config();
        }

        @Override
        public Optional<RemoteStats> remoteStats() {
            return cache.remoteStats();
        }

        @Override
        public Optional<NearStats> nearStats() {
            return cache.nearStats();
        }

        @Override
        public String toString() {
            return "synchronous view of " + cache;
        }
    }
}
