package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Round trips of a {@code get} on a Redis-tier cache, counted from {@code INFO commandstats} deltas and the server's
 * socket reads, never timed: a hit is one plain read, and a miss that refills the key (as every key after Redis
 * restarted empty) takes the plain read, the lock with the read for its lease under it, and the write with the release,
 * three in all. See {@link BulkRoundTripTest} for how commands count.
 */
@RedisTest
@Timeout(60)
class MissRoundTripTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    /** Commands a client sends itself, as opposed to those scripts run inside and the count's own INFO. */
    private static final Set<String> TOP_LEVEL = Set.of("getrange", "evalsha", "eval", "mget", "publish");

    /** Socket reads of the latest {@link #commands} call, less its own two {@code INFO} calls. */
    private long reads;

    @Test
    void aMissTakesThreeRoundTripsAndAHitOne(@Dedicated RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri());
                Jedis node = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> cache = cache(tier, "misses");
            KeyLayout layout = ((RedisStore) tier.store("misses")).layout();
            // Every script loaded first, through the operations themselves, so that no NOSCRIPT retry is counted.
            assertThat(cache.get("warm", k -> "v")).isEqualTo("v");
            assertThat(cache.get("warm-null", k -> null)).isNull();

            Map<String, Long> miss = commands(
                    node, () -> assertThat(cache.get("k", k -> "loaded-" + k)).isEqualTo("loaded-k"));
            long missReads = reads;
            Map<String, Long> hit = commands(
                    node, () -> assertThat(cache.get("k", k -> "again-" + k)).isEqualTo("loaded-k"));
            long hitReads = reads;
            Map<String, Long> nullMiss =
                    commands(node, () -> assertThat(cache.get("n", k -> null)).isNull());
            long nullReads = reads;

            System.out.println("[miss] round trips of a get: miss " + miss + " (" + missReads + " reads), hit " + hit
                    + " (" + hitReads + " reads), miss loading null " + nullMiss + " (" + nullReads + " reads)");
            assertThat(miss)
                    .as("GETRANGE; LOCK_AND_LOOKUP; PUT_IF_UNCHANGED_AND_UNLOCK")
                    .isEqualTo(Map.of("getrange", 1L, "evalsha", 2L));
            assertThat(missReads).isEqualTo(3);
            assertThat(hit).isEqualTo(Map.of("getrange", 1L));
            assertThat(hitReads).isEqualTo(1);
            assertThat(nullMiss)
                    .as("nothing to write: the lock is released on its own")
                    .isEqualTo(Map.of("getrange", 1L, "evalsha", 2L));
            assertThat(nullReads).isEqualTo(3);
            assertThat(node.exists(layout.lockKey("s:k")))
                    .as("the lock is released")
                    .isFalse();
            assertThat(node.exists(layout.lockKey("s:n")))
                    .as("the lock is released")
                    .isFalse();
            assertThat(node.pttl(layout.valueKey("s:k"))).isPositive();
        }
    }

    /** Returns the top-level commands {@code operation} sent, by name; scripts' own commands and INFO left out. */
    private Map<String, Long> commands(Jedis node, Runnable operation) {
        long readsBefore = BulkRoundTripTest.readsProcessed(node);
        Map<String, Long> before = BulkRoundTripTest.commandCalls(node);
        operation.run();
        // Less the INFO commandstats call before the operation and this INFO stats call.
        reads = BulkRoundTripTest.readsProcessed(node) - readsBefore - 2;
        Map<String, Long> after = BulkRoundTripTest.commandCalls(node);
        Map<String, Long> sent = new TreeMap<>();
        after.forEach((command, calls) -> {
            long delta = calls - before.getOrDefault(command, 0L);
            if (delta > 0 && TOP_LEVEL.contains(command)) {
                sent.put(command, delta);
            }
        });
        return sent;
    }

    private static Cache<String, String> cache(RedisTier tier, String name) {
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .remote(tier, Codec.string())
                .build();
    }
}
