package dev.cachet;

import dev.cachet.internal.method.MemoKey;
import java.util.List;
import java.util.Optional;

/**
 * Makes cache keys from a call's arguments, by value ({@link MemoKey}): no selected argument gives one constant key,
 * one gives that argument itself (frozen: an array becomes its contents), several give an immutable list. A key
 * prefix (the method's identity) keeps apart the entries of methods that share a cache.
 */
final class ArgumentKeys {

    /** The key of a method whose key has no arguments. */
    enum NoArguments {
        KEY;

        @Override
        public String toString() {
            return "()";
        }
    }

    /**
     * A key of a method that shares its cache with other methods.
     *
     * @param method the method's identity, with fully qualified names
     * @param arguments the key made of its arguments
     */
    record Prefixed(String method, Object arguments) {}

    private ArgumentKeys() {}

    /**
     * Returns the key of the {@code parameters} of {@code arguments}, prefixed if {@code prefix} is present.
     *
     * @throws IllegalArgumentException if an argument is nested too deeply to be a key
     */
    static Object of(List<Integer> parameters, Object[] arguments, Optional<String> prefix) {
        Object key;
        if (parameters.isEmpty()) {
            key = NoArguments.KEY;
        } else if (parameters.size() == 1) {
            key = MemoKey.ofArguments(new Object[] {arguments[parameters.get(0)]})
                    .get(0);
        } else {
            Object[] selected = new Object[parameters.size()];
            for (int i = 0; i < selected.length; i++) {
                selected[i] = arguments[parameters.get(i)];
            }
            key = MemoKey.ofArguments(selected);
        }
        return prefix.<Object>map(method -> new Prefixed(method, key)).orElse(key);
    }
}
