package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheRegistry;
import dev.cachet.redis.RedisTier;
import dev.cachet.spi.RemoteStore;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of the Redis tier: UP when a probe read answers, DOWN with the reason when it fails. DOWN says that Redis
 * is unreachable, not that the application is broken: callers of remote and near caches keep working as their
 * failure policy says (fail-open by default: values come from the loaders). Details: the tier ({@link
 * RedisTier#describe()}, never a password) and, per cache that has a remote tier, its Redis error and fallback-load
 * counts. Thread-safe.
 */
final class RedisTierHealthIndicator implements HealthIndicator {
    /** The cache name whose store the probe reads: a key no cache writes, in a namespace of its own. */
    static final String PROBE_CACHE = "cachet-health";

    private final RedisTier tier;
    private final RemoteStore probe;
    private final CacheRegistry caches;

    RedisTierHealthIndicator(RedisTier tier, CacheRegistry caches) {
        this.tier = tier;
        this.probe = tier.store(PROBE_CACHE);
        this.caches = caches;
    }

    @Override
    public Health health() {
        Health.Builder health;
        try {
            var unused = probe.get("probe");
            health = Health.up();
        } catch (RuntimeException e) {
            health = Health.down().withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        health.withDetail("tier", tier.describe());
        Map<String, Object> remote = new TreeMap<>();
        caches.caches()
                .forEach(cache -> cache.remoteStats()
                        .ifPresent(stats -> remote.put(
                                cache.name(),
                                Map.of("errors", stats.errors(), "fallbackLoads", stats.fallbackLoads()))));
        if (!remote.isEmpty()) {
            health.withDetail("caches", remote);
        }
        return health.build();
    }
}
