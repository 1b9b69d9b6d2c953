package dev.cachet.redis;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.testing.StampedeHarness;
import java.time.Duration;

/**
 * Builds the cache of one {@link StampedeHarness} worker JVM: a Redis-backed cache with the cross-process lock on
 * (the default) or off ({@code lockWait} zero, where each process still loads once per round through its own single
 * flight). Public with a no-arg constructor, since each worker creates it by name.
 */
// "exports": the tests compile into module dev.cachet.redis, and cache-test (the interface's module) is on the class
// path there; the class is only ever loaded by name in a worker JVM, never used as this module's API.
@SuppressWarnings("exports")
public final class RedisStampedeCaches implements StampedeHarness.CacheFactory {
    /** Called by name in each worker JVM. */
    public RedisStampedeCaches() {}

    @Override
    public Cache<String, String> create(String uri, boolean lockOn, Duration ttl) {
        // Generous timeouts: a JVM starting beside three others must not see a slow reply as an outage. The tier
        // lives as long as the worker JVM.
        RedisTier tier = RedisTier.connect(
                uri,
                RedisTierConfig.builder()
                        .connectTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(2))
                        .build());
        RemoteConfig config = lockOn
                ? RemoteConfig.ofDefaults()
                : RemoteConfig.custom().lockWait(Duration.ZERO).build();
        return Cachet.builder("stampede")
                .expireAfterWrite(ttl)
                .hitRatioWarning(0, 1) // every round starts with a miss on purpose
                .registry(CacheRegistry.create())
                .remote(tier, Codec.string(), config)
                .<String, String>build();
    }
}
