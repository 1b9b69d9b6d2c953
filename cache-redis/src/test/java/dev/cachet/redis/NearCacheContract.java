package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheStats;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.RemoteStats;
import dev.cachet.metrics.CachetMetrics;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.ForwardingInvalidationChannel;
import dev.cachet.testing.ForwardingInvalidationListener;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/**
 * What a near cache ({@code .remote(redisTier, codec).nearCache(size, ttl)}) does against real Redis, with two
 * processes: two caches of the same name, each with its own {@link CacheRegistry} and its own {@link RedisTier} (so
 * its own origin id and its own subscription). Subclasses supply the deployment: a standalone server or the Cluster.
 *
 * <p>Waits are bounded polls, never fixed sleeps. After each test every cache passes {@link CacheInvariants} and has no
 * load in flight.
 */
abstract class NearCacheContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration REMOTE_TTL = Duration.ofMinutes(1);
    private static final Duration NEAR_TTL = Duration.ofMinutes(1); // long: only messages may drop a near copy here
    private static final Duration AWAIT = Duration.ofSeconds(5);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    private static final RedisTierConfig TIER_CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();
    private static final int PROPAGATION_WRITES = 1_000;
    private static final int ACK_WRITES = 300;
    private static final Duration ACK_WAIT = Duration.ofSeconds(5);

    /** A value with a mutable component, which the near tier's default copier copies through the record. */
    record Basket(String owner, List<String> items) {}

    private final String name = "near-" + NAMES.incrementAndGet();
    private final List<RedisTier> tiers = new ArrayList<>();
    private final List<Cache<?, ?>> caches = new ArrayList<>();
    private final List<RemoteTier> closeables = new ArrayList<>();

    /** Connects a new tier to the deployment: one per simulated process. */
    abstract RedisTier newTier(RedisTierConfig config);

    /** Returns a client for raw single-key commands on the deployment. */
    abstract UnifiedJedis raw();

    /** Names the deployment in printed measurements. */
    abstract String deployment();

    @AfterEach
    void checkInvariantsAndDisconnect() {
        try {
            for (Cache<?, ?> cache : caches) {
                CacheInvariants.check(cache);
                assertThat(CacheInvariants.loadsInFlight(cache))
                        .as("loads in flight in %s", cache.name())
                        .isZero();
            }
        } finally {
            tiers.forEach(RedisTier::close);
            closeables.forEach(RemoteTier::close);
        }
    }

    // ---- 1: reads go near → Redis → loader ----

    @Test
    void readsGoNearThenRedisThenTheLoaderAndEachProcessFillsItsOwnNearTier() {
        Cache<String, String> a = process(Codec.string());
        Cache<String, String> b = process(Codec.string());
        AtomicInteger loads = new AtomicInteger();
        Function<String, String> loader = k -> k + "=" + loads.incrementAndGet();

        assertThat(a.get("k", loader)).isEqualTo("k=1");
        assertThat(raw().exists(valueKey("k")))
                .as("the loaded value is in Redis")
                .isTrue();
        assertThat(near(a)).isEqualTo(new NearStats(0, 1, 0, 0));
        RemoteStats remoteAfterLoad = remote(a);

        assertThat(a.get("k", loader)).isEqualTo("k=1");
        assertThat(near(a).hits()).as("A's second read is a near hit").isEqualTo(1);
        assertThat(remote(a)).as("A's second read makes no Redis call").isEqualTo(remoteAfterLoad);

        assertThat(b.get("k", loader)).as("B fills from Redis").isEqualTo("k=1");
        assertThat(near(b)).isEqualTo(new NearStats(0, 1, 0, 0));
        assertThat(remote(b).hits()).isEqualTo(1);
        RemoteStats remoteAfterFill = remote(b);
        assertThat(b.get("k", loader)).isEqualTo("k=1");
        assertThat(near(b).hits()).as("B's next read is a near hit").isEqualTo(1);
        assertThat(remote(b)).isEqualTo(remoteAfterFill);

        assertThat(loads).as("one load across both processes").hasValue(1);
    }

    // ---- 2: writes in one process drop the key from the other's near tier ----

    @Test
    void putInvalidateAndInvalidateAllInOneProcessDropTheKeyFromTheOthersNearTier() {
        Cache<String, String> a = process(Codec.string());
        Cache<String, String> b = process(Codec.string());
        Function<String, String> noLoad = k -> fail("no load expected for " + k);

        a.put("k", "v1");
        awaitHeard(b, 1); // else the message about v1 could drop the copy B is about to make
        assertThat(b.get("k", noLoad)).isEqualTo("v1");
        assertThat(b.get("k", noLoad)).isEqualTo("v1");
        assertThat(near(b).hits()).as("B holds k in its near tier").isEqualTo(1);

        a.put("k", "v2");
        int polls = pollUntil(() -> "v2".equals(b.get("k", noLoad)), "B reads A's new value");
        // B may read v2 once the write's ahead message dropped its copy, before the write's own message is counted.
        awaitHeard(b, 2);
        assertThat(b.get("k", noLoad)).isEqualTo("v2");
        System.out.printf("%s: B read A's put after %d poll(s)%n", deployment(), polls);

        a.invalidate("k");
        polls = pollUntil(() -> b.getIfPresent("k") == null, "B no longer finds k");
        awaitHeard(b, 3);
        System.out.printf("%s: B missed A's invalidated key after %d poll(s)%n", deployment(), polls);

        a.put("x", "1");
        a.put("y", "2");
        awaitHeard(b, 5);
        assertThat(b.get("x", noLoad)).isEqualTo("1");
        assertThat(b.get("y", noLoad)).isEqualTo("2");
        long clearsBefore = near(b).clears();
        a.invalidateAll();
        polls = pollUntil(
                () -> b.getIfPresent("x") == null && b.getIfPresent("y") == null, "B no longer finds x and y");
        assertThat(near(b).clears())
                .as("invalidateAll clears B's near tier once")
                .isEqualTo(clearsBefore + 1);
        assertThat(near(b).invalidationsReceived()).isEqualTo(6);
        assertThat(near(a).invalidationsReceived())
                .as("A heard none of its own messages")
                .isZero();
        System.out.printf("%s: B missed every key after A's invalidateAll after %d poll(s)%n", deployment(), polls);
    }

    /**
     * Measures the time from A's {@code put} returning to B's near tier dropping the key (B's {@code
     * invalidationsReceived} goes up, which happens right after the drop), over {@value #PROPAGATION_WRITES} writes of
     * one key that B re-reads into its near tier each time. Prints p50/p99; asserts delivery, not speed.
     */
    @Test
    void measuresThePropagationDelayOfAPutToTheOthersNearTier() {
        Cache<String, String> a = process(Codec.string());
        Cache<String, String> b = process(Codec.string());
        Function<String, String> noLoad = k -> fail("no load expected for " + k);
        long[] delays = new long[PROPAGATION_WRITES];
        long[] delaysFromCall = new long[PROPAGATION_WRITES];
        int droppedBeforeReturn = 0;
        a.put("k", "v0");
        awaitHeard(b, 1);

        for (int i = 1; i <= PROPAGATION_WRITES; i++) {
            assertThat(b.get("k", noLoad)).as("B reads the latest value").isEqualTo("v" + (i - 1));
            long received = near(b).invalidationsReceived();
            long called = System.nanoTime();
            a.put("k", "v" + i);
            long returned = System.nanoTime();
            if (near(b).invalidationsReceived() != received) {
                droppedBeforeReturn++;
            }
            // Spins rather than polling with Awaitility, to time each message to the microsecond; bounded all the same.
            long deadline = returned + AWAIT.toNanos();
            while (near(b).invalidationsReceived() == received) {
                if (System.nanoTime() - deadline > 0) {
                    fail("B did not hear write %d within %s", i, AWAIT);
                }
                Thread.onSpinWait();
            }
            long dropped = System.nanoTime();
            delays[i - 1] = Math.max(0, dropped - returned);
            delaysFromCall[i - 1] = dropped - called;
        }

        assertThat(b.get("k", noLoad)).isEqualTo("v" + PROPAGATION_WRITES);
        assertThat(near(b).invalidationsReceived()).isEqualTo(PROPAGATION_WRITES + 1);
        assertThat(near(b).misses())
                .as("every read after a message went to Redis")
                .isEqualTo(PROPAGATION_WRITES + 1);
        Arrays.sort(delays);
        Arrays.sort(delaysFromCall);
        System.out.printf(
                "%s: near-tier invalidation propagation over %d puts, A.put returned → B's near tier dropped the key:"
                        + " p50 %d µs, p99 %d µs, max %d µs (%d dropped before put returned); from A.put called: p50 %d"
                        + " µs, p99 %d µs%n",
                deployment(),
                PROPAGATION_WRITES,
                micros(delays, 50),
                micros(delays, 99),
                micros(delays, 100),
                droppedBeforeReturn,
                micros(delaysFromCall, 50),
                micros(delaysFromCall, 99));
    }

    /** Returns the {@code percentile}-th of the sorted nanosecond {@code values}, in microseconds. */
    private static long micros(long[] values, int percentile) {
        int index = Math.min(values.length - 1, values.length * percentile / 100);
        return TimeUnit.NANOSECONDS.toMicros(values[index]);
    }

    // ---- 4: a process never acts on its own messages ----

    /**
     * A's own message would reach A's subscription before B's marker, which B publishes after A's put returned: Redis
     * delivers on one connection in publish order (on a Cluster the two messages may be relayed by different nodes, so
     * there the marker is strong evidence rather than proof; the count is checked again at the end).
     */
    @Test
    void aProcessNeverActsOnItsOwnInvalidation() {
        Cache<String, String> a = process(Codec.string());
        Cache<String, String> b = process(Codec.string());

        a.put("k", "mine");
        b.put("marker", "from-b");
        awaitHeard(a, 1); // B's marker only
        NearStats nearBefore = near(a);
        RemoteStats remoteBefore = remote(a);

        assertThat(a.get("k", k -> fail("no load expected"))).isEqualTo("mine");
        assertThat(a.getIfPresent("k")).isEqualTo("mine");

        assertThat(near(a).hits()).as("both reads are near hits").isEqualTo(nearBefore.hits() + 2);
        assertThat(remote(a)).as("no Redis call").isEqualTo(remoteBefore);
        a.invalidate("other");
        a.invalidateAll();
        b.put("marker", "again");
        awaitHeard(a, 2);
        assertThat(near(a)).isEqualTo(new NearStats(nearBefore.hits() + 2, nearBefore.misses(), 2, 0));
    }

    // ---- 6: near hits, remote hits and misses apart, in the stats and in Micrometer ----

    @Test
    void statsAndMetricsSeparateNearHitsRemoteHitsAndMisses() {
        Cache<String, String> a = process(Codec.string());
        Cache<String, String> b = process(Codec.string());
        Function<String, String> noLoad = k -> fail("no load expected for " + k);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CachetMetrics.bind(b, meters);

        a.get("k1", k -> "v1"); // A: near miss, Redis miss (read before and after taking the lock), load, write
        a.get("k1", noLoad); // A: near hit
        b.get("k1", noLoad); // B: near miss, Redis hit
        b.get("k1", noLoad); // B: near hit
        b.get("k1", noLoad); // B: near hit
        b.get("k2", k -> "v2"); // B: near miss, Redis miss twice, load, write
        assertThat(b.getIfPresent("k3")).isNull(); // B: near miss, Redis miss
        a.put("k1", "v1b"); // B: a message drops k1
        awaitHeard(b, 1);
        assertThat(b.get("k1", noLoad)).isEqualTo("v1b"); // B: near miss, Redis hit

        assertThat(near(a)).isEqualTo(new NearStats(1, 1, 0, 0));
        assertThat(remote(a)).isEqualTo(new RemoteStats(0, 2, 0, 0, 0, 0, 0, 0));
        assertThat(near(b)).isEqualTo(new NearStats(2, 4, 1, 0));
        assertThat(remote(b)).isEqualTo(new RemoteStats(2, 3, 0, 0, 0, 0, 0, 0));
        CacheStats combinedA = a.stats();
        assertThat(combinedA.hitCount()).as("A: near + remote hits").isEqualTo(1);
        assertThat(combinedA.missCount())
                .as("A: misses that reached the loader")
                .isEqualTo(1);
        assertThat(combinedA.loadSuccessCount()).isEqualTo(1);
        assertThat(combinedA.putCount()).as("A: the load's write and the put").isEqualTo(2);
        CacheStats combinedB = b.stats();
        assertThat(combinedB.hitCount()).as("B: 2 near + 2 remote hits").isEqualTo(4);
        assertThat(combinedB.missCount())
                .as("B: the load of k2 and the absent k3")
                .isEqualTo(2);
        assertThat(combinedB.loadSuccessCount()).isEqualTo(1);
        assertThat(combinedB.putCount()).isEqualTo(1);

        assertThat(count(meters, "cache.near.gets", "hit")).isEqualTo(2);
        assertThat(count(meters, "cache.near.gets", "miss")).isEqualTo(4);
        assertThat(count(meters, "cache.remote.gets", "hit")).isEqualTo(2);
        assertThat(count(meters, "cache.remote.gets", "miss")).isEqualTo(3);
        assertThat(count(meters, "cache.gets", "hit"))
                .as("combined: near + remote hits")
                .isEqualTo(4);
        assertThat(count(meters, "cache.gets", "miss")).isEqualTo(2);
        assertThat(meters.get("cache.near.invalidations").functionCounter().count())
                .isEqualTo(1);
        assertThat(meters.get("cache.hit.ratio").gauge().value()).isEqualTo(4.0 / 6.0);
    }

    private static double count(SimpleMeterRegistry meters, String name, String result) {
        return meters.get(name).tag("result", result).functionCounter().count();
    }

    // ---- 7: defensive copies of near-tier values ----

    @Test
    void nearTierValuesAreCopiedSoCallersCannotChangeWhatOthersRead() {
        Cache<String, Basket> a = process(Codec.json(Basket.class));
        Cache<String, Basket> b = process(Codec.json(Basket.class));
        List<String> items = new ArrayList<>(List.of("apple"));

        a.put("k", new Basket("ann", items));
        awaitHeard(b, 1);
        items.add("changed after put");
        Basket fromA = a.get("k", k -> fail("no load expected"));
        fromA.items().add("changed by A's reader");
        Basket fromB = b.get("k", k -> fail("no load expected")); // filled from Redis
        fromB.items().add("changed by B's reader");

        assertThat(a.get("k", k -> fail("no load expected")).items()).containsExactly("apple");
        assertThat(b.get("k", k -> fail("no load expected")).items()).containsExactly("apple");
        assertThat(near(a).hits()).as("A's reads were near hits").isEqualTo(2);
        assertThat(near(b).hits()).as("B's second read was a near hit").isEqualTo(1);
    }

    // ---- 8: keys of different types are different entries, near and in the messages ----

    @Test
    void anInvalidationMessageEvictsOnlyTheKeyOfItsType() {
        Cache<Object, String> a = process(Codec.string());
        Cache<Object, String> b = process(Codec.string());
        List<Object> keys = List.of("1", 1, 1L);
        for (int i = 0; i < keys.size(); i++) {
            a.put(keys.get(i), "value-" + i);
        }
        awaitHeard(b, keys.size());
        for (int i = 0; i < keys.size(); i++) {
            assertThat(b.get(keys.get(i), k -> fail("no load expected"))).isEqualTo("value-" + i);
        }
        assertThat(b.estimatedSize()).as("three near entries").isEqualTo(3);

        a.invalidate(1);
        awaitHeard(b, keys.size() + 1);
        long hits = near(b).hits();
        assertThat(b.getIfPresent("1")).isEqualTo("value-0");
        assertThat(b.getIfPresent(1L)).isEqualTo("value-2");
        assertThat(near(b).hits()).as("the String and the Long key stayed near").isEqualTo(hits + 2);
        assertThat(b.getIfPresent(1)).isNull();
    }

    // ---- 8: writes announced ahead, acknowledged invalidation ----

    /**
     * A put is announced before it goes to Redis: while A's write is held on its way, B has already dropped its copy
     * (without counting a message), so B's read right after the write returns goes to Redis. Without the announcement
     * B would drop the copy only after the write, on the write's own message.
     */
    @Test
    @Timeout(60)
    void aWriteIsAnnouncedBeforeItGoesToRedisSoOtherProcessesDropTheirCopyEarly() throws Exception {
        HeldWriteTier held = new HeldWriteTier(newTier(TIER_CONFIG));
        Cache<String, String> a = process(held, Codec.string(), null);
        Cache<String, String> b = process(Codec.string());
        Function<String, String> noLoad = k -> fail("no load expected for " + k);
        a.put("k", "v0");
        awaitHeard(b, 1);
        assertThat(b.get("k", noLoad)).isEqualTo("v0");
        long missesBefore = near(b).misses();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            held.hold();
            Future<?> put = writer.submit(() -> a.put("k", "v1"));
            assertThat(held.entered.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("A's write reaches Redis's store call")
                    .isTrue();
            // B's near tier drops the key while A's write is held: B's read then misses near and finds v0 in Redis.
            POLLING.alias("B drops its copy before A's write is done").until(() -> {
                long misses = near(b).misses();
                String read = b.getIfPresent("k");
                return near(b).misses() > misses && "v0".equals(read);
            });
            held.release();
            put.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            held.release();
            writer.shutdownNow();
        }
        awaitHeard(b, 2);
        assertThat(b.get("k", noLoad)).isEqualTo("v1");
        assertThat(near(b).misses()).isGreaterThan(missesBefore);
        assertThat(near(b).invalidationsReceived())
                .as("the announcement is not counted as a message")
                .isEqualTo(2);
    }

    /**
     * A putAll is announced before it goes to Redis as a put is, in one message for the batch: while A's write is held
     * on its way, B has already dropped its copy of every key (without counting a message), so B's reads go to Redis.
     */
    @Test
    @Timeout(60)
    void aBulkWriteIsAnnouncedBeforeItGoesToRedisSoOtherProcessesDropTheirCopiesEarly() throws Exception {
        HeldWriteTier held = new HeldWriteTier(newTier(TIER_CONFIG));
        Cache<String, String> a = process(held, Codec.string(), null);
        Cache<String, String> b = process(Codec.string());
        Function<String, String> noLoad = k -> fail("no load expected for " + k);
        List<String> keys = List.of("j", "k");
        a.putAll(Map.of("j", "v0", "k", "v0"));
        awaitHeard(b, 2);
        keys.forEach(key -> assertThat(b.get(key, noLoad)).isEqualTo("v0"));
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            held.hold();
            // The forwarding store sends a putAll through put, where the tier holds it.
            Future<?> putAll = writer.submit(() -> a.putAll(Map.of("j", "v1", "k", "v1")));
            assertThat(held.entered.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("A's write reaches Redis's store call")
                    .isTrue();
            // B's near tier drops both keys while A's write is held: B's reads then miss near and find v0 in Redis.
            for (String key : keys) {
                POLLING.alias("B drops its copy of " + key + " before A's write is done")
                        .until(() -> {
                            long misses = near(b).misses();
                            String read = b.getIfPresent(key);
                            return near(b).misses() > misses && "v0".equals(read);
                        });
            }
            held.release();
            putAll.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            held.release();
            writer.shutdownNow();
        }
        awaitHeard(b, 4);
        keys.forEach(key -> assertThat(b.get(key, noLoad)).isEqualTo("v1"));
        assertThat(near(b).invalidationsReceived())
                .as("the announcement is not counted as a message")
                .isEqualTo(4);
    }

    /**
     * A tier a test can hold at one call, to stand for a slow write or a slow process: after {@link #hold()}, the
     * next thread to reach {@link #pass()} counts {@link #entered} down and waits there until {@link #release()} (or
     * four {@code AWAIT}s, so that a failed test never leaves a thread behind).
     */
    private abstract static class HeldTier extends ForwardingRemoteTier {
        final CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch gate = new CountDownLatch(0);

        HeldTier(RedisTier delegate, String name) {
            super(delegate, name);
        }

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        /** Called at the held call: waits while the tier is held, returns at once otherwise. */
        void pass() {
            CountDownLatch current = gate;
            if (current.getCount() > 0) {
                entered.countDown();
                try {
                    current.await(AWAIT.toMillis() * 4, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void close() {
            release();
            super.close();
        }
    }

    /** A tier whose store a test can hold inside {@code put}, to stand for a write on its way. */
    private static final class HeldWriteTier extends HeldTier {
        HeldWriteTier(RedisTier delegate) {
            super(delegate, "held-writes");
        }

        @Override
        public RemoteStore store(String cacheName) {
            return new ForwardingRemoteStore(delegate().store(cacheName)) {
                @Override
                public void put(String key, byte[] value, Duration ttl) {
                    pass();
                    super.put(key, value, ttl);
                }
            };
        }
    }

    /**
     * With {@code acknowledgedInvalidation}, a read in another process right after A's put, invalidate or
     * invalidateAll returned never returns the value B's near tier held before: each call returns only once B (and C,
     * which did not ask for acknowledgements itself but answers them) dropped the key. Without the option, B's
     * subscriber often drops the key only after A's call returned ({@link
     * #measuresThePropagationDelayOfAPutToTheOthersNearTier} prints how often), so this fails.
     */
    @Test
    @Timeout(60)
    void withAcknowledgedInvalidationAReadInAnotherProcessAfterTheWriteReturnsIsNeverStale() {
        Cache<String, String> a = process(Codec.string(), ACK_WAIT);
        Cache<String, String> b = process(Codec.string(), ACK_WAIT);
        Cache<String, String> c = process(Codec.string());
        Function<String, String> noLoad = k -> fail("no load expected for " + k);
        a.put("k", "v0");

        int stale = 0;
        for (int i = 1; i <= ACK_WRITES; i++) {
            assertThat(b.get("k", noLoad))
                    .as("B's near tier holds the previous value")
                    .isEqualTo("v" + (i - 1));
            assertThat(c.get("k", noLoad)).isEqualTo("v" + (i - 1));
            a.put("k", "v" + i);
            stale += ("v" + i).equals(b.getIfPresent("k")) ? 0 : 1;
            stale += ("v" + i).equals(c.getIfPresent("k")) ? 0 : 1;
        }
        assertThat(stale)
                .as("stale first reads in B and C over %d acknowledged puts", ACK_WRITES)
                .isZero();

        a.invalidate("k");
        assertThat(b.getIfPresent("k")).isNull();
        b.put("k", "from-b");
        assertThat(a.getIfPresent("k")).isEqualTo("from-b");
        a.invalidateAll();
        assertThat(b.getIfPresent("k")).isNull();
        assertThat(c.getIfPresent("k")).isNull();
        assertThat(near(a).acknowledged()).isEqualTo(ACK_WRITES + 3);
        assertThat(near(a).unacknowledged()).isZero();
        assertThat(near(b).acknowledged()).isEqualTo(1);
    }

    /**
     * The put waits for B's listener to return: while B's listener is held, A's put does not return; once released,
     * it returns, acknowledged, and B reads the new value.
     */
    @Test
    @Timeout(60)
    void anAcknowledgedPutReturnsOnlyOnceTheOtherProcessHasDroppedTheKey() throws Exception {
        Cache<String, String> a = process(Codec.string(), Duration.ofSeconds(30));
        HeldListenerTier held = new HeldListenerTier(newTier(TIER_CONFIG));
        Cache<String, String> b = process(held, Codec.string(), null);
        a.put("k", "v0");
        assertThat(b.get("k", k -> fail("no load expected"))).isEqualTo("v0");
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            held.hold();
            Future<?> put = writer.submit(() -> a.put("k", "v1"));
            assertThat(held.entered.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("B's listener is called")
                    .isTrue();
            assertThatThrownBy(() -> put.get(200, TimeUnit.MILLISECONDS))
                    .as("A's put waits while B's listener has not returned")
                    .isInstanceOf(TimeoutException.class);
            held.release();
            put.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            held.release();
            writer.shutdownNow();
        }
        assertThat(b.getIfPresent("k")).isEqualTo("v1");
        assertThat(near(a).acknowledged()).isEqualTo(2);
    }

    /** A receiver that does not answer in time: the put returns after the bounded wait, unacknowledged. */
    @Test
    @Timeout(60)
    void anAcknowledgedPutReturnsAfterTheWaitWhenAReceiverDoesNotAnswerAndCountsIt() throws Exception {
        Duration wait = Duration.ofMillis(300);
        Cache<String, String> a = process(Codec.string(), wait);
        HeldListenerTier held = new HeldListenerTier(newTier(TIER_CONFIG));
        Cache<String, String> b = process(held, Codec.string(), null);
        a.put("k", "v0");
        try {
            held.hold();
            long start = System.nanoTime();
            a.put("k", "v1");
            long took = System.nanoTime() - start;
            assertThat(Duration.ofNanos(took)).isBetween(wait, wait.plus(AWAIT));
            assertThat(near(a).unacknowledged()).isEqualTo(1);
            assertThat(near(a).acknowledged()).isEqualTo(1);
        } finally {
            held.release();
        }
        awaitHeard(b, 2);
        assertThat(b.getIfPresent("k")).isEqualTo("v1");
    }

    /** A tier whose channel's listener a test can hold inside {@code onInvalidate}, to stand for a slow process. */
    private static final class HeldListenerTier extends HeldTier {
        HeldListenerTier(RedisTier delegate) {
            super(delegate, "held");
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            InvalidationChannel channel = delegate().invalidations(cacheName);
            return new ForwardingInvalidationChannel(channel) {
                @Override
                public void subscribe(InvalidationListener listener) {
                    channel.subscribe(new ForwardingInvalidationListener(listener) {
                        @Override
                        public void onInvalidate(String key) {
                            pass();
                            super.onInvalidate(key);
                        }
                    });
                }
            };
        }
    }

    // ---- helpers ----

    /** Builds one process's near cache: its own registry and its own tier. */
    private <K, V> Cache<K, V> process(ValueCodec<V> codec) {
        return process(codec, null);
    }

    /** Builds one process's near cache, with acknowledged invalidation if {@code ackWait} is not null. */
    private <K, V> Cache<K, V> process(ValueCodec<V> codec, @Nullable Duration ackWait) {
        RedisTier tier = newTier(TIER_CONFIG);
        tiers.add(tier);
        return process(tier, codec, ackWait);
    }

    private <K, V> Cache<K, V> process(RemoteTier tier, ValueCodec<V> codec, @Nullable Duration ackWait) {
        if (tier instanceof ForwardingRemoteTier forwarding) {
            closeables.add(forwarding);
        }
        var builder = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(REMOTE_TTL)
                .remote(tier, codec)
                .nearCache(1_000, NEAR_TTL);
        if (ackWait != null) {
            builder.acknowledgedInvalidation(ackWait);
        }
        Cache<K, V> cache = builder.build();
        caches.add(cache);
        return cache;
    }

    /** Returns the Redis key of the value of String key {@code key}, which the default key encoder tags {@code s:}. */
    private String valueKey(String key) {
        RedisTierConfig defaults = RedisTierConfig.defaults();
        return KeyLayout.of(defaults.keyPrefix(), name, defaults.maxKeyLength()).valueKey("s:" + key);
    }

    private static NearStats near(Cache<?, ?> cache) {
        return cache.nearStats().orElseThrow();
    }

    private static RemoteStats remote(Cache<?, ?> cache) {
        return cache.remoteStats().orElseThrow();
    }

    /** Waits until {@code condition} holds; returns how many times it was evaluated, for the output. */
    private static int pollUntil(BooleanSupplier condition, String what) {
        AtomicInteger polls = new AtomicInteger();
        POLLING.alias(what).until(() -> {
            polls.incrementAndGet();
            return condition.getAsBoolean();
        });
        return polls.get();
    }

    /** Waits until {@code cache} has applied {@code messages} invalidation messages in all. */
    private static void awaitHeard(Cache<?, ?> cache, long messages) {
        POLLING.alias(cache.name() + " applies " + messages + " message(s)")
                .until(() -> near(cache).invalidationsReceived() >= messages);
        assertThat(near(cache).invalidationsReceived()).isEqualTo(messages);
    }
}
