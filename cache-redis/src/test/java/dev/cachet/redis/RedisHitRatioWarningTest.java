package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.LowHitRatio;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A Redis-only cache watches its own hit ratio: hitRatioWarning() applies to it as to an in-memory cache. */
@RedisTest
class RedisHitRatioWarningTest {

    @Test
    void aRedisOnlyCacheWarnsOfALowHitRatioAndStaysQuietWhenItHits(RedisServer redis) {
        List<LowHitRatio> events = new CopyOnWriteArrayList<>();
        try (RedisTier tier = RedisTier.connect(redis.uri())) {
            Cache<String, String> cache = Cachet.builder("redis-hit-ratio")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(1))
                    .hitRatioWarning(0.5, 10)
                    .onLowHitRatio(events::add)
                    .remote(tier, Codec.string())
                    .build();
            cache.invalidateAll(); // the server is shared: start from an empty cache
            for (int i = 0; i < 10; i++) {
                cache.get("k" + i, k -> "v"); // every key new: the 10th miss closes a window of misses
            }
            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.cacheName()).isEqualTo("redis-hit-ratio");
                assertThat(event.hitRatio()).isZero();
                assertThat(event.requests()).isEqualTo(10);
                assertThat(event.cumulativeHitRatio()).isZero();
            });

            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 10; i++) {
                    assertThat(cache.get("k" + i, k -> "unused")).isEqualTo("v"); // hits, read from Redis
                }
            }
            assertThat(cache.getIfPresent("absent")).isNull(); // closes a window of 30 hits and this miss
            assertThat(events).as("a window that hit raises nothing").hasSize(1);
            assertThat(cache.stats().hitCount()).isEqualTo(30);
        }
    }
}
