package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Proxy;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Creates the caching proxies behind {@code Cachet.proxy}. Internal: not API.
 *
 * <p>Creating a proxy reads the interface's annotations (once per interface), checks them, and resolves every cache
 * its methods name, so that a proxy that was created never fails a call for a configuration reason. A cache registered
 * under the name is used as it is, whatever its tier, if the annotation's explicit settings agree with it; otherwise
 * the proxy builds one with the annotation's settings and registers it. Caches are resolved now, once: a cache
 * registered later does not replace the one a proxy already holds (and building it then fails, since the name is
 * taken). Keys of a cache with a remote tier go through a {@link RemoteKeyedCache}.
 */
final class CachingProxy {
    /** The fingerprint options of a cache's remote tier and its config, as {@link CacheBuilder} records them. */
    private static final String REMOTE_TIER = "remote tier";

    private static final String REMOTE_CONFIG = "remote config";

    private CachingProxy() {}

    /**
     * Returns a proxy of {@code target} that implements {@code type} and caches as its annotations say, with its
     * caches in {@code registry}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code type} is not an interface, {@code target} does not implement it, an
     *     annotation has a bad value, or a method's key cannot be a key of its cache's remote tier (the message names
     *     the method and the value)
     * @throws IllegalStateException if annotations conflict, or the explicit settings of an annotation differ from
     *     those of the cache registered under its name
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
        model.caches().forEach((name, definition) -> caches.put(name, resolve(registry, definition)));
        model.externalCaches().forEach((name, invalidation) -> caches.put(name, registered(registry, invalidation)));
        requireEncodableKeys(model, caches);
        CachingInvocationHandler handler = new CachingInvocationHandler(model, target, registry, caches);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** Returns the registered cache of {@code definition}'s name if its settings allow, or else builds it. */
    private static Cache<Object, Object> resolve(CacheRegistry registry, CachedOperation definition) {
        CacheSettings settings = definition.cache();
        String name = settings.name();
        Optional<CacheRegistry.Entry> entry = registry.entry(name);
        if (entry.isEmpty()) {
            try {
                Cache<Object, Object> built = settings.build(registry);
                registry.recordBuiltBy(name, built, "Cachet.proxy for " + definition.description());
                return built;
            } catch (IllegalStateException e) {
                // Another thread registered the name between the look-up and the build: judge that cache instead.
                entry = registry.entry(name);
                if (entry.isEmpty()) {
                    throw new IllegalStateException(definition.description() + ": " + e.getMessage(), e);
                }
            }
        }
        Cache<?, ?> registered = entry.get().cache();
        if (settings.hasSettings()) {
            Optional<String> difference = settings.firstDifference(registered.config());
            if (difference.isPresent()) {
                String builtBy = entry.get().builtBy() == null
                        ? ""
                        : " (built by " + entry.get().builtBy() + ")";
                throw new IllegalStateException(definition.description() + ": " + settings + " conflicts with the"
                        + " cache '" + name + "' registered in the proxy's registry" + builtBy + ": " + difference.get()
                        + "; settings in @Cached only build a cache when none is registered: remove them to use the"
                        + " registered cache as it is, or make them equal");
            }
        }
        return view(entry.get());
    }

    private static Cache<Object, Object> registered(CacheRegistry registry, InvalidateOperation invalidation) {
        return view(registry.entry(invalidation.cacheName())
                .orElseThrow(() -> new IllegalArgumentException(invalidation.description()
                        + ": @CacheInvalidate(name = \"" + invalidation.cacheName() + "\") names no cache: no method"
                        + " of " + invalidation.method().getDeclaringClass().getSimpleName() + " is @Cached(name = \""
                        + invalidation.cacheName() + "\") and the registry has no cache of that name; fix the name,"
                        + " or build the cache before creating the proxy")));
    }

    /** Returns the registered cache as the proxy uses it: through its remote tier's key encoder, if it has one. */
    @SuppressWarnings("unchecked") // the proxy's keys and values are whatever the methods take and return
    private static Cache<Object, Object> view(CacheRegistry.Entry entry) {
        Cache<Object, Object> cache = (Cache<Object, Object>) entry.cache();
        if (entry.fingerprint().valueOf(REMOTE_TIER) == null) {
            return cache;
        }
        // The key encoder the tier was configured with, or null for the default one.
        @Nullable
        Function<Object, String> encoder =
                entry.fingerprint().valueOf(REMOTE_CONFIG) instanceof RemoteConfig config ? config.keyEncoder() : null;
        return new RemoteKeyedCache(cache, encoder);
    }

    /**
     * Rejects now the methods whose key parameters can never be encoded by the default key encoder of their cache's
     * remote tier; a configured encoder is only known by what it does, so its refusals fail the call.
     */
    private static void requireEncodableKeys(InterfaceModel model, Map<String, Cache<Object, Object>> caches) {
        List<Operation> operations = model.operations().values().stream()
                .sorted(Comparator.comparing(operation -> OperationParser.identity(operation.method())))
                .toList();
        for (Operation operation : operations) {
            String cacheName;
            List<Integer> keys;
            String description;
            if (operation instanceof CachedOperation cached) {
                cacheName = cached.cache().name();
                keys = cached.keyParameters();
                description = cached.description();
            } else if (operation instanceof InvalidateOperation invalidate) {
                cacheName = invalidate.cacheName();
                keys = invalidate.keyParameters();
                description = invalidate.description();
            } else {
                continue;
            }
            if (!(caches.get(cacheName) instanceof RemoteKeyedCache remote) || !remote.hasDefaultEncoder()) {
                continue;
            }
            Class<?>[] types = operation.method().getParameterTypes();
            for (int index : keys) {
                Class<?> type = types[index];
                if (!type.isPrimitive() && !RemoteKeyedCache.defaultEncoderMayTake(type)) {
                    throw new IllegalArgumentException(description + ": parameter " + (index + 1) + " ("
                            + type.getSimpleName() + ") cannot be part of a key of cache '" + cacheName + "': its"
                            + " remote tier's default key encoder takes " + RemoteKeyedCache.defaultEncodableTypes()
                            + "; select other parameters with @CacheKey, or give the cache a"
                            + " RemoteConfig.custom().keyEncoder(...)");
                }
            }
        }
    }
}
