package dev.cachet;

import org.jspecify.annotations.Nullable;

/**
 * Makes the copies that keep cached values safe from callers: a cache copies a value when it is stored and again
 * each time it is returned, so that neither the writer (mutating its object after {@code put}) nor a reader (mutating
 * what {@code get} returned) can change what the cache holds.
 *
 * <p>The default is {@link #defensive()}. Choose {@link #identity()} for value types you know to be immutable, {@link
 * #serializing()} for mutable {@link java.io.Serializable} object graphs, or write a lambda ({@code Quote::copy}).
 *
 * <p>Implementations must be thread-safe and must return an object equal to their argument that shares no mutable
 * state with it (or the argument itself if it is immutable). A copier that throws makes the {@code put} or load fail
 * with that exception; what is already cached is not affected.
 *
 * @param <V> the type of values copied
 */
@FunctionalInterface
public interface Copier<V extends @Nullable Object> {

    /**
     * Returns a copy of {@code value} that shares no mutable state with it, or {@code value} itself if it is
     * immutable.
     *
     * @param value the value to copy, never null
     * @return the copy, never null
     */
    V copy(V value);

    /**
     * Returns the copier that copies nothing: for value types that are immutable. Caches built with it skip copying
     * entirely.
     */
    @SuppressWarnings("unchecked")
    static <V> Copier<V> identity() {
        return (Copier<V>) BuiltInCopier.IDENTITY;
    }

    /**
     * Returns the default copier. Immutable values pass through at no cost: {@code String}, boxed primitives, {@code
     * BigInteger}/{@code BigDecimal}, enums, {@code java.time} values, {@code UUID}, {@code Optional}s, records whose
     * components are all immutable, and the JDK's unmodifiable collections ({@code List.of}, {@code Map.copyOf}, …)
     * of immutable elements. Mutable JDK types are deep-copied into the same kind of object: arrays, {@code
     * ArrayList}, {@code LinkedList}, {@code HashMap}, {@code LinkedHashMap}, {@code TreeMap}, {@code HashSet}, {@code
     * LinkedHashSet}, {@code TreeSet}, {@code ArrayDeque}, {@code Date}, and the like.
     *
     * <p>Any other type is rejected with an {@link IllegalArgumentException} naming it when a value of that type is
     * first stored: Cachet cannot tell whether an arbitrary class is mutable, and silently sharing a mutable object
     * is the bug this copier exists to prevent. Declare such a type with {@link #identity()} if it is immutable, or
     * give a copier for it.
     *
     * @param <V> the type of values copied
     */
    @SuppressWarnings("unchecked")
    static <V> Copier<V> defensive() {
        return (Copier<V>) BuiltInCopier.DEFENSIVE;
    }

    /**
     * Returns a copier that deep-copies {@link java.io.Serializable} values through Java serialization, in memory.
     * Slow (microseconds per copy); meant for mutable object graphs without a copy method. Values are only ever read
     * back from bytes this copier itself wrote in the same process.
     *
     * @param <V> the type of values copied
     */
    @SuppressWarnings("unchecked")
    static <V> Copier<V> serializing() {
        return (Copier<V>) BuiltInCopier.SERIALIZING;
    }
}
