package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.MemoizedFunction;
import dev.cachet.internal.MemoizedTwoArgFunction;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Where every Cachet cache starts.
 *
 * <pre>{@code
 * Cache<String, Quote> quotes = Cachet.builder("quotes")
 *         .maximumSize(10_000)
 *         .expireAfterWrite(Duration.ofSeconds(30))
 *         .build();
 * Memoized<Integer, BigInteger> fib = Cachet.memoize(this::slowFibonacci, 1_024);
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
    public static <T, R> Memoized<T, R> memoize(Function<? super T, ? extends R> function, long maximumSize) {
        return memoize(function, maximumSize, Copier.defensive());
    }

    /**
     * Memoises {@code function} like {@link #memoize(Function, long)}, copying results with {@code copier} ({@link
     * Copier#identity()} for immutable result types the default copier does not recognise).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public static <T, R> Memoized<T, R> memoize(
            Function<? super T, ? extends R> function, long maximumSize, Copier<R> copier) {
        requireNonNull(function, "function");
        requireNonNull(copier, "copier");
        return new MemoizedFunction<>(function, maximumSize, copier);
    }

    /**
     * Memoises a two-argument {@code function}, keyed on both arguments by value, remembering up to {@code
     * maximumSize} results. Results are copied with {@link Copier#defensive()}.
     *
     * @throws NullPointerException if {@code function} is null
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public static <T, U, R> MemoizedBiFunction<T, U, R> memoize(
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
    public static <T, U, R> MemoizedBiFunction<T, U, R> memoize(
            BiFunction<? super T, ? super U, ? extends R> function, long maximumSize, Copier<R> copier) {
        requireNonNull(function, "function");
        requireNonNull(copier, "copier");
        return new MemoizedTwoArgFunction<>(function, maximumSize, copier);
    }
}
