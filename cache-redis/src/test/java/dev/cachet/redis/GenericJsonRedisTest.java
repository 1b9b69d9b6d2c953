package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.redis.GenericJsonCodecTest.Quote;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Values of a generic JSON codec on Redis: read back as themselves, and left alone by a cache of another type. */
@RedisTest
@Timeout(60)
class GenericJsonRedisTest {
    private static final List<Quote> QUOTES = List.of(new Quote("AAPL", 19_012), new Quote("MSFT", 41_530));

    @Test
    void aGenericValueRoundTripsThroughRedisAndAnotherTypeLeavesItAlone(RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri())) {
            Cache<String, List<Quote>> quotes = cache(tier, Codec.json(new TypeReference<List<Quote>>() {}));
            quotes.put("portfolio", QUOTES);
            // Another process reading the same cache name as another generic type.
            Cache<String, List<String>> strings = cache(tier, Codec.json(new TypeReference<List<String>>() {}));
            Cache<String, List<Quote>> reader = cache(tier, Codec.json(new TypeReference<List<Quote>>() {}));

            assertThat(reader.getIfPresent("portfolio")).isEqualTo(QUOTES);
            assertThat(reader.getIfPresent("portfolio").get(0)).isInstanceOf(Quote.class);
            assertThat(strings.getIfPresent("portfolio")).isNull();
            assertThat(strings.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
            // Left alone, not deleted: the process of the other type still reads it.
            assertThat(reader.getIfPresent("portfolio")).isEqualTo(QUOTES);
            quotes.invalidateAll();
        }
    }

    private static <V> Cache<String, V> cache(RedisTier tier, Codec<V> codec) {
        return Cachet.builder("generic-json")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1))
                .remote(tier, codec)
                .build();
    }
}
