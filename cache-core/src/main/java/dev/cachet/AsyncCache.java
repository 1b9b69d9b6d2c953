package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Cache} whose reads and loads return {@link CompletableFuture}s; built with {@link
 * CacheBuilder#buildAsync()}, modelled on Caffeine's {@code AsyncCache}. It is a view of the very cache {@link
 * CacheBuilder#build()} builds (in memory, remote or near), so everything that holds for that cache holds here:
 * single flight within the process and, on a remote tier, across processes; copies; statistics, metrics and the
 * hit-ratio warning (read them through {@link #synchronous()}).
 *
 * <pre>{@code
 * AsyncCache<String, Quote> quotes = Cachet.builder("quotes")
 *         .expireAfterWrite(Duration.ofSeconds(30))
 *         .buildAsync();
 * CompletableFuture<Quote> quote = quotes.get("AAPL", exchange::fetchQuote);
 * }</pre>
 *
 * <p><b>Threads.</b> A {@link Function} loader runs on the cache's executor ({@link CacheBuilder#executor}, else the
 * common fork-join pool). Every step that may touch a remote tier runs on that executor too, never on the caller's
 * thread; an in-memory cache answers a hit on the caller's thread with a completed future.
 *
 * <p><b>Loads.</b> Concurrent callers that miss the same key share one load. Each caller gets a future of its own:
 * cancelling it (or completing it) does not cancel the shared load nor disturb the other callers. A load that fails
 * (the loader throws, returns a {@code null} future, or its future fails) caches nothing, and its exception reaches
 * every caller that shared it, unchanged when it is unchecked; the next call loads again. A load that yields
 * {@code null} completes its callers' futures with {@code null} and caches nothing.
 *
 * <p><b>Nulls.</b> Keys, loaders and futures passed in are never {@code null}; passing one throws {@link
 * NullPointerException} naming the argument.
 *
 * <p><b>Thread safety.</b> All implementations are safe for concurrent use by any number of threads.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface AsyncCache<K, V> {

    /**
     * Returns an asynchronous view of {@code cache}, running loaders and remote-tier I/O on {@code executor}. The view
     * adds no storage: values, statistics and registry entry stay those of {@code cache}.
     *
     * @throws NullPointerException if an argument is null
     */
    static <K, V> AsyncCache<K, V> of(Cache<K, V> cache, Executor executor) {
        return new AsyncCacheView<>(requireNonNull(cache, "cache"), requireNonNull(executor, "executor"));
    }

    /** Returns the name of the cache underneath. */
    String name();

    /**
     * Returns a future of the value for {@code key}, loading it with {@code loader} on the cache's executor if absent
     * or expired. The loader runs at most once per key at a time in this process; concurrent callers share its
     * result, each through a future of its own.
     *
     * @return a future that completes with the cached or loaded value ({@code null} only when the loader returned
     *     {@code null}), or fails with the loader's exception
     * @throws NullPointerException if {@code key} or {@code loader} is null
     */
    CompletableFuture<@Nullable V> get(K key, Function<? super K, ? extends @Nullable V> loader);

    /**
     * Returns a future of the value for {@code key}, loading it with the future {@code loader} returns if absent or
     * expired. The loader is given the key and the cache's executor. It is called at most once per key at a time in
     * this process, on the caller's thread for an in-memory cache and on the executor for a cache with a remote tier.
     * On a remote tier the loaded value is stored through the cache's own load path (lease, fence and cross-process
     * lock apply), which keeps one executor thread waiting for the loader's future.
     *
     * @return a future that completes with the cached or loaded value, or fails with the exception the loader threw,
     *     the exception its future failed with, or a {@link NullPointerException} if it returned a {@code null} future
     * @throws NullPointerException if {@code key} or {@code loader} is null
     */
    CompletableFuture<@Nullable V> get(
            K key, BiFunction<? super K, ? super Executor, ? extends CompletableFuture<? extends @Nullable V>> loader);

    /**
     * Returns a future of the value for {@code key} if it is present or being loaded, else {@code null}. Never loads.
     * An in-memory cache knows at once whether the key is present; a cache with a remote tier knows only after a
     * round trip, which runs on the executor, so it always returns a future, completed with {@code null} when the
     * key is absent.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Nullable
    CompletableFuture<@Nullable V> getIfPresent(K key);

    /**
     * Returns a future of the values of all {@code keys}, loading the absent ones with one call of {@code bulkLoader}
     * on the executor; the same contract as {@link Cache#getAll}.
     *
     * @return a future of an unmodifiable map in the iteration order of {@code keys}
     * @throws NullPointerException if {@code keys}, a key or {@code bulkLoader} is null
     */
    CompletableFuture<Map<K, V>> getAll(
            Iterable<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

    /**
     * Stores the value of {@code valueFuture} for {@code key} once it completes normally, as {@link Cache#put} does;
     * a future that fails, or completes with {@code null}, stores nothing. A load of the key that is in flight when
     * this method is called will not store its result over it. In an in-memory cache, calls that ask for the key
     * meanwhile get the value of {@code valueFuture}.
     *
     * @throws NullPointerException if {@code key} or {@code valueFuture} is null
     */
    void put(K key, CompletableFuture<? extends V> valueFuture);

    /**
     * Returns the cache underneath as a {@link Cache}: its reads and loads block the caller. Its writes and
     * invalidations also stop this view's loads in flight from storing their results. (In memory, a load in flight in
     * this view keeps a value put through any other reference to the cache, but an invalidation made through another
     * reference does not stop it from storing; with a remote tier, every write fences the load, as in {@link Cache}.)
     */
    Cache<K, V> synchronous();
}
