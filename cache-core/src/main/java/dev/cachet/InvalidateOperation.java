package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code @CacheInvalidate} method, parsed and checked.
 *
 * @param method the interface method, accessible
 * @param description the method as messages name it
 * @param cacheName the cache it removes entries from
 * @param allEntries whether it empties the cache instead of removing keys
 * @param keyParameters the indexes of the parameters that form the key, in order; empty with {@code allEntries}
 * @param keyPrefixes the identities of the {@code @Cached} methods whose entries it removes when they share the cache;
 *     empty when keys are not prefixed
 * @param awaitsFuture whether the method returns a future whose normal completion triggers the invalidation
 */
record InvalidateOperation(
        Method method,
        String description,
        String cacheName,
        boolean allEntries,
        List<Integer> keyParameters,
        List<String> keyPrefixes,
        boolean awaitsFuture)
        implements Operation {

    InvalidateOperation {
        requireNonNull(method, "method");
        requireNonNull(description, "description");
        requireNonNull(cacheName, "cacheName");
        keyParameters = List.copyOf(keyParameters);
        keyPrefixes = List.copyOf(keyPrefixes);
    }

    /** Returns the keys to remove after a call with {@code arguments}; empty with {@code allEntries}. */
    List<Object> keys(Object[] arguments) {
        if (allEntries) {
            return List.of();
        }
        if (keyPrefixes.isEmpty()) {
            return List.of(ArgumentKeys.of(keyParameters, arguments, Optional.empty()));
        }
        List<Object> keys = new ArrayList<>(keyPrefixes.size());
        for (String prefix : keyPrefixes) {
            keys.add(ArgumentKeys.of(keyParameters, arguments, Optional.of(prefix)));
        }
        return keys;
    }
}
