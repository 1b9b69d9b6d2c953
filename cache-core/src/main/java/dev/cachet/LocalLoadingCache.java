package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LocalCache} with a loader of its own, which Caffeine also uses for {@code refreshAfterWrite}: a read of an
 * entry older than the refresh interval returns it at once and reloads it on the cache's executor; a failed refresh
 * keeps the old value. Thread-safe.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class LocalLoadingCache<K, V> extends LocalCache<K, V> implements LoadingCache<K, V> {
    private final Function<? super K, ? extends @Nullable V> loader;

    /**
     * Builds the cache.
     *
     * @param loader loads absent keys and refreshes stale ones
     */
    LocalLoadingCache(LocalCacheSettings<K, V> settings, Function<? super K, ? extends @Nullable V> loader) {
        super(settings, requireNonNull(loader, "loader"));
        this.loader = loader;
    }

    @Override
    public @Nullable V get(K key) {
        return get(key, loader);
    }
}
