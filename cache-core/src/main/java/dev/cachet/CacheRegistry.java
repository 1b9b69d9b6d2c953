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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caches by name: how metrics, annotations and the Spring integration find them. {@link CacheBuilder#build()}
 * registers each cache it builds; building a name that is taken returns the registered cache when the settings are
 * equal and throws {@link IllegalStateException} naming the setting that differs when they do not, so two parts of
 * an application can never end up with two different caches under one name. Value settings (sizes, durations, the
 * {@link RemoteConfig}) compare by {@code equals}; functional ones (ticker, executor, copier, listeners, weigher,
 * remote tier, codec) by identity: build a name twice with the same instances, not two equal-looking lambdas.
 * {@code Cachet.proxy} takes the cache registered under an annotation's name as it is, whatever its tier, and builds
 * one only when none is registered: register caches before creating the proxies that use them.
 *
 * <p>A cache is built outside any lock the registry holds, so a slow build (a near cache connecting to Redis) never
 * holds up other names. When two threads build one name at once, both build, the first to register wins, and the
 * other's cache is released and discarded; registration listeners hear of the winner only.
 *
 * <p>There is one {@linkplain #defaultRegistry() default registry}; give a builder {@linkplain #create() its own}
 * (tests, or several independent components in one JVM) with {@link CacheBuilder#registry(CacheRegistry)}.
 *
 * <p>Thread-safe.
 */
public final class CacheRegistry {
    private static final Logger log = LoggerFactory.getLogger(CacheRegistry.class);
    private static final CacheRegistry DEFAULT = new CacheRegistry();

    private final ConcurrentHashMap<String, Entry> caches = new ConcurrentHashMap<>();
    private final List<Consumer<? super Cache<?, ?>>> listeners = new CopyOnWriteArrayList<>();

    /**
     * A registered cache, the settings it was built with, and who built it when that helps a conflict message.
     *
     * @param fingerprint the settings the cache was built with
     * @param cache the cache
     * @param builtBy who built it, as conflict messages name it (a proxy's method), or null for a builder's caller
     */
    record Entry(
            CacheFingerprint fingerprint,
            Cache<?, ?> cache,
            @Nullable String builtBy) {
        Entry {
            requireNonNull(fingerprint, "fingerprint");
            requireNonNull(cache, "cache");
        }
    }

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

    /**
     * Returns the cache registered under {@code name} if its settings match {@code fingerprint}, or else builds one
     * with {@code factory} and registers it, unless another thread registered the name first: then what was built is
     * discarded and the winner's cache returned (or a conflict reported). Registration listeners run for the winner
     * only.
     *
     * @throws IllegalStateException naming the differing setting if the name is taken by a cache with other settings
     */
    @SuppressWarnings("unchecked")
    <C extends Cache<?, ?>> C getOrCreate(String name, CacheFingerprint fingerprint, Supplier<Built<C>> factory) {
        Entry registered = caches.get(name);
        if (registered == null) {
            // Built outside the map's lock: a near cache subscribes to its invalidation channel, which can take the
            // connect timeout, and computeIfAbsent would hold the lock of a bin that other names share meanwhile.
            Built<C> built = factory.get();
            registered = caches.putIfAbsent(name, new Entry(fingerprint, built.cache(), null));
            if (registered == null) {
                listeners.forEach(listener -> listener.accept(built.cache()));
                return built.cache();
            }
            discard(name, built);
        }
        Optional<String> difference = registered.fingerprint().firstDifference(fingerprint);
        if (difference.isPresent()) {
            String builtBy = registered.builtBy() == null
                    ? ""
                    : " (built by " + registered.builtBy() + "; build a cache before creating the proxies that use it)";
            throw new IllegalStateException("a cache named '" + name + "' is already registered with "
                    + difference.get() + builtBy + "; use another name, the same settings, or another CacheRegistry");
        }
        return (C) registered.cache();
    }

    /** Returns the registration of {@code name}: the cache and the settings it was built with, if registered. */
    Optional<Entry> entry(String name) {
        return Optional.ofNullable(caches.get(requireNonNull(name, "name")));
    }

    /**
     * Records who built the cache registered under {@code name}, if it is still {@code cache}, so that a later build
     * of that name with other settings says so (a proxy built it because nothing was registered yet).
     */
    void recordBuiltBy(String name, Cache<?, ?> cache, String builtBy) {
        requireNonNull(builtBy, "builtBy");
        var unused = caches.computeIfPresent(
                name,
                (n, entry) -> entry.cache() == cache && entry.builtBy() == null
                        ? new Entry(entry.fingerprint(), cache, builtBy)
                        : entry);
    }

    /** Releases what a cache that lost the race to register holds (a near cache's subscription); never throws. */
    private static void discard(String name, Built<?> loser) {
        try {
            loser.release().run();
        } catch (RuntimeException e) {
            log.warn("Could not release a second cache built for '{}' while another registered first", name, e);
        }
    }

    /**
     * A cache just built, and how to release what it holds if it is not registered.
     *
     * @param cache the cache
     * @param release closes what the cache holds (a near cache's invalidation subscription); must not throw
     */
    record Built<C extends Cache<?, ?>>(C cache, Runnable release) {
        Built {
            requireNonNull(cache, "cache");
            requireNonNull(release, "release");
        }

        /** A cache that holds nothing to release. */
        static <C extends Cache<?, ?>> Built<C> of(C cache) {
            return new Built<>(cache, () -> {});
        }
    }
}
