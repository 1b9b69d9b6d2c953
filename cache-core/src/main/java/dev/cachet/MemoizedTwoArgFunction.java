package dev.cachet;

import dev.cachet.internal.method.MemoKey;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A memoised two-argument function, keyed on both arguments by value. Thread-safe.
 *
 * @param <T> the first argument's type
 * @param <U> the second argument's type
 * @param <R> the result type
 */
final class MemoizedTwoArgFunction<T extends @Nullable Object, U extends @Nullable Object, R extends @Nullable Object>
        implements MemoizedBiFunction<T, U, R> {
    private final BiFunction<? super T, ? super U, ? extends R> function;
    private final MemoTable table;
    private final LocalCache<Object, Object> cache; // the table's: its store is the hit path, as in MemoizedFunction
    private final com.github.benmanes.caffeine.cache.Cache<Object, Object> store;

    /**
     * Memoises {@code function} in {@code table}, which holds its results only.
     */
    MemoizedTwoArgFunction(BiFunction<? super T, ? super U, ? extends R> function, MemoTable table) {
        this.function = function;
        this.table = table;
        this.cache = table.cache();
        this.store = cache.storeForLookups();
    }

    @Override
    public R apply(T first, U second) {
        Object key = MemoKey.of(first, second);
        Object stored = store.getIfPresent(key);
        if (stored == null) {
            stored = cache.loadAfterMiss(key, k -> MemoTable.wrap(function.apply(first, second)));
        } else {
            stored = cache.copyOfStored(stored);
        }
        @SuppressWarnings("unchecked") // the table holds only this function's results
        R result = (R) MemoTable.unwrap(stored);
        return result;
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
        return "MemoizedBiFunction[" + stats() + "]";
    }
}
