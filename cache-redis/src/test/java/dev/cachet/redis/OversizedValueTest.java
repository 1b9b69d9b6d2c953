package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.RemoteStats;
import dev.cachet.spi.Lookup;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;

/**
 * A stored value longer than {@link RemoteConfig#maxValueBytes()} is refused before the client reads it: Redis never
 * sends it (its own output counter says so), and the read counts as a decode failure, that is a miss.
 */
@RedisTest
class OversizedValueTest {
    private static final int MAX_VALUE_BYTES = 1_000;
    private static final int OVERSIZED = 1_000_000;

    @Test
    void aValueOverTheLimitIsAMissThatRedisNeverSends(@Dedicated RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri());
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> cache = Cachet.builder("big")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(1))
                    .remote(
                            tier,
                            Codec.string(),
                            RemoteConfig.custom().maxValueBytes(MAX_VALUE_BYTES).build())
                    .build();
            cache.put("k", "small");
            String valueKey = onlyValueKey(raw, ((RedisStore) tier.store("big")).layout());
            byte[] big = new byte[OVERSIZED];
            Arrays.fill(big, (byte) 'x');
            raw.set(valueKey.getBytes(StandardCharsets.UTF_8), big);
            AtomicInteger loads = new AtomicInteger();

            long sentBefore = sentBytes(raw);
            String value = cache.get("k", k -> "loaded-" + loads.incrementAndGet());
            long sent = sentBytes(raw) - sentBefore;

            System.out.printf(
                    "OversizedValueTest: Redis sent %d bytes during the read of a %d-byte value%n", sent, OVERSIZED);
            assertThat(value).isEqualTo("loaded-1");
            RemoteStats stats = cache.remoteStats().orElseThrow();
            // Once per read: the read before the lock, and the one after it, which finds the value still there.
            assertThat(stats.decodeFailures()).isBetween(1L, 2L);
            assertThat(loads).hasValue(1);
            assertThat(sent)
                    .as("bytes Redis sent to its clients during the read")
                    .isLessThan(OVERSIZED / 10);
            // The loaded value replaced the oversized one.
            assertThat(raw.strlen(valueKey)).isLessThan(MAX_VALUE_BYTES);
            assertThat(cache.get("k", k -> "loaded-" + loads.incrementAndGet())).isEqualTo("loaded-1");
            assertThat(cache.remoteStats().orElseThrow().decodeFailures()).isEqualTo(stats.decodeFailures());
        }
    }

    @Test
    void theStoreTellsAbsentEmptyWithinAndOverTheLimitApart(RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri())) {
            RedisStore store = (RedisStore) tier.store("atmost");
            store.put("empty", new byte[0], Duration.ofMinutes(1));
            store.put("ten", new byte[10], Duration.ofMinutes(1));

            Lookup absent = store.lookup("absent", 10);
            assertThat(absent.value()).isEmpty();
            assertThat(absent.isOversized()).isFalse();
            assertThat(absent.length()).isEqualTo(-1);
            assertThat(store.lookup("empty", 10).value())
                    .hasValueSatisfying(v -> assertThat(v).isEmpty());
            assertThat(store.lookup("ten", 10).value())
                    .hasValueSatisfying(v -> assertThat(v).hasSize(10));
            Lookup tooLong = store.lookup("ten", 9);
            assertThat(tooLong.value()).isEmpty();
            assertThat(tooLong.isOversized()).isTrue();
            assertThat(tooLong.length()).isEqualTo(10);
            assertThatThrownBy(() -> store.lookup("ten", -1)).isInstanceOf(IllegalArgumentException.class);
            store.deleteAll();
        }
    }

    private static String onlyValueKey(Jedis raw, KeyLayout layout) {
        List<String> keys = raw.scan(ScanParams.SCAN_POINTER_START, new ScanParams().match(layout.valueKeyPattern()))
                .getResult();
        assertThat(keys).hasSize(1);
        return keys.get(0);
    }

    /** Returns Redis's count of the bytes it has written to clients (INFO stats, total_net_output_bytes). */
    private static long sentBytes(Jedis raw) {
        return raw.info("stats")
                .lines()
                .filter(line -> line.startsWith("total_net_output_bytes:"))
                .map(line ->
                        Long.parseLong(line.substring(line.indexOf(':') + 1).trim()))
                .findFirst()
                .orElseThrow();
    }
}
