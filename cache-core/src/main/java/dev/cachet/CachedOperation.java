package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

/**
 * A {@code @Cached} method, parsed and checked.
 *
 * @param method the interface method, accessible
 * @param description the method as messages name it
 * @param cache the settings of its cache
 * @param keyParameters the indexes of the parameters that form the key, in order
 * @param keyPrefix the method's identity when its cache is shared with other methods, else empty
 * @param result how the result is cached
 */
record CachedOperation(
        Method method,
        String description,
        CacheSettings cache,
        List<Integer> keyParameters,
        Optional<String> keyPrefix,
        ResultKind result)
        implements Operation {

    CachedOperation {
        requireNonNull(method, "method");
        requireNonNull(description, "description");
        requireNonNull(cache, "cache");
        keyParameters = List.copyOf(keyParameters);
        requireNonNull(keyPrefix, "keyPrefix");
        requireNonNull(result, "result");
    }

    /** Returns the cache key of a call with {@code arguments}. */
    Object key(Object[] arguments) {
        return ArgumentKeys.of(keyParameters, arguments, keyPrefix);
    }
}
