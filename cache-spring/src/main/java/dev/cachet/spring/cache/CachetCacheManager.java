package dev.cachet.spring.cache;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheRegistry;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} over a Cachet {@link CacheRegistry}: every cache registered there (declared in
 * properties, created by {@code @Cached}, or built with {@code Cachet.builder(...).registry(registry)}) is a Spring
 * {@link Cache} by the same name, a {@link CachetSpringCache}. It creates no caches: {@link #getCache} of a name the
 * registry does not know returns {@code null}, so {@code @Cacheable("misspelt")} fails with Spring's "Cannot find
 * cache" instead of quietly creating an unbounded cache. Actuator's {@code caches} endpoint lists and clears these
 * caches. Thread-safe.
 */
public final class CachetCacheManager implements CacheManager {
    private final CacheRegistry registry;
    private final ConcurrentMap<String, CachetSpringCache> adapters = new ConcurrentHashMap<>();

    /**
     * Serves the caches of {@code registry}.
     *
     * @throws NullPointerException if {@code registry} is null
     */
    public CachetCacheManager(CacheRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    /** Returns the cache registered under {@code name}, or {@code null} if there is none. */
    @Override
    public @Nullable Cache getCache(String name) {
        Optional<dev.cachet.Cache<?, ?>> cache = registry.find(name);
        if (cache.isEmpty()) {
            adapters.remove(name);
            return null;
        }
        dev.cachet.Cache<?, ?> target = cache.get();
        // The registry may have replaced the cache (remove, then build again): adapt the current one.
        return adapters.compute(
                name,
                (key, adapter) -> adapter != null && adapter.getNativeCache() == target
                        ? adapter
                        : new CachetSpringCache(target));
    }

    /** Returns the names of the registered caches, sorted. */
    @Override
    public Collection<String> getCacheNames() {
        return new TreeSet<>(registry.names());
    }
}
