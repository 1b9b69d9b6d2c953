package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Bulk operations across processes on one Redis: each cache has its own {@link RedisTier} and registry, as two
 * processes would. A bulk load takes no cross-process lock and waits for none; the leases of its reads keep it from
 * undoing a write or invalidation that came meanwhile; a near cache fills its near tier from bulk reads and loads; a
 * bulk write reaches every other near tier in one message.
 */
@RedisTest
@Timeout(30)
class BulkOperationsRedisTest {
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<RedisTier> tiers = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private static final AtomicInteger NAMES = new AtomicInteger();

    @AfterEach
    void close() {
        pool.shutdownNow();
        tiers.forEach(RedisTier::close);
    }

    /**
     * Process A's {@code get} holds the key's cross-process lock while its loader runs; process B's {@code getAll} of
     * the same key neither waits for that lock nor takes it: its bulk loader runs while A's loader still holds the lock.
     */
    @Test
    void aBulkLoadNeitherTakesNorWaitsForTheCrossProcessLock(RedisServer redis) throws Exception {
        String name = name("lock");
        Cache<String, String> a = process(redis, name, false);
        Cache<String, String> b = process(redis, name, false);
        CountDownLatch aLoading = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        Future<String> aGet = pool.submit(() -> a.get("k", key -> {
            aLoading.countDown();
            awaitLatch(releaseA);
            return "from-a";
        }));
        assertThat(aLoading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        String lockKey = ((RedisStore) tiers.get(0).store(name)).layout().lockKey("s:k");
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(jedis.exists(lockKey)).as("A holds the lock").isTrue();

            AtomicInteger bulkLoads = new AtomicInteger();
            Map<String, String> all = b.getAll(List.of("k"), keys -> {
                bulkLoads.incrementAndGet();
                return Map.of("k", "from-b");
            });

            assertThat(all).containsExactly(Map.entry("k", "from-b"));
            assertThat(bulkLoads).hasValue(1);
            assertThat(jedis.exists(lockKey))
                    .as("B returned while A still held the lock")
                    .isTrue();
        }
        releaseA.countDown();
        assertThat(aGet.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("from-a");
    }

    @Test
    void aPutDuringABulkLoadIsNotUndone(RedisServer redis) throws Exception {
        straddle(redis, false, a -> a.put("k", "new"), "new");
    }

    @Test
    void anInvalidationDuringABulkLoadIsNotUndone(RedisServer redis) throws Exception {
        straddle(redis, false, a -> a.invalidate("k"), null);
    }

    /**
     * The key was never written, so the bulk read found no fence of it: an {@code invalidateAll()} (which changes only
     * fences it finds) must still refuse the bulk load's write, through the cache's fence the read handed out.
     */
    @Test
    void anInvalidateAllDuringABulkLoadOfAKeyNeverWrittenIsNotUndone(RedisServer redis) throws Exception {
        straddle(redis, false, Cache::invalidateAll, null);
    }

    @Test
    void anInvalidateAllDuringANearBulkLoadIsNotUndoneInEitherTier(RedisServer redis) throws Exception {
        straddle(redis, true, Cache::invalidateAll, null);
    }

    /** A bulk read of keys never written leaves no key in Redis: getAllPresent, and getAll until it writes. */
    @Test
    void bulkReadsOfKeysNeverWrittenLeaveNoKeyBehind(RedisServer redis) {
        String name = name("nothing");
        Cache<String, String> cache = process(redis, name, false);
        String namespace = ((RedisStore) tiers.get(0).store(name)).layout().namespace();
        List<String> keys = List.of("a", "b", "c");

        assertThat(cache.getAllPresent(keys)).isEmpty();
        assertThat(cache.getAll(keys, missing -> Map.of())).isEmpty();

        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(jedis.keys(KeyLayout.globEscape(namespace) + "*")).isEmpty();
        }
    }

    @Test
    void aPutDuringANearBulkLoadIsNotUndoneInEitherTier(RedisServer redis) throws Exception {
        straddle(redis, true, a -> a.put("k", "new"), "new");
    }

    @Test
    void anInvalidateAllOfKeysDuringANearBulkLoadIsNotUndoneInEitherTier(RedisServer redis) throws Exception {
        straddle(redis, true, a -> a.invalidateAll(List.of("k", "other")), null);
    }

    /**
     * B's bulk loader runs while A writes or invalidates {@code k}; B's loaded value is older than A's change, and must
     * reach neither Redis nor B's near tier.
     */
    private void straddle(
            RedisServer redis, boolean near, java.util.function.Consumer<Cache<String, String>> change, String expected)
            throws Exception {
        String name = name("straddle");
        Cache<String, String> a = process(redis, name, near);
        Cache<String, String> b = process(redis, name, near);
        Map<String, String> all = b.getAll(List.of("k"), keys -> {
            change.accept(a);
            if (near) {
                // A's message reaches B's near tier while B's load is still running.
                await().atMost(WAIT).until(() -> b.nearStats().orElseThrow().invalidationsReceived() >= 1);
            }
            return Map.of("k", "old");
        });
        assertThat(all).as("the caller gets what its loader returned").containsEntry("k", "old");

        Cache<String, String> fresh = process(redis, name, false);
        assertThat(fresh.getIfPresent("k")).as("Redis after the bulk load").isEqualTo(expected);
        assertThat(b.getIfPresent("k")).as("B after the bulk load").isEqualTo(expected);
    }

    /**
     * The user report of issue 12: five {@code getAll} calls in a row on a second process each sent 100 GETs and
     * scored no near hit. Now the first one fills the near tier and the next four are near hits that send nothing.
     */
    @Test
    void aNearCachesGetAllFillsItsNearTier(RedisServer redis) {
        String name = name("fill");
        Cache<String, String> writer = process(redis, name, true);
        Cache<String, String> reader = process(redis, name, true);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            values.put("k" + i, "v" + i);
        }
        writer.putAll(values);
        // The writer's message must not reach the reader during its first getAll: it would drop that fill (rightly).
        await().atMost(WAIT).until(() -> reader.nearStats().orElseThrow().invalidationsReceived() == 100);
        List<String> keys = List.copyOf(values.keySet());

        for (int call = 0; call < 5; call++) {
            assertThat(reader.getAll(keys, missing -> Map.of())).isEqualTo(values);
        }

        NearStats near = reader.nearStats().orElseThrow();
        assertThat(near.hits()).as("near hits over five getAll calls").isEqualTo(400);
        assertThat(near.misses()).isEqualTo(100);
        assertThat(reader.remoteStats().orElseThrow().hits()).isEqualTo(100);
    }

    /**
     * A bulk write reaches every other process's near tier in one invalidation message: B holds 100 near copies, A's
     * {@code putAll} and then {@code invalidateAll(keys)} each publish once (and once before, announcing the batch),
     * and B drops every copy.
     */
    @Test
    void aBulkWriteReachesOtherNearTiersInOneMessage(RedisServer redis) {
        String name = name("message");
        Cache<String, String> a = process(redis, name, true);
        Cache<String, String> b = process(redis, name, true);
        Map<String, String> first = new LinkedHashMap<>();
        Map<String, String> second = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            first.put("k" + i, "first" + i);
            second.put("k" + i, "second" + i);
        }
        a.putAll(first);
        assertThat(b.getAll(first.keySet(), keys -> Map.of())).isEqualTo(first);
        long published;
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            long before = BulkRoundTripTest.commandCalls(jedis).getOrDefault("publish", 0L);
            a.putAll(second);
            published = BulkRoundTripTest.commandCalls(jedis).getOrDefault("publish", 0L) - before;
        }
        assertThat(published)
                .as("messages for a putAll of 100 keys: the announcement ahead and the invalidation")
                .isEqualTo(2);
        await().atMost(WAIT).until(() -> b.nearStats().orElseThrow().invalidationsReceived() >= 200);
        assertThat(b.getAll(second.keySet(), keys -> Map.of())).isEqualTo(second);

        a.invalidateAll(second.keySet());
        await().atMost(WAIT).until(() -> b.nearStats().orElseThrow().invalidationsReceived() >= 300);
        assertThat(b.getAll(second.keySet(), keys -> Map.of())).isEmpty();
    }

    @Test
    void aBatchMessageCarriesEveryKeyExactlyAndAnOlderReaderDropsEverything() {
        List<String> keys =
                List.of("plain", "a:b", "12:34", "", "%7B", "{tag}", "line\nbreak", "\uD800", "\u00e9t\u00e9");
        String encoded = InvalidationMessage.encodeBatch("origin", keys);

        assertThat(InvalidationMessage.decode(encoded)).isEqualTo(new InvalidationMessage("origin", keys));
        assertThat(encoded)
                .as("a type byte that version-1 readers without batches reject (they drop every key then)")
                .startsWith("1:origin:b:");
        for (String malformed : List.of(
                "1:o:b:", "1:o:b:0:", "1:o:b:2:1:a", "1:o:b:1:1:ab", "1:o:b:1:5:a", "1:o:b:x:1:a", "1:o:b:1:-1:a")) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .as(malformed)
                    .isThrownBy(() -> InvalidationMessage.decode(malformed));
        }
    }

    private Cache<String, String> process(RedisServer redis, String name, boolean near) {
        RedisTier tier = RedisTier.connect(redis.uri());
        tiers.add(tier);
        var builder = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .remote(tier, Codec.string());
        return near ? builder.nearCache(1_000, TTL).build() : builder.build();
    }

    private static String name(String kind) {
        return "bulk-" + kind + "-" + NAMES.incrementAndGet();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("not released within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
