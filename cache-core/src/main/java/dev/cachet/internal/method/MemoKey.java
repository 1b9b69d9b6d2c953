package dev.cachet.internal.method;

import dev.cachet.internal.copy.Immutability;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns memoised-function arguments into cache keys that compare by value and cannot change afterwards: arrays become
 * lists of their (frozen) elements, and mutable lists, sets and maps are copied into unmodifiable ones that nobody
 * else holds. Immutable arguments are their own key. Other objects are used as they are, so their {@code equals} and
 * {@code hashCode} decide, and they must not be mutated while remembered.
 *
 * <p>Used by memoised functions and {@code Cachet.proxy} in {@code dev.cachet}, and by cache-spring's method keys
 * ({@link #ofArguments}), so that every way of caching a method keys its arguments alike.
 */
public final class MemoKey {
    /** Stands for a {@code null} argument or result, which Caffeine cannot hold. */
    enum Null {
        INSTANCE
    }

    /** Two arguments as one key. */
    record Pair(Object first, Object second) {}

    /** An array argument: its component type and its elements, so {@code int[]{1}} and {@code long[]{1}} differ. */
    record ArrayKey(Class<?> componentType, List<Object> elements) {}

    /** Stands for a {@code null} argument or result, which Caffeine cannot hold; compare by identity. */
    public static final Object NULL = Null.INSTANCE;

    private static final int MAX_DEPTH = 64;

    private MemoKey() {}

    /** Returns the key of a one-argument memoised function's argument. */
    public static Object of(Object argument) {
        return freeze(argument, 0);
    }

    /** Returns the key of a two-argument memoised function's arguments. */
    public static Object of(Object first, Object second) {
        return new Pair(freeze(first, 0), freeze(second, 0));
    }

    /**
     * Returns the arguments of one call as a value key: an unmodifiable list of each argument frozen like a memoised
     * function's argument ({@code null} elements become a marker).
     *
     * @throws IllegalArgumentException if an argument is nested more than 64 levels deep (or cyclic)
     */
    public static List<Object> ofArguments(Object... arguments) {
        Object[] frozen = new Object[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            frozen[i] = freeze(arguments[i], 0);
        }
        return List.of(frozen);
    }

    private static Object freeze(Object value, int depth) {
        if (value == null) {
            return Null.INSTANCE;
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("memoised argument is nested more than " + MAX_DEPTH
                    + " levels deep (or cyclic): " + value.getClass().getName());
        }
        if (Immutability.isImmutable(value)) {
            return value;
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<Object> elements = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                elements.add(freeze(Array.get(value, i), depth + 1));
            }
            return new ArrayKey(value.getClass().getComponentType(), Collections.unmodifiableList(elements));
        }
        if (value instanceof List<?> list) {
            return Collections.unmodifiableList(freezeAll(list, new ArrayList<>(list.size()), depth));
        }
        if (value instanceof Set<?> set) {
            return Collections.unmodifiableSet(freezeAll(set, new LinkedHashSet<>(), depth));
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> frozen = new LinkedHashMap<>();
            map.forEach((k, v) -> frozen.put(freeze(k, depth + 1), freeze(v, depth + 1)));
            return Collections.unmodifiableMap(frozen);
        }
        return value;
    }

    private static <C extends Collection<Object>> C freezeAll(Collection<?> source, C target, int depth) {
        for (Object element : source) {
            target.add(freeze(element, depth + 1));
        }
        return target;
    }
}
