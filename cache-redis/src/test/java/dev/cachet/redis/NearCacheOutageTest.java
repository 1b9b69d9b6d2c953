package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.RemoteStats;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The near tier through a Redis outage (a {@link Dedicated} server killed with SIGKILL and restarted): it keeps serving
 * what it holds until its TTL, without exceptions; then the fail-open policy hands out the loader's values; once Redis
 * is back the near tier is cleared and values come from Redis again.
 */
@RedisTest
class NearCacheOutageTest {
    private static final Duration NEAR_TTL = Duration.ofSeconds(1);
    private static final Duration REMOTE_TTL = Duration.ofMinutes(1);
    private static final Duration AWAIT = Duration.ofSeconds(5);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    private static final RedisTierConfig FAST = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(150))
            .socketTimeout(Duration.ofMillis(150))
            .build();

    @Test
    void whileRedisIsDownTheNearTierServesUntilItsTtlThenTheLoaderAndARestartClearsIt(@Dedicated RedisServer redis) {
        String name = "near-outage";
        try (RedisTier tierA = RedisTier.connect(redis.uri(), FAST);
                RedisTier tierB = RedisTier.connect(redis.uri(), FAST);
                Jedis raw = new Jedis(redis.host(), redis.port())) {
            Cache<String, String> a = process(name, tierA);
            Cache<String, String> b = process(name, tierB);
            Function<String, String> noLoad = k -> fail("no load expected for " + k);
            a.put("k", "v1");
            // Else the message about v1, if late, could drop the copy B is about to make.
            POLLING.alias("B applies the message about v1").until(() -> near(b).invalidationsReceived() == 1);
            long beforeFill = System.nanoTime();
            assertThat(b.get("k", noLoad)).isEqualTo("v1");
            long filled = System.nanoTime();
            assertThat(b.get("k", noLoad)).isEqualTo("v1");
            assertThat(near(b).hits()).as("B's near tier holds k").isEqualTo(1);

            redis.kill();
            AtomicInteger nearReads = new AtomicInteger();
            AtomicLong lastNearReadStart = new AtomicLong();
            AtomicLong firstLoaderReadEnd = new AtomicLong();
            // Reads until the near copy has expired; a copy served for ever fails this wait. The times recorded here
            // are checked against the TTL below in the only direction that load cannot upset: a copy must not be
            // served after its TTL from the fill, nor stop being served before it.
            POLLING.alias("B stops serving the near copy once its TTL is over")
                    .atMost(NEAR_TTL.plus(AWAIT))
                    .until(() -> {
                        long started = System.nanoTime();
                        String value = b.get("k", k -> "from-loader");
                        long ended = System.nanoTime();
                        if ("v1".equals(value)) {
                            nearReads.incrementAndGet();
                            lastNearReadStart.set(started);
                            return false;
                        }
                        assertThat(value)
                                .as("once the near copy expired, fail-open loads")
                                .isEqualTo("from-loader");
                        firstLoaderReadEnd.set(ended);
                        return true;
                    });
            RemoteStats duringOutage = remote(b);

            assertThat(nearReads.get())
                    .as("reads the near tier answered while Redis was down")
                    .isPositive();
            assertThat(Duration.ofNanos(lastNearReadStart.get() - filled))
                    .as("the near copy is not served past its TTL")
                    .isLessThan(NEAR_TTL);
            assertThat(Duration.ofNanos(firstLoaderReadEnd.get() - beforeFill))
                    .as("the near copy is served until its TTL")
                    .isGreaterThanOrEqualTo(NEAR_TTL);
            assertThat(duringOutage.errors())
                    .as("the read after the TTL found Redis down")
                    .isPositive();
            assertThat(duringOutage.fallbackLoads()).isEqualTo(1);
            assertThat(b.get("k", noLoad))
                    .as("the loader's value is a near hit now")
                    .isEqualTo("from-loader");
            assertThat(near(b).clears()).as("no clear while Redis is down").isZero();

            redis.restart();
            POLLING.alias("B's near tier is cleared after the restart").until(() -> near(b).clears() >= 1);
            long clearsAtFirstClear = near(b).clears();
            assertThat(b.estimatedSize()).as("B's near tier is empty").isZero();
            POLLING.alias("A's put reaches the restarted server").until(() -> {
                a.put("k", "v2");
                return raw.exists(valueKey(name, "k"));
            });
            long remoteHits = remote(b).hits();
            POLLING.alias("B reads A's value from Redis").until(() -> "v2".equals(b.get("k", k -> "from-loader")));
            assertThat(remote(b).hits()).as("B's read was a Redis hit").isGreaterThan(remoteHits);
            // The first call that reaches Redis again clears the near tier, discarding that call's own fill, and
            // messages about A's retried puts may still drop B's copy: poll.
            POLLING.alias("B's near tier serves v2").until(() -> {
                long nearHits = near(b).hits();
                return "v2".equals(b.get("k", noLoad)) && near(b).hits() == nearHits + 1;
            });

            System.out.printf(
                    "near outage: %d near reads served while Redis was down; first loader value %d ms after the near"
                            + " fill (near TTL %d ms); clears after the restart: B %d (first seen: %d), A %d; B %s%n",
                    nearReads.get(),
                    Duration.ofNanos(firstLoaderReadEnd.get() - beforeFill).toMillis(),
                    NEAR_TTL.toMillis(),
                    near(b).clears(),
                    clearsAtFirstClear,
                    near(a).clears(),
                    remote(b));
            assertThat(near(b).clears()).as("cleared at most a couple of times").isBetween(1L, 2L);
            for (Cache<?, ?> cache : List.of(a, b)) {
                CacheInvariants.check(cache);
                assertThat(CacheInvariants.loadsInFlight(cache)).isZero();
            }
        }
    }

    private static Cache<String, String> process(String name, RedisTier tier) {
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(REMOTE_TTL)
                .remote(tier, Codec.string())
                .nearCache(100, NEAR_TTL)
                .build();
    }

    /** Returns the Redis key of the value of String key {@code key}, which the default key encoder tags {@code s:}. */
    private static String valueKey(String name, String key) {
        RedisTierConfig defaults = RedisTierConfig.defaults();
        return KeyLayout.of(defaults.keyPrefix(), name, defaults.maxKeyLength()).valueKey("s:" + key);
    }

    private static NearStats near(Cache<?, ?> cache) {
        return cache.nearStats().orElseThrow();
    }

    private static RemoteStats remote(Cache<?, ?> cache) {
        return cache.remoteStats().orElseThrow();
    }
}
