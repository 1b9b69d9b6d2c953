package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * A near-tier fill that races with an invalidation: process B reads {@code v1} from Redis, A writes {@code v2} and B
 * applies A's message (or clears its near tier after lost messages) before B's read stores {@code v1} in its near tier.
 * The message is newer than {@code v1}, so {@code v1} must not stay in the near tier. B's codec holds the read at a
 * gate between Redis and the near tier, which makes the interleaving deterministic; the near TTL is long, so a stale
 * copy would stay for a minute.
 *
 * <p>{@code get} fills through the near tier's single flight, which an invalidation discards; {@code getIfPresent}
 * fills after its remote read only if nothing was dropped from the near tier meanwhile, and so does {@code getAll}.
 * The last test checks that a {@code get} never joins a {@code getIfPresent} and returns its null.
 */
@RedisTest
class NearCacheFillRaceTest {
    private static final Duration REMOTE_TTL = Duration.ofMinutes(1);
    private static final Duration NEAR_TTL = Duration.ofMinutes(1);
    private static final Duration AWAIT = Duration.ofSeconds(5);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    private static final RedisTierConfig TIER_CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();

    private final List<RemoteTier> tiers = new ArrayList<>();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private int names;

    @AfterEach
    void disconnect() {
        pool.shutdownNow();
        tiers.forEach(RemoteTier::close);
    }

    @Test
    void aGetThatStraddlesAnInvalidationDoesNotKeepTheOldValue(RedisServer redis) throws Exception {
        straddleAPut(redis, b -> b.get("k", k -> fail("no load expected")));
    }

    @Test
    void aGetIfPresentThatStraddlesAnInvalidationDoesNotKeepTheOldValue(RedisServer redis) throws Exception {
        straddleAPut(redis, b -> b.getIfPresent("k"));
    }

    @Test
    void aGetAllThatStraddlesAnInvalidationDoesNotKeepTheOldValue(RedisServer redis) throws Exception {
        straddleAPut(
                redis,
                b -> b.getAll(List.of("k"), keys -> fail("no load expected")).get("k"));
    }

    @Test
    void aGetIfPresentThatStraddlesAClearAfterLostMessagesDoesNotKeepTheOldValue(RedisServer redis) throws Exception {
        String name = "near-race-" + ++names;
        Cache<String, String> a = process(name, redis, Codec.string());
        GatedCodec gated = new GatedCodec();
        Cache<String, String> b = process(name, redis, gated);
        a.put("k", "v1");
        POLLING.alias("B applies the message about v1").until(() -> near(b).invalidationsReceived() == 1);

        Gate gate = gated.arm();
        Future<String> pending = pool.submit(() -> b.getIfPresent("k"));
        gate.awaitArrived();
        try (Jedis admin = new Jedis(URI.create(redis.uri()))) {
            assertThat(admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB)))
                    .isPositive();
        }
        a.put("k", "v2"); // before B subscribes again, so before B's clear
        POLLING.alias("B's near tier is cleared after it subscribed again").until(() -> near(b).clears() == 1);
        gate.release();

        assertThat(pending.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("v1");
        assertThat(b.getIfPresent("k"))
                .as("v2 was written before B's clear; v1 was read before it")
                .isEqualTo("v2");
    }

    /**
     * A {@code get} that arrives while a {@code getIfPresent} of the same absent key is reading Redis must still run its
     * loader: {@code get} returns null only when its loader does. B's store holds the {@code getIfPresent} at a gate
     * in its Redis read; the {@code get} is let through once it finished or is parked (waiting for someone else's
     * load).
     */
    @Test
    void aGetThatMeetsAGetIfPresentOfTheSameKeyInFlightStillLoads(RedisServer redis) throws Exception {
        String name = "near-race-" + ++names;
        GatedTier tier = new GatedTier(RedisTier.connect(redis.uri(), TIER_CONFIG));
        tiers.add(tier);
        Cache<String, String> b = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(REMOTE_TTL)
                .remote(tier, Codec.string())
                .nearCache(100, NEAR_TTL)
                .build();

        Gate gate = tier.arm();
        Future<String> present = pool.submit(() -> b.getIfPresent("absent"));
        gate.awaitArrived(); // B's getIfPresent is reading Redis
        AtomicReference<Object> got = new AtomicReference<>();
        Thread getter = new Thread(() -> {
            try {
                got.set(b.get("absent", k -> "loaded"));
            } catch (RuntimeException | Error e) {
                got.set(e);
            }
        });
        getter.start();
        POLLING.alias("the get finished or waits for another load")
                .until(() -> !getter.isAlive() || getter.getState() == Thread.State.WAITING);
        gate.release();
        getter.join(AWAIT.toMillis());

        assertThat(present.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(getter.isAlive()).isFalse();
        assertThat(got.get()).as("what get returned").isEqualTo("loaded");
    }

    /** B reads k through {@code read}; A's put of v2 and B's handling of its message happen while B holds v1. */
    private void straddleAPut(RedisServer redis, Function<Cache<String, String>, String> read) throws Exception {
        String name = "near-race-" + ++names;
        Cache<String, String> a = process(name, redis, Codec.string());
        GatedCodec gated = new GatedCodec();
        Cache<String, String> b = process(name, redis, gated);
        a.put("k", "v1");
        POLLING.alias("B applies the message about v1").until(() -> near(b).invalidationsReceived() == 1);

        Gate gate = gated.arm();
        Future<String> pending = pool.submit(() -> read.apply(b));
        gate.awaitArrived(); // B has read v1 from Redis
        a.put("k", "v2");
        POLLING.alias("B applies the message about v2").until(() -> near(b).invalidationsReceived() == 2);
        gate.release();

        assertThat(pending.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("v1 was current when B read it")
                .isEqualTo("v1");
        assertThat(b.getIfPresent("k"))
                .as("B applied the message about v2 before v1 reached its near tier")
                .isEqualTo("v2");
        Map<String, String> all = b.getAll(List.of("k"), keys -> fail("no load expected"));
        assertThat(all).containsEntry("k", "v2");
    }

    private <V> Cache<String, V> process(String name, RedisServer redis, ValueCodec<V> codec) {
        RedisTier tier = RedisTier.connect(redis.uri(), TIER_CONFIG);
        tiers.add(tier);
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(REMOTE_TTL)
                .remote(tier, codec)
                .nearCache(100, NEAR_TTL)
                .build();
    }

    private static NearStats near(Cache<?, ?> cache) {
        return cache.nearStats().orElseThrow();
    }

    /** Holds one decoding thread until released. */
    private static final class Gate {
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void hold() {
            arrived.countDown();
            try {
                if (!released.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the gate was not released within " + AWAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted at the gate", e);
            }
        }

        void awaitArrived() throws InterruptedException {
            assertThat(arrived.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("a read reached the gate")
                    .isTrue();
        }

        void release() {
            released.countDown();
        }
    }

    /** A tier whose store's next {@code get} after {@link #arm()} waits at a gate; the rest passes through. */
    private static final class GatedTier extends ForwardingRemoteTier {
        private final AtomicReference<Gate> armed = new AtomicReference<>();

        GatedTier(RedisTier delegate) {
            super(delegate, "gated");
        }

        Gate arm() {
            Gate gate = new Gate();
            armed.set(gate);
            return gate;
        }

        @Override
        public RemoteStore store(String cacheName) {
            return new ForwardingRemoteStore(delegate().store(cacheName)) {
                @Override
                public Lookup lookup(String key, long maxBytes) {
                    Lookup value = super.lookup(key, maxBytes);
                    Gate gate = armed.getAndSet(null);
                    if (gate != null) {
                        gate.hold();
                    }
                    return value;
                }
            };
        }
    }

    /** {@link Codec#string()}, whose next decode after {@link #arm()} waits at a gate. */
    private static final class GatedCodec implements ValueCodec<String> {
        private final Codec<String> strings = Codec.string();
        private final AtomicReference<Gate> armed = new AtomicReference<>();

        Gate arm() {
            Gate gate = new Gate();
            armed.set(gate);
            return gate;
        }

        @Override
        public String id() {
            return strings.id();
        }

        @Override
        public byte[] encode(String value) {
            return strings.encode(value);
        }

        @Override
        public String decode(byte[] bytes) {
            String value = strings.decode(bytes);
            Gate gate = armed.getAndSet(null);
            if (gate != null) {
                gate.hold();
            }
            return value;
        }
    }
}
