package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Caches by name: how metrics, annotations and the Spring integration find them. {@link CacheBuilder#build()}
 * registers each cache it builds; building a name that is taken returns the registered cache when the settings are
 * equal and throws {@link IllegalStateException} when they differ, so two parts of an application can never end up
 * with two different caches under one name.
 *
 * <p>There is one {@linkplain #defaultRegistry() default registry}; give a builder {@linkplain #create() its own}
 * (tests, or several independent components in one JVM) with {@link CacheBuilder#registry(CacheRegistry)}.
 *
 * <p>Thread-safe.
 */
public final class CacheRegistry {
    private static final CacheRegistry DEFAULT = new CacheRegistry();

    private final ConcurrentHashMap<String, Entry> caches = new ConcurrentHashMap<>();
    private final List<Consumer<? super Cache<?, ?>>> listeners = new CopyOnWriteArrayList<>();

    private record Entry(CacheConfig config, List<Object> fingerprint, Cache<?, ?> cache) {}

    private CacheRegistry() {}

    /** Returns a new, empty registry. */
    public static CacheRegistry create() {
        return new CacheRegistry();
    }

    /** Returns the registry builders use unless given another. */
    public static CacheRegistry defaultRegistry() {
        return DEFAULT;
    }

    /**
     * Returns the cache registered under {@code name}, if any.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public Optional<Cache<?, ?>> find(String name) {
        Entry entry = caches.get(requireNonNull(name, "name"));
        return entry == null ? Optional.empty() : Optional.of(entry.cache());
    }

    /** Returns a snapshot of the registered names. */
    public Set<String> names() {
        return Set.copyOf(caches.keySet());
    }

    /** Returns a snapshot of the registered caches. */
    public Collection<Cache<?, ?>> caches() {
        return caches.values().stream().<Cache<?, ?>>map(Entry::cache).toList();
    }

    /**
     * Forgets the cache registered under {@code name} (the cache itself keeps working); a later build of that name
     * creates a new cache.
     *
     * @return true if a cache was registered under that name
     */
    public boolean remove(String name) {
        return caches.remove(requireNonNull(name, "name")) != null;
    }

    /**
     * Calls {@code listener} with every cache registered from now on, on the registering thread (metrics binders use
     * this). A listener that throws makes that {@code build()} fail.
     */
    public void onRegistration(Consumer<? super Cache<?, ?>> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    @SuppressWarnings("unchecked")
    <C extends Cache<?, ?>> C getOrCreate(CacheConfig config, List<Object> fingerprint, Supplier<C> factory) {
        boolean[] created = {false};
        Entry entry = caches.computeIfAbsent(config.name(), name -> {
            created[0] = true;
            return new Entry(config, fingerprint, factory.get());
        });
        if (!created[0]
                && !(entry.config().equals(config) && entry.fingerprint().equals(fingerprint))) {
            throw new IllegalStateException("a cache named '" + config.name()
                    + "' is already registered with other settings: registered " + entry.config() + " "
                    + entry.fingerprint() + ", requested " + config + " " + fingerprint
                    + "; use another name, the same settings, or another CacheRegistry");
        }
        if (created[0]) {
            listeners.forEach(listener -> listener.accept(entry.cache()));
        }
        return (C) entry.cache();
    }
}
