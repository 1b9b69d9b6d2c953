package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A view of another cache that changes how some calls reach it (its keys, its loader) and forwards the calls that do
 * not depend on a key unchanged: name, size, statistics, configuration, {@code invalidateAll()} and {@code cleanUp()}.
 * Thread-safe when the cache underneath is.
 *
 * @param <K> the type of the view's keys
 * @param <V> the type of the view's values
 */
abstract class CacheView<K, V> implements Cache<K, V> {
    private final Cache<?, ?> target;

    CacheView(Cache<?, ?> target) {
        this.target = requireNonNull(target, "target");
    }

    @Override
    public final String name() {
        return target.name();
    }

    @Override
    public final void invalidateAll() {
        target.invalidateAll();
    }

    @Override
    public final long estimatedSize() {
        return target.estimatedSize();
    }

    @Override
    public final void cleanUp() {
        target.cleanUp();
    }

    @Override
    public final CacheStats stats() {
        return target.stats();
    }

    @Override
    public final CacheConfig config() {
        return target.config();
    }

    @Override
    public final Optional<RemoteStats> remoteStats() {
        return target.remoteStats();
    }

    @Override
    public final Optional<NearStats> nearStats() {
        return target.nearStats();
    }

    @Override
    public final String toString() {
        return target.toString();
    }
}
