package dev.cachet;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A function whose results are remembered, like Python's {@code functools.lru_cache}: built by {@link
 * Cachet#memoize(Function, long)}, or under a name with metrics by {@link Cachet#memoize(String, Function, long)}. Arguments are compared by value: arrays, lists, sets and maps by their contents
 * (copied when remembered, so mutating an argument afterwards does not disturb the memo). Results are copied
 * defensively like any cached value, and a {@code null} result is remembered too.
 *
 * <p>Concurrent calls with the same argument run the function once. The function may call its own memoised self
 * with other arguments (recursive memoisation); calling itself with the same argument is a cycle and fails at once
 * with {@link IllegalStateException}.
 *
 * <p>Thread-safe.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
public interface Memoized<T extends @Nullable Object, R extends @Nullable Object> extends Function<T, R> {

    /**
     * Returns the remembered result for {@code argument}, or computes and remembers it.
     *
     * @param argument may be null; {@code null} is a valid argument
     */
    @Override
    R apply(T argument);

    /** Returns the hits, misses, bound and current size, like {@code cache_info()}. */
    MemoStats stats();

    /** Forgets every remembered result and resets the statistics, like {@code cache_clear()}. */
    void clear();
}
