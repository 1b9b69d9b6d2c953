package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.RemoteStats;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.PropertyTimeout;
import dev.cachet.testing.redis.SpawnedRedisServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Hostile keys and cache names ({@link HostileKeys}) against a real server: no key reads, overwrites or deletes
 * another key of its cache, the same key of another cache, or any lock or fence; {@code invalidateAll} of one cache
 * leaves every other cache alone; an invalidation message drops exactly its key from another process's near tier; and
 * every key Cachet leaves in Redis has a time to live. The server is a {@code redis-server} of this class's own, flushed
 * before each try.
 */
@PropertyTimeout(seconds = 300)
class HostileKeyRedisTest {
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final RedisTierConfig CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();

    private static SpawnedRedisServer redis;
    private static RedisTier tier;
    private static UnifiedJedis raw;

    @BeforeContainer
    static void startRedis() {
        redis = SpawnedRedisServer.start();
        tier = RedisTier.connect(redis.uri(), CONFIG);
        raw = RedisClient.create(URI.create(redis.uri()));
    }

    @AfterContainer
    static void stopRedis() {
        try {
            raw.close();
            tier.close();
        } finally {
            redis.close();
        }
    }

    @BeforeTry
    void flush() {
        redis.flushAll();
    }

    @Provide
    Arbitrary<String> names() {
        return HostileKeys.names();
    }

    @Provide
    Arbitrary<List<Object>> anyKeys() {
        return HostileKeys.anyKeys().list().ofMinSize(1).ofMaxSize(8).uniqueElements();
    }

    @Provide
    Arbitrary<List<String>> keys() {
        return HostileKeys.distinctKeys(6);
    }

    /** Keys of every type in two caches: each reads its own value; one invalidation and one invalidateAll. */
    @Property(tries = 300)
    void keysOfTwoCachesReadAndRemoveOnlyTheirOwnEntries(
            @ForAll("names") String nameA, @ForAll("names") String nameB, @ForAll("anyKeys") List<Object> keys) {
        Assume.that(!nameA.equals(nameB));
        CacheRegistry registry = CacheRegistry.create();
        assertTwoCachesKeepApart(remoteCache(tier, nameA, registry), remoteCache(tier, nameB, registry), keys);
        assertEveryKeyHasATtl(raw);
    }

    /**
     * Puts every key in caches {@code a} and {@code b} (values {@code a0, a1, ...} and {@code b0, b1, ...}), checks
     * that each reads its own, invalidates the first key in {@code a} and then all of {@code b}, checking after each
     * step that nothing else changed.
     */
    static void assertTwoCachesKeepApart(Cache<Object, String> a, Cache<Object, String> b, List<Object> keys) {
        for (int i = 0; i < keys.size(); i++) {
            a.put(keys.get(i), "a" + i);
            b.put(keys.get(i), "b" + i);
        }
        assertHolds(a, keys, "a", 0);
        assertHolds(b, keys, "b", 0);

        a.invalidate(keys.get(0));

        assertThat(a.getIfPresent(keys.get(0))).isNull();
        assertHolds(a, keys, "a", 1);
        assertHolds(b, keys, "b", 0);

        b.invalidateAll();

        for (Object key : keys) {
            assertThat(b.getIfPresent(key))
                    .as("%s after invalidateAll", describe(key))
                    .isNull();
        }
        assertHolds(a, keys, "a", 1);
    }

    /**
     * At the store: taking a key's lock, deleting its value and deleting every value of its cache change no other
     * key's value, lease (fence) or lock, in this cache or another.
     */
    @Property(tries = 300)
    void aKeysLockDeleteAndDeleteAllLeaveEveryOtherValueFenceAndLockAlone(
            @ForAll("names") String nameA, @ForAll("names") String nameB, @ForAll("keys") List<String> keys) {
        Assume.that(!nameA.equals(nameB));
        assertStoresKeepApart(tier.store(nameA), tier.store(nameB), keys);
        assertEveryKeyHasATtl(raw);
    }

    /**
     * Puts every key in stores {@code a} and {@code b}, then locks, deletes and deletes all in {@code a}, checking after
     * each step that no other key's value, lease or lock changed, in either store.
     */
    static void assertStoresKeepApart(RemoteStore a, RemoteStore b, List<String> keys) {
        for (int i = 0; i < keys.size(); i++) {
            a.put(keys.get(i), utf8("a" + i), TTL);
            b.put(keys.get(i), utf8("b" + i), TTL);
        }
        Map<String, Seen> before = look(a, b, keys);
        String target = keys.get(0);
        String targetId = id(a, target);

        try (RemoteLock lock = a.tryLock(target, LEASE).orElseThrow(() -> new AssertionError("lock of " + target))) {
            assertThat(lock.fencingToken()).isPositive();
            assertThat(a.lookup(target, Long.MAX_VALUE).isLocked()).isTrue();
            assertUnchangedExcept(before, look(a, b, keys), targetId);
        }

        a.delete(target);

        assertThat(a.lookup(target, Long.MAX_VALUE).value()).isEmpty();
        assertUnchangedExcept(before, look(a, b, keys), targetId);

        a.deleteAll();

        Map<String, Seen> after = look(a, b, keys);
        for (String key : keys) {
            Seen was = before.get(id(a, key));
            Seen now = after.get(id(a, key));
            assertThat(now.value()).as("%s after deleteAll", id(a, key)).isNull();
            assertThat(now.lease())
                    .as("lease of %s after deleteAll", id(a, key))
                    .isNotEqualTo(was.lease());
            assertThat(after.get(id(b, key))).as(id(b, key)).isEqualTo(before.get(id(b, key)));
        }
    }

    /** Two processes with near caches of one hostile name: an invalidation drops exactly its key over there. */
    @Property(tries = 100)
    void anInvalidationDropsExactlyItsKeyFromAnotherProcesssNearTier(
            @ForAll("names") String name, @ForAll("keys") List<String> keys) {
        try (RedisTier first = RedisTier.connect(redis.uri(), CONFIG);
                RedisTier second = RedisTier.connect(redis.uri(), CONFIG)) {
            Cache<Object, String> writer = nearCache(name, first);
            Cache<Object, String> reader = nearCache(name, second);
            for (int i = 0; i < keys.size(); i++) {
                writer.put(keys.get(i), "v" + i);
            }
            // Each put's message must have arrived before the reader fills, or it would drop a fresh copy.
            await().atMost(Duration.ofSeconds(10)).until(() -> near(reader).invalidationsReceived() == keys.size());
            for (int i = 0; i < keys.size(); i++) {
                assertThat(reader.get(keys.get(i), HostileKeyRedisTest::noLoad)).isEqualTo("v" + i);
            }

            writer.invalidate(keys.get(0));

            await().atMost(Duration.ofSeconds(10)).until(() -> near(reader).invalidationsReceived() == keys.size() + 1);
            NearStats nearBefore = near(reader);
            RemoteStats remoteBefore = reader.remoteStats().orElseThrow();
            for (int i = 1; i < keys.size(); i++) {
                assertThat(reader.get(keys.get(i), HostileKeyRedisTest::noLoad)).isEqualTo("v" + i);
            }
            assertThat(near(reader).hits())
                    .as("near hits for the keys not invalidated")
                    .isEqualTo(nearBefore.hits() + keys.size() - 1);
            assertThat(reader.remoteStats().orElseThrow()).isEqualTo(remoteBefore);
            assertThat(reader.getIfPresent(keys.get(0))).isNull();
            assertEveryKeyHasATtl(raw);
        }
    }

    /**
     * Asserts that every key on the server has a time to live: Cachet writes none without one.
     *
     * @throws AssertionError naming up to ten keys without one
     */
    static void assertEveryKeyHasATtl(UnifiedJedis client) {
        List<String> immortal = new ArrayList<>();
        long[] seen = {0};
        scanAll(client, key -> {
            seen[0]++;
            if (client.pttl(key) == -1 && immortal.size() < 10) {
                immortal.add(new String(key, StandardCharsets.UTF_8));
            }
        });
        assertThat(immortal).as("keys without a TTL among %d", seen[0]).isEmpty();
    }

    /** Calls {@code action} with every key of the server (SCAN), at least once each. */
    static void scanAll(UnifiedJedis client, java.util.function.Consumer<byte[]> action) {
        ScanParams params = new ScanParams().count(1_000);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        ScanResult<byte[]> page;
        do {
            page = client.scan(cursor, params);
            page.getResult().forEach(action);
            cursor = page.getCursorAsBytes();
        } while (!page.isCompleteIteration());
    }

    static Cache<Object, String> remoteCache(RedisTier redisTier, String name, CacheRegistry registry) {
        return Cachet.builder(name)
                .registry(registry)
                .expireAfterWrite(TTL)
                .remote(redisTier, Codec.string())
                .build();
    }

    private static Cache<Object, String> nearCache(String name, RedisTier redisTier) {
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .remote(redisTier, Codec.string())
                .nearCache(100, TTL)
                .build();
    }

    private static String noLoad(Object key) {
        return fail("no load expected for " + key);
    }

    private static NearStats near(Cache<?, ?> cache) {
        return cache.nearStats().orElseThrow();
    }

    /** Asserts that {@code cache} holds {@code prefix + i} for each key from index {@code from} on. */
    private static void assertHolds(Cache<Object, String> cache, List<Object> keys, String prefix, int from) {
        for (int i = from; i < keys.size(); i++) {
            assertThat(cache.getIfPresent(keys.get(i)))
                    .as("%s in cache %s", describe(keys.get(i)), cache.name())
                    .isEqualTo(prefix + i);
        }
    }

    private static String describe(Object key) {
        return key.getClass().getSimpleName() + " " + key;
    }

    /** What one lookup saw: the value (null when absent), the lease and the lock. */
    record Seen(String value, long lease, boolean locked) {}

    private static Map<String, Seen> look(RemoteStore a, RemoteStore b, List<String> keys) {
        Map<String, Seen> seen = new LinkedHashMap<>();
        for (RemoteStore store : List.of(a, b)) {
            for (String key : keys) {
                Lookup lookup = store.lookup(key, Long.MAX_VALUE);
                String value = lookup.value()
                        .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                        .orElse(null);
                seen.put(id(store, key), new Seen(value, lookup.lease(), lookup.isLocked()));
            }
        }
        return seen;
    }

    private static void assertUnchangedExcept(Map<String, Seen> before, Map<String, Seen> after, String except) {
        for (Map.Entry<String, Seen> entry : before.entrySet()) {
            if (!entry.getKey().equals(except)) {
                assertThat(after.get(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
            }
        }
    }

    private static String id(RemoteStore store, String key) {
        return store.cacheName() + " / " + key;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
