package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheRegistry;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The isolation checks of {@link HostileKeyRedisTest} on a 3-master Cluster, with a fixed corpus: every fragment of
 * {@link HostileKeys} and pairs of them, keys around and far over the hashing limit, in caches whose names carry hash
 * tags and glob characters. A key's braces must not move its value, lock or fence apart (a script over keys of two
 * slots fails with CROSSSLOT), and {@code invalidateAll}, which scans every master, must take no other cache's key.
 */
@RedisTest
class HostileKeyClusterTest {
    private static final RedisTierConfig CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();
    private static final List<List<String>> NAME_PAIRS = List.of(
            List.of("{a}", "a"),
            List.of("a*", "ab"),
            List.of("x:1:y", "x"),
            List.of("}{", "%7D%7B"),
            List.of("\uD800", "\uFFFD"));

    @Test
    @Timeout(120)
    void keysOfTwoCachesReadAndRemoveOnlyTheirOwnEntries(RedisCluster cluster) {
        try (RedisTier tier = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            for (List<String> names : NAME_PAIRS) {
                CacheRegistry registry = CacheRegistry.create();
                HostileKeyRedisTest.assertTwoCachesKeepApart(
                        HostileKeyRedisTest.remoteCache(tier, names.get(0), registry),
                        HostileKeyRedisTest.remoteCache(tier, names.get(1), registry),
                        new ArrayList<Object>(corpus()));
            }
        }
        assertEveryKeyHasATtl(cluster);
    }

    @Test
    @Timeout(120)
    void aKeysLockDeleteAndDeleteAllLeaveEveryOtherValueFenceAndLockAlone(RedisCluster cluster) {
        List<String> keys = corpus();
        Set<Integer> slots = new LinkedHashSet<>();
        try (RedisTier tier = RedisTier.cluster(cluster.nodes(), CONFIG)) {
            for (List<String> names : NAME_PAIRS) {
                RedisStore a = (RedisStore) tier.store(names.get(0));
                HostileKeyRedisTest.assertStoresKeepApart(a, tier.store(names.get(1)), keys);
                keys.forEach(
                        key -> slots.add(JedisClusterCRC16.getSlot(a.layout().valueKey(key))));
            }
        }
        assertThat(slots).as("slots the corpus spreads over").hasSizeGreaterThan(keys.size() / 2);
        assertEveryKeyHasATtl(cluster);
    }

    /** Every fragment, every pair of fragments, and long keys; distinct. */
    private static List<String> corpus() {
        Set<String> keys = new LinkedHashSet<>();
        for (String first : HostileKeys.FRAGMENTS) {
            keys.add(first);
            for (String second : List.of("{", "}", "*", ":lock", "\0", "\uDC00")) {
                keys.add(first + second);
                keys.add(second + first);
            }
        }
        keys.add("");
        keys.add("k".repeat(HostileKeys.MAX_KEY_LENGTH));
        keys.add("k".repeat(HostileKeys.MAX_KEY_LENGTH + 1));
        keys.add("{".repeat(HostileKeys.MAX_KEY_LENGTH / 3 + 1));
        keys.add("x{*}".repeat(5_000));
        return new ArrayList<>(keys);
    }

    private static void assertEveryKeyHasATtl(RedisCluster cluster) {
        for (RedisServer master : cluster.masters()) {
            try (UnifiedJedis client = RedisClient.create(master.host(), master.port())) {
                HostileKeyRedisTest.assertEveryKeyHasATtl(client);
            }
        }
    }
}
