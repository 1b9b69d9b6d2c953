package dev.cachet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheStats;
import dev.cachet.internal.LoadTracking;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a fresh {@link CacheRegistry} and, after the test, checks every cache registered in it: size within
 * its bound once maintenance ran, counters consistent, no load left in flight. Use with {@code @RegisterExtension}.
 */
public final class CacheInvariants implements AfterEachCallback {
    private CacheRegistry registry = CacheRegistry.create();

    /** Returns this test's registry: build caches with {@code .registry(invariants.registry())}. */
    public CacheRegistry registry() {
        return registry;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            registry.caches().forEach(CacheInvariants::check);
        } finally {
            registry = CacheRegistry.create();
        }
    }

    /** Checks one cache's invariants; callable from tests for caches built outside the registry. */
    public static void check(Cache<?, ?> cache) {
        cache.cleanUp();
        cache.config()
                .maximumSize()
                .ifPresent(bound -> assertThat(cache.estimatedSize())
                        .as("size of cache '%s' after maintenance", cache.name())
                        .isLessThanOrEqualTo(bound));
        CacheStats stats = cache.stats();
        assertThat(stats.requestCount())
                .as("requests of cache '%s'", cache.name())
                .isEqualTo(stats.hitCount() + stats.missCount());
        assertThat(stats.hitRatio() + stats.missRatio())
                .as("hit + miss ratio of cache '%s'", cache.name())
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        if (cache instanceof LoadTracking local) {
            assertThat(local.loadsInFlight())
                    .as("loads left in flight in cache '%s'", cache.name())
                    .isZero();
        }
    }
}
