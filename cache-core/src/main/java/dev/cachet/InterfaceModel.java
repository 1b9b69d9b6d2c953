package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a proxy needs to know about one interface, parsed once by {@link OperationParser}. Immutable.
 *
 * @param type the interface
 * @param operations what to do for each of its methods
 * @param caches the caches its {@code @Cached} methods use, by name (sorted), each with the first method that names it
 * @param externalCaches the caches its {@code @CacheInvalidate} methods name but no {@code @Cached} method declares, by
 *     name (sorted), each with the first method that names it; they must be registered when a proxy is created
 */
record InterfaceModel(
        Class<?> type,
        Map<Method, Operation> operations,
        Map<String, CachedOperation> caches,
        Map<String, InvalidateOperation> externalCaches) {

    InterfaceModel {
        requireNonNull(type, "type");
        operations = Map.copyOf(operations);
        caches = Collections.unmodifiableMap(new TreeMap<>(caches));
        externalCaches = Collections.unmodifiableMap(new TreeMap<>(externalCaches));
    }
}
