package dev.cachet.spring.autoconfigure;

import dev.cachet.Cache;
import dev.cachet.spring.autoconfigure.CachetProperties.CacheDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The caches declared under {@code cachet.caches}, built when this bean is created so that a wrong property fails the
 * startup. Beans that look caches up by name (the CacheManager, the {@code @Cached} advice) depend on it, so the
 * declared caches are registered before anyone can ask for one. Immutable.
 */
final class DeclaredCaches {
    private final Map<String, Cache<Object, Object>> caches;

    DeclaredCaches(CachetProperties properties, CacheFactory factory) {
        Map<String, Cache<Object, Object>> built = new LinkedHashMap<>();
        for (Map.Entry<String, CacheDefinition> entry : properties.caches().entrySet()) {
            built.put(entry.getKey(), factory.declared(entry.getKey(), entry.getValue()));
        }
        this.caches = Map.copyOf(built);
    }

    /** Returns the names of the declared caches. */
    Set<String> names() {
        return caches.keySet();
    }
}
