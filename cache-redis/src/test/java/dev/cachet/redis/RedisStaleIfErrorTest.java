package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@code staleIfError} on real Redis: the key lives for its TTL plus the grace while its envelope keeps the TTL, a
 * process reads it as a miss once expired and serves it when its source fails, and with Redis killed a near tier
 * serves its copy until the remote expiry plus the grace. Each cache with its own registry stands for one process.
 */
@RedisTest
class RedisStaleIfErrorTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** Awaitility, polling every few milliseconds from the start: the waits here are for a real TTL to pass. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).dontCatchUncaughtExceptions();

    /** Timeouts a loaded machine still meets: a killed server refuses connections at once anyway. */
    private static final RedisTierConfig FAST = RedisTierConfig.builder()
            .connectTimeout(Duration.ofSeconds(1))
            .socketTimeout(Duration.ofSeconds(1))
            .build();

    private final String name = "stale-" + UUID.randomUUID();
    private final AtomicInteger loads = new AtomicInteger();

    private String failing(String key) {
        loads.incrementAndGet();
        throw new IllegalStateException("source down for " + key);
    }

    private Cache<String, String> process(RedisTier tier, Duration ttl, Duration grace, @Nullable Duration nearTtl) {
        var builder = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(ttl)
                .staleIfError(grace)
                .remote(tier, Codec.string());
        if (nearTtl != null) {
            builder.nearCache(100, nearTtl);
        }
        return builder.build();
    }

    @Test
    void redisKeepsTheKeyForTheTtlPlusTheGrace(RedisServer redis) {
        try (RedisTier tier = RedisTier.connect(redis.uri(), FAST);
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> cache = process(tier, Duration.ofMinutes(1), Duration.ofMinutes(10), null);
            cache.put("k", "v1");
            assertThat(cache.get("l", key -> "loaded")).isEqualTo("loaded");
            for (String key : List.of("k", "l")) {
                assertThat(raw.pttl(valueKey(key)))
                        .as("PTTL of %s: the TTL plus the grace", key)
                        .isGreaterThan(Duration.ofMinutes(10).toMillis())
                        .isLessThanOrEqualTo(Duration.ofMinutes(11).toMillis());
            }
        }
    }

    @Test
    void onceExpiredAnotherProcessReadsAMissAndServesTheExpiredValueWhenItsSourceFails(@Dedicated RedisServer redis) {
        // A dedicated server: the shared one may be flushed by another test class while this one waits for the TTL.
        Duration ttl = Duration.ofMillis(300);
        try (RedisTier tierA = RedisTier.connect(redis.uri(), FAST);
                RedisTier tierB = RedisTier.connect(redis.uri(), FAST);
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> a = process(tierA, ttl, Duration.ofSeconds(30), null);
            Cache<String, String> b = process(tierB, ttl, Duration.ofSeconds(30), null);
            a.put("k", "v1");
            POLLING.atMost(AWAIT).alias("the value expires").until(() -> b.getIfPresent("k") == null);
            assertThat(raw.exists(valueKey("k")))
                    .as("Redis still holds it for the grace")
                    .isTrue();

            assertThat(b.get("k", this::failing)).isEqualTo("v1");
            assertThat(b.stats().staleServedCount()).isEqualTo(1);
            assertThat(b.remoteStats().orElseThrow().staleServed()).isEqualTo(1);
            assertThat(b.get("k", key -> "v2"))
                    .as("a load that succeeds replaces it")
                    .isEqualTo("v2");
            assertThat(a.get("k", this::failing)).isEqualTo("v2");
            assertThat(loads).hasValue(1);
            CacheInvariants.check(b);
        }
    }

    @Test
    void withRedisKilledTheNearCopyIsServedUntilTheRemoteExpiryPlusTheGrace(@Dedicated RedisServer redis) {
        Duration ttl = Duration.ofSeconds(1);
        Duration grace = Duration.ofSeconds(2);
        try (RedisTier tierA = RedisTier.connect(redis.uri(), FAST);
                RedisTier tierB = RedisTier.connect(redis.uri(), FAST)) {
            Cache<String, String> a = process(tierA, ttl, grace, Duration.ofSeconds(10));
            Cache<String, String> b = process(tierB, ttl, grace, Duration.ofSeconds(10));
            long written = System.nanoTime();
            a.put("k", "v1");
            // A's message about its write must not reach B after B's read: it would drop B's copy.
            POLLING.atMost(AWAIT)
                    .alias("B receives A's invalidation")
                    .until(() -> b.nearStats().orElseThrow().invalidationsReceived() == 1);
            assertThat(b.get("k", this::failing))
                    .as("B's near copy, from Redis")
                    .isEqualTo("v1");
            redis.kill();

            POLLING.atMost(AWAIT).alias("B serves its expired near copy").until(() -> {
                assertThat(b.get("k", this::failing)).isEqualTo("v1");
                return b.nearStats().orElseThrow().staleServed() > 0;
            });
            assertThat(a.get("k", this::failing)).as("A's own copy").isEqualTo("v1");
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            POLLING.atMost(grace.plus(AWAIT)).alias("the grace ends").until(() -> {
                try {
                    assertThat(b.get("k", this::failing)).isEqualTo("v1");
                    return false;
                } catch (IllegalStateException e) {
                    failure.set(e);
                    return true;
                }
            });
            Duration servedFor = Duration.ofNanos(System.nanoTime() - written);
            assertThat(failure.get()).hasMessage("source down for k");
            assertThat(servedFor)
                    .as("served stale until the TTL plus the grace (less a millisecond of rounding)")
                    .isGreaterThanOrEqualTo(ttl.plus(grace).minusMillis(50));
            // A's copy was kept from its own write, a few milliseconds apart from B's read: it ends as well.
            POLLING.atMost(AWAIT).alias("A's grace ends").until(() -> {
                try {
                    assertThat(a.get("k", this::failing)).isEqualTo("v1");
                    return false;
                } catch (IllegalStateException e) {
                    return true;
                }
            });
            System.out.printf(
                    "near stale-if-error: B served its copy %d times, the first failure %d ms after the write (TTL %d"
                            + " ms + grace %d ms); B %s%n",
                    b.nearStats().orElseThrow().staleServed(),
                    servedFor.toMillis(),
                    ttl.toMillis(),
                    grace.toMillis(),
                    b.nearStats().orElseThrow());
        }
    }

    /** Returns the Redis key of the value of String key {@code key}, which the default key encoder tags {@code s:}. */
    private String valueKey(String key) {
        RedisTierConfig defaults = RedisTierConfig.defaults();
        return KeyLayout.of(defaults.keyPrefix(), name, defaults.maxKeyLength()).valueKey("s:" + key);
    }
}
