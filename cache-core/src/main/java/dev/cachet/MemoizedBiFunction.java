package dev.cachet;

import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A two-argument function whose results are remembered, keyed on both arguments by value; built by {@link
 * Cachet#memoize(BiFunction, long)}. Everything said of {@link Memoized} holds.
 *
 * <p>Thread-safe.
 *
 * @param <T> the first argument's type
 * @param <U> the second argument's type
 * @param <R> the result type
 */
public interface MemoizedBiFunction<T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
        extends BiFunction<T, U, R> {

    /** Returns the remembered result for the two arguments, or computes and remembers it. */
    @Override
    R apply(T first, U second);

    /** Returns the hits, misses, bound and current size, like {@code cache_info()}. */
    MemoStats stats();

    /** Forgets every remembered result and resets the statistics, like {@code cache_clear()}. */
    void clear();
}
