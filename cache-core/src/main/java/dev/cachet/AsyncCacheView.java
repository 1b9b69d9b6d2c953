package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.NullCaching;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
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
 *       in the cache's own table of asynchronous loads, shared by every view of the cache, so that callers who miss
 *       meanwhile share it without holding a thread each; the value enters the cache through the cache's own load
 *       path ({@link LocalCache#loadAfterMiss}) when the future completes, which counts the load in the cache's
 *       statistics. Every write to the key, through a view or any other reference to the cache, first removes the
 *       key's entry from that table, and a load whose entry is gone stores nothing: a value written or invalidated
 *       meanwhile stays so.
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
    /**
     * In-memory path only: the loads and puts in flight, by key, kept by the cache itself so that every view of it
     * shares them and every write to a key, through any reference, removes the key's entry (see {@link
     * LocalCache#asyncLoads()}).
     */
    private final ConcurrentHashMap<K, CompletableFuture<V>> flights;

    AsyncCacheView(Cache<K, V> cache, Executor executor) {
        this.cache = cache;
        this.executor = executor;
        this.local = cache instanceof LocalCache<K, V> inMemory ? inMemory : null;
        this.flights = local == null ? new ConcurrentHashMap<>() : local.asyncLoads();
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
        Object found = inMemory.lookupOrCachedNull(key); // counts the hit or the miss
        if (found != null) {
            if (found != NullCaching.CACHED_NULL) {
                inMemory.refreshIfDue(key, k -> await(k, loader)); // with refreshAfterWrite, as get(key, loader)
            }
            return CompletableFuture.completedFuture(found == NullCaching.CACHED_NULL ? null : cast(found));
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
        // A failed load that returns all the same returned a stale value (staleIfError): the callers get it.
        AtomicReference<@Nullable V> stale = new AtomicReference<>();
        try {
            flights.computeIfPresent(key, (k, flight) -> {
                if (flight != shared) {
                    return flight;
                }
                V served = inMemory.loadAfterMiss(k, unused -> {
                    if (cause != null) {
                        throw new LoadFailure(cause);
                    }
                    return value;
                });
                if (cause != null) {
                    stale.set(served);
                }
                return null;
            });
        } catch (LoadFailure counted) {
            flights.remove(key, shared);
        } catch (RuntimeException | Error e) { // the copier or weigher rejected the value: the load fails
            flights.remove(key, shared);
            shared.completeExceptionally(cause != null ? cause : e);
            return;
        }
        V staleValue = stale.get();
        if (cause != null && staleValue == null) {
            shared.completeExceptionally(cause);
        } else {
            shared.complete(cause != null ? staleValue : value);
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

    @SuppressWarnings("unchecked") // a value the cache holds for a key of this cache
    private V cast(Object found) {
        return (V) found;
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
                // A write since (or a later put) removed this put's entry; a load registered after the removal below
                // has its own entry removed by the cache's put, so it cannot store over this value.
                if (flights.remove(key, shared)) {
                    cache.put(key, value);
                }
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
        return cache;
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
}
