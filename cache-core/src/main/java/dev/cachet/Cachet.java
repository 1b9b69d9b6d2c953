package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where every Cachet cache starts.
 *
 * <pre>{@code
 * Cache<String, Quote> quotes = Cachet.builder("quotes")
 *         .maximumSize(10_000)
 *         .expireAfterWrite(Duration.ofSeconds(30))
 *         .build();
 * Memoized<Integer, BigInteger> fib = Cachet.memoize("fib", this::slowFibonacci, 1_024);
 * }</pre>
 *
 * <p>All methods are thread-safe.
 */
public final class Cachet {
    private Cachet() {}

    /**
     * Starts configuring a cache.
     *
     * @param name the cache's name, used by metrics, logs and the {@link CacheRegistry}; not blank
     * @throws NullPointerException if {@code name} is null
     */
    public static CacheBuilder<Object, Object> builder(String name) {
        return new CacheBuilder<>(name);
    }

    /**
     * Memoises {@code function}, remembering up to {@code maximumSize} results (the least valuable are evicted
     * first). Results are copied with {@link Copier#defensive()}.
     *
     * @throws NullPointerException if {@code function} is null
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public static <T extends @Nullable Object, R extends @Nullable Object> Memoized<T, R> memoize(
            Function<? super T, ? extends R> function, long maximumSize) {
        return memoize(function, maximumSize, Copier.defensive());
    }

    /**
     * Memoises {@code function} like {@link #memoize(Function, long)}, copying results with {@code copier} ({@link
     * Copier#identity()} for immutable result types the default copier does not recognise).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public static <T extends @Nullable Object, R extends @Nullable Object> Memoized<T, R> memoize(
            Function<? super T, ? extends R> function, long maximumSize, Copier<R> copier) {
        requireNonNull(function, "function");
        requireNonNull(copier, "copier");
        return new MemoizedFunction<>(function, new MemoTable(maximumSize, copier));
    }

    /**
     * Memoises {@code function} like {@link #memoize(Function, long)}, under a name: the memo is registered in the
     * {@linkplain CacheRegistry#defaultRegistry() default registry}, so that {@link
     * dev.cachet.metrics.CachetMetrics#bindAll} publishes its meters tagged {@code cache=<name>}, and its low-hit-ratio
     * warnings name it. See {@link #memoize(String, Function, long, Copier, CacheRegistry)}.
     *
     * <pre>{@code
     * Memoized<Integer, BigInteger> fib = Cachet.memoize("fib", this::slowFibonacci, 1_024);
     * }</pre>
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function
     */
    public static <T extends @Nullable Object, R extends @Nullable Object> Memoized<T, R> memoize(
            String name, Function<? super T, ? extends R> function, long maximumSize) {
        return memoize(name, function, maximumSize, Copier.defensive(), CacheRegistry.defaultRegistry());
    }

    /**
     * Memoises {@code function} under a name in the default registry, like {@link #memoize(String, Function, long)},
     * copying results with {@code copier}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function
     */
    public static <T extends @Nullable Object, R extends @Nullable Object> Memoized<T, R> memoize(
            String name, Function<? super T, ? extends R> function, long maximumSize, Copier<R> copier) {
        return memoize(name, function, maximumSize, copier, CacheRegistry.defaultRegistry());
    }

    /**
     * Memoises {@code function} under a name in {@code registry} (a Spring application's, say, whose caches its
     * metrics auto-configuration publishes). The registry holds, under {@code name}, a {@link Cache} that reports
     * the memo's statistics, size and settings (so metrics bind it like any cache) and whose {@code invalidateAll()}
     * forgets every result; reading or writing it by key throws {@link UnsupportedOperationException}, since the
     * function is the way in.
     *
     * <p>As with caches, a name stands for one thing: memoising a registered name again with the same function
     * instance, size and copier returns a memo sharing the registered one's results; with another function (two
     * equal-looking lambdas are two functions), size or copier, or when a cache holds the name, it throws {@link
     * IllegalStateException} naming what differs. {@link CacheRegistry#remove} frees the name.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function, size
     *     or copier
     */
    public static <T extends @Nullable Object, R extends @Nullable Object> Memoized<T, R> memoize(
            String name,
            Function<? super T, ? extends R> function,
            long maximumSize,
            Copier<R> copier,
            CacheRegistry registry) {
        requireNonNull(function, "function");
        requireNonNull(copier, "copier");
        requireNonNull(registry, "registry");
        MemoTable table = MemoTable.registered(registry, name, "memoized function", function, maximumSize, copier);
        return new MemoizedFunction<>(function, table);
    }

    /**
     * Memoises a two-argument {@code function}, keyed on both arguments by value, remembering up to {@code
     * maximumSize} results. Results are copied with {@link Copier#defensive()}.
     *
     * @throws NullPointerException if {@code function} is null
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public static <T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
            MemoizedBiFunction<T, U, R> memoize(
                    BiFunction<? super T, ? super U, ? extends R> function, long maximumSize) {
        return memoize(function, maximumSize, Copier.defensive());
    }

    /**
     * Memoises a two-argument {@code function} like {@link #memoize(BiFunction, long)}, copying results with {@code
     * copier}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public static <T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
            MemoizedBiFunction<T, U, R> memoize(
                    BiFunction<? super T, ? super U, ? extends R> function, long maximumSize, Copier<R> copier) {
        requireNonNull(function, "function");
        requireNonNull(copier, "copier");
        return new MemoizedTwoArgFunction<>(function, new MemoTable(maximumSize, copier));
    }

    /**
     * Memoises a two-argument {@code function} under a name in the default registry, as {@link #memoize(String,
     * Function, long)} does a one-argument one.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function
     */
    public static <T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
            MemoizedBiFunction<T, U, R> memoize(
                    String name, BiFunction<? super T, ? super U, ? extends R> function, long maximumSize) {
        return memoize(name, function, maximumSize, Copier.defensive(), CacheRegistry.defaultRegistry());
    }

    /**
     * Memoises a two-argument {@code function} under a name in the default registry, copying results with {@code
     * copier}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function
     */
    public static <T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
            MemoizedBiFunction<T, U, R> memoize(
                    String name,
                    BiFunction<? super T, ? super U, ? extends R> function,
                    long maximumSize,
                    Copier<R> copier) {
        return memoize(name, function, maximumSize, copier, CacheRegistry.defaultRegistry());
    }

    /**
     * Memoises a two-argument {@code function} under a name in {@code registry}, as {@link #memoize(String, Function,
     * long, Copier, CacheRegistry)} does a one-argument one.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code maximumSize} negative
     * @throws IllegalStateException if {@code name} is registered to a cache, or to a memo of another function, size
     *     or copier
     */
    public static <T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
            MemoizedBiFunction<T, U, R> memoize(
                    String name,
                    BiFunction<? super T, ? super U, ? extends R> function,
                    long maximumSize,
                    Copier<R> copier,
                    CacheRegistry registry) {
        requireNonNull(function, "function");
        requireNonNull(copier, "copier");
        requireNonNull(registry, "registry");
        MemoTable table =
                MemoTable.registered(registry, name, "memoized two-argument function", function, maximumSize, copier);
        return new MemoizedTwoArgFunction<>(function, table);
    }

    /**
     * Returns a proxy of {@code target} that caches as the annotations of interface {@code type} say ({@link
     * dev.cachet.annotation.Cached @Cached}, {@link dev.cachet.annotation.CacheInvalidate @CacheInvalidate}, {@link
     * dev.cachet.annotation.CacheKey @CacheKey}), with its caches in the {@linkplain CacheRegistry#defaultRegistry()
     * default registry}. No framework is involved: the proxy is a {@link java.lang.reflect.Proxy}.
     *
     * <pre>{@code
     * PriceService prices = Cachet.proxy(PriceService.class, new RealPriceService());
     * }</pre>
     *
     * <p>The interface is checked and every cache it names is resolved now, so a mistake fails here rather than at a
     * call. A cache already registered under the name is used as it is, whatever its tier: to put {@code @Cached} in
     * front of a Redis or near cache, build that cache first and leave the annotation's settings at their defaults.
     *
     * <pre>{@code
     * Cachet.builder("prices").expireAfterWrite(Duration.ofMinutes(5)).remote(redis, Codec.json(Price.class)).build();
     * PriceService prices = Cachet.proxy(PriceService.class, new RealPriceService()); // @Cached(name = "prices")
     * }</pre>
     *
     * <p>When no cache of that name is registered, the proxy builds an in-memory one with the annotation's settings
     * and registers it. Caches are resolved once, here: a cache registered later is not seen by this proxy, and
     * building one under a name the proxy already registered fails; register caches before creating proxies. Methods
     * without annotations call the target directly; {@code equals} and {@code hashCode} compare proxies by interface,
     * target and registry, and {@code toString} says it is a Cachet proxy of the target. The proxy is thread-safe if
     * the target is. See {@link dev.cachet.annotation} for how keys, results and exceptions are handled, and {@link
     * dev.cachet.annotation.Cached} for settings and the keys of caches with a remote tier.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code type} is not an interface, an annotation has a bad value, or a key
     *     parameter can never be encoded by the default key encoder of its cache's remote tier; the message names the
     *     method, as in {@code PriceService.price(String, Currency)}, and the value
     * @throws IllegalStateException if annotations conflict (one cache name with different settings), or an
     *     annotation's explicit settings differ from those of the cache registered under its name
     */
    public static <T> T proxy(Class<T> type, T target) {
        return proxy(type, target, CacheRegistry.defaultRegistry());
    }

    /**
     * Returns a caching proxy like {@link #proxy(Class, Object)}, with its caches in {@code registry} (tests, or
     * components that keep their caches apart).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code type} is not an interface, an annotation has a bad value, or a key
     *     cannot be encoded by its cache's remote tier
     * @throws IllegalStateException if annotations conflict, or an annotation's explicit settings differ from those of
     *     the cache registered in {@code registry} under its name
     */
    public static <T> T proxy(Class<T> type, T target, CacheRegistry registry) {
        return CachingProxy.create(type, target, registry);
    }
}
