package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.Expiry;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Per-entry expiry on real Redis: every value key gets the TTL of its own entry, read back with PTTL. */
@RedisTest
class ExpiryRedisTest {
    /** A value is the number of seconds it lives. */
    private static final Expiry<String, String> OWN_TTL =
            Expiry.writing((String key, String seconds) -> Duration.ofSeconds(Long.parseLong(seconds)));

    @Test
    void eachWriteCarriesItsEntrysTtl(RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri());
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> cache = Cachet.builder("perEntry")
                    .registry(CacheRegistry.create())
                    .expireAfter(OWN_TTL)
                    .remote(tier, Codec.string())
                    .build();
            KeyLayout layout = ((RedisStore) tier.store("perEntry")).layout();

            assertThat(cache.get("loaded", k -> "30")).isEqualTo("30");
            cache.put("put", "600");
            cache.put("explicit", "600", Duration.ofSeconds(7));

            assertThat(pttl(raw, layout, "loaded")).isBetween(25_000L, 30_000L);
            assertThat(pttl(raw, layout, "put")).isBetween(595_000L, 600_000L);
            assertThat(pttl(raw, layout, "explicit")).isBetween(2_000L, 7_000L);

            assertThatThrownBy(() -> cache.put("put", "-1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("returned PT-1S for key put");
            assertThat(pttl(raw, layout, "put")).as("untouched").isBetween(590_000L, 600_000L);
            assertThat(cache.getIfPresent("put")).isEqualTo("600");
        }
    }

    @Test
    void aFixedTtlCacheWritesAPutsOwnTtl(RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri());
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> cache = Cachet.builder("fixedPlusOwn")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .remote(tier, Codec.string())
                    .nearCache(100, Duration.ofMinutes(1))
                    .build();
            KeyLayout layout = ((RedisStore) tier.store("fixedPlusOwn")).layout();
            cache.put("short", "v", Duration.ofSeconds(3));
            cache.put("fixed", "v");
            assertThat(pttl(raw, layout, "short")).isBetween(1L, 3_000L);
            assertThat(pttl(raw, layout, "fixed")).isBetween(595_000L, 600_000L);
        }
    }

    /** Returns the PTTL of the value key of {@code key}, encoded as the default key encoder does a string. */
    private static long pttl(Jedis raw, KeyLayout layout, String key) {
        return raw.pttl(layout.valueKey("s:" + key));
    }
}
