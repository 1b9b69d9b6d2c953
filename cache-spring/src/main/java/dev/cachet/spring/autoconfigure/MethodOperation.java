package dev.cachet.spring.autoconfigure;

import static java.util.Objects.requireNonNull;

import dev.cachet.Cache;
import java.lang.reflect.Method;

/** What the {@code @Cached} advice does for one method of a bean class, parsed and checked once. Immutable. */
sealed interface MethodOperation permits MethodOperation.Cached, MethodOperation.Invalidate {

    /** Returns the method as messages name it: {@code PriceService.price(String)}. */
    String description();

    /** Returns the cache's name. */
    String cacheName();

    /** How a {@code @Cached} method's result is cached, decided by its declared return type. */
    enum ResultKind {
        /** Cached as it is; {@code null} is returned but not cached. */
        VALUE,
        /** An {@code Optional}: its content is cached; empty is not cached. */
        OPTIONAL
    }

    /**
     * A {@code @Cached} method.
     *
     * @param method the bean class's method
     * @param description the method as messages name it
     * @param cache the cache, built or found when the bean was proxied
     * @param key how the key is made from the arguments
     * @param result how the result is cached
     */
    record Cached(Method method, String description, Cache<Object, Object> cache, MethodKey key, ResultKind result)
            implements MethodOperation {

        public Cached {
            requireNonNull(method, "method");
            requireNonNull(description, "description");
            requireNonNull(cache, "cache");
            requireNonNull(key, "key");
            requireNonNull(result, "result");
        }

        @Override
        public String cacheName() {
            return cache.name();
        }
    }

    /**
     * A {@code @CacheInvalidate} method. Its cache is looked up by name at each call, since the bean that declares it
     * may be created after this one; a name that no cache has fails the startup.
     *
     * @param method the bean class's method
     * @param description the method as messages name it
     * @param cacheName the cache it removes entries from
     * @param allEntries whether it empties the cache instead of removing one key
     * @param key how the key is made from the arguments; unused with {@code allEntries}
     */
    record Invalidate(Method method, String description, String cacheName, boolean allEntries, MethodKey key)
            implements MethodOperation {

        public Invalidate {
            requireNonNull(method, "method");
            requireNonNull(description, "description");
            requireNonNull(cacheName, "cacheName");
            requireNonNull(key, "key");
        }
    }
}
