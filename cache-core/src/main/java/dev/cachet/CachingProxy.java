package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates the caching proxies behind {@code Cachet.proxy}. Internal: not API.
 *
 * <p>Creating a proxy reads the interface's annotations (once per interface), checks them, and builds or finds every
 * cache its methods name, so that a proxy that was created never fails a call for a configuration reason.
 */
final class CachingProxy {
    private CachingProxy() {}

    /**
     * Returns a proxy of {@code target} that implements {@code type} and caches as its annotations say, with its
     * caches in {@code registry}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code type} is not an interface, {@code target} does not implement it, or
     *     an annotation has a bad value (the message names the method and the value)
     * @throws IllegalStateException if annotations conflict, or a cache name is registered with other settings
     */
    public static <T> T create(Class<T> type, T target, CacheRegistry registry) {
        requireNonNull(type, "type");
        requireNonNull(target, "target");
        requireNonNull(registry, "registry");
        InterfaceModel model = OperationParser.modelOf(type);
        if (!type.isInstance(target)) {
            throw new IllegalArgumentException(
                    "target " + target.getClass().getName() + " does not implement " + type.getName());
        }
        Map<String, Cache<Object, Object>> caches = new LinkedHashMap<>();
        model.caches().forEach((name, definition) -> {
            try {
                caches.put(name, definition.cache().build(registry));
            } catch (IllegalStateException e) {
                throw new IllegalStateException(definition.description() + ": " + e.getMessage(), e);
            }
        });
        model.externalCaches().forEach((name, invalidation) -> caches.put(name, registered(registry, invalidation)));
        CachingInvocationHandler handler = new CachingInvocationHandler(model, target, registry, caches);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    @SuppressWarnings("unchecked") // only invalidate() is called on it, which accepts any key
    private static Cache<Object, Object> registered(CacheRegistry registry, InvalidateOperation invalidation) {
        return (Cache<Object, Object>) registry.find(invalidation.cacheName())
                .orElseThrow(() -> new IllegalArgumentException(invalidation.description()
                        + ": @CacheInvalidate(name = \"" + invalidation.cacheName() + "\") names no cache: no method"
                        + " of " + invalidation.method().getDeclaringClass().getSimpleName() + " is @Cached(name = \""
                        + invalidation.cacheName() + "\") and the registry has no cache of that name; fix the name,"
                        + " or build the cache before creating the proxy"));
    }
}
