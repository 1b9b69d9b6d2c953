package dev.cachet;

import dev.cachet.internal.copy.Immutability;
import dev.cachet.internal.method.MemoKey;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A memoised one-argument function. Thread-safe.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
final class MemoizedFunction<T extends @Nullable Object, R extends @Nullable Object> implements Memoized<T, R> {
    private final Function<? super T, ? extends R> function;
    private final MemoTable table;
    private final LocalCache<Object, Object> cache; // the table's, held directly: one call less on the miss path
    private final com.github.benmanes.caffeine.cache.Cache<Object, Object> store; // the hit path: Caffeine itself
    private @Nullable Class<?> immutableArgumentType; // see keyOf

    /**
     * Memoises {@code function} in {@code table}, which holds its results only.
     */
    MemoizedFunction(Function<? super T, ? extends R> function, MemoTable table) {
        this.function = function;
        this.table = table;
        this.cache = table.cache();
        this.store = cache.storeForLookups();
    }

    @Override
    public R apply(T argument) {
        Object key = argument != null && argument.getClass() == immutableArgumentType ? argument : keyOf(argument);
        Object stored = store.getIfPresent(key);
        if (stored == null) {
            // Straight to the cache with a named loader: a recursive memoised function spends a few stack frames per
            // level here, and fewer frames mean deeper recursion on a default-size thread stack.
            stored = cache.loadAfterMiss(key, new Call<>(function, argument));
        } else {
            stored = cache.copyOfStored(stored);
        }
        @SuppressWarnings("unchecked") // the table holds only this function's results
        R result = (R) MemoTable.unwrap(stored);
        return result;
    }

    /** One call of the function, as the loader of its memo entry. */
    private record Call<T, R>(Function<? super T, ? extends R> function, T argument)
            implements Function<Object, Object> {
        @Override
        public Object apply(Object key) {
            return MemoTable.wrap(function.apply(argument));
        }
    }

    /**
     * Makes the key of an argument. Most memoised functions see one argument type; once it proves always immutable
     * (so its own equals and hashCode are the key), a class comparison replaces this on the hit path.
     */
    private Object keyOf(T argument) {
        if (argument != null && Immutability.isAlwaysImmutable(argument.getClass())) {
            if (immutableArgumentType == null) {
                immutableArgumentType = argument.getClass(); // written once, a benign race, as in LocalCache.copy
            }
            return argument;
        }
        return MemoKey.of(argument);
    }

    @Override
    public MemoStats stats() {
        return table.memoStats();
    }

    @Override
    public void clear() {
        table.clear();
    }

    @Override
    public String toString() {
        return "Memoized[" + stats() + "]";
    }
}
