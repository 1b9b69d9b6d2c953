package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteStats;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisSentinel;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Kills the primary (SIGKILL) under 32 threads of reads and writes through a near cache over {@link
 * RedisTier#sentinel}, and checks what callers see: no exception (fail-open) and no wrong value, values being {@code
 * key:version} with versions that only grow per key, so a value of another key or of a version never issued shows.
 * Then the tier follows the promoted replica, its invalidation channel hears another process again, and the near tier
 * was cleared. Prints Sentinel's own failover time (the kill to {@code +switch-master}) and the time until the tier
 * serves again (the kill to the first read a cache answers from Redis).
 */
@RedisTest
@Timeout(180)
class SentinelFailoverTest {
    private static final int THREADS = 32;
    private static final int KEYS = 256;
    private static final int OPS_BEFORE_KILL = 200;
    private static final int OPS_AFTER_RECOVERY = 200;
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);
    private static final RedisTierConfig CONFIG =
            RedisTierConfig.builder().maxConnections(THREADS + 4).build();

    /** The source of truth: the latest version of each key. */
    private final AtomicLongArray versions = new AtomicLongArray(KEYS);

    private final Queue<Throwable> callerErrors = new ConcurrentLinkedQueue<>();
    private final Queue<String> wrongValues = new ConcurrentLinkedQueue<>();
    private final AtomicLong olderThanSeen = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();

    @RepeatedTest(3)
    void theTierFollowsThePromotedReplicaWithoutCallerErrorsOrWrongValues(
            @Dedicated RedisSentinel sentinel, RepetitionInfo repetition) throws Exception {
        RedisTierConfig config = SentinelTiers.withCredentials(sentinel, CONFIG);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        AtomicBoolean stop = new AtomicBoolean();
        try (RedisTier tier = RedisTier.sentinel(sentinel.masterName(), sentinel.sentinels(), config);
                RedisTier otherProcess = RedisTier.sentinel(sentinel.masterName(), sentinel.sentinels(), config);
                SwitchWatch watch = SwitchWatch.start(sentinel)) {
            Cache<Integer, String> cache = nearCache(tier);
            Cache<Integer, String> other = nearCache(otherProcess);
            Cache<String, String> probe = Cachet.builder("failover-probe")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .remote(tier, Codec.string())
                    .build();
            probe.put("probe", "in-redis");
            HostAndPort oldPrimary = sentinel.primaryAddress();
            awaitReplicated(sentinel, oldPrimary);

            CountDownLatch warmedUp = new CountDownLatch(THREADS);
            CountDownLatch recovered = new CountDownLatch(1);
            CountDownLatch loadAfterRecovery = new CountDownLatch(THREADS);
            List<Future<?>> load = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                load.add(pool.submit(() -> run(cache, stop, warmedUp, recovered, loadAfterRecovery)));
            }
            assertThat(warmedUp.await(30, TimeUnit.SECONDS))
                    .as("load warmed up")
                    .isTrue();
            long clearsBefore = cache.nearStats().orElseThrow().clears();

            RedisServer primary = sentinel.primary();
            long killedAt = System.nanoTime();
            primary.kill();
            long servedAt = firstReadFromRedis(probe, killedAt);
            recovered.countDown();
            HostAndPort newPrimary = sentinel.awaitPrimaryOtherThan(oldPrimary, FAILOVER_TIMEOUT);
            assertThat(loadAfterRecovery.await(60, TimeUnit.SECONDS))
                    .as("every thread ran %s operations after the recovery", OPS_AFTER_RECOVERY)
                    .isTrue();
            stop.set(true);
            for (Future<?> thread : load) {
                thread.get(30, TimeUnit.SECONDS);
            }
            long switchedAt = watch.switchedAt();

            // The tier writes to the promoted replica now.
            tier.store("failover").put("i:-1", "after-failover".getBytes(UTF_8), Duration.ofMinutes(1));
            try (Jedis jedis = new Jedis(newPrimary, sentinel.clientConfig())) {
                assertThat(jedis.get("cachet:8:failover:{i:-1}")).isEqualTo("after-failover");
            }
            // Each cache asks Redis again once its circuit breaker let a probe through: a read of a key no near tier
            // holds is answered by Redis (a miss there), not skipped.
            AtomicInteger freshKey = new AtomicInteger(-1_000);
            for (Cache<Integer, String> process : List.of(cache, other)) {
                RedisTier processTier = process == cache ? tier : otherProcess;
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .alias((process == cache ? "the first" : "the other") + " process reads from Redis again")
                        .failFast(() -> false)
                        .conditionEvaluationListener(condition -> {
                            if (condition.getRemainingTimeInMS() <= 0) {
                                System.out.println(
                                        "not yet: " + process.remoteStats() + " on " + currentPrimary(processTier));
                            }
                        })
                        .until(() -> {
                            RemoteStats before = process.remoteStats().orElseThrow();
                            process.getIfPresent(freshKey.decrementAndGet());
                            RemoteStats after = process.remoteStats().orElseThrow();
                            return after.hits() + after.misses() > before.hits() + before.misses();
                        });
            }
            // Its channel hears another process again: a write there drops the near copy here. The other process
            // writes until one message arrives: pub/sub keeps nothing for a channel still subscribing again.
            assertThat(cache.get(-2, k -> "near-copy")).isEqualTo("near-copy");
            long received = cache.nearStats().orElseThrow().invalidationsReceived();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        other.put(-2, "from-the-other-process");
                        return cache.nearStats().orElseThrow().invalidationsReceived() > received;
                    });
            assertThat(cache.get(-2, k -> "loaded")).isEqualTo("from-the-other-process");
            long clears = cache.nearStats().orElseThrow().clears() - clearsBefore;

            System.out.printf(
                    "Sentinel failover run %d/%d (load average %s): Sentinel failover (kill to +switch-master) %d ms;"
                            + " tier serves from Redis again %d ms after the kill (%+d ms after +switch-master);"
                            + " %d operations, %d caller errors, %d wrong values, %d reads of a version older than the"
                            + " same thread read before (racing writers, fresher loader values during the outage,"
                            + " writes lost with the primary); near tier cleared %d time(s)%n",
                    repetition.getCurrentRepetition(),
                    repetition.getTotalRepetitions(),
                    loadAverage(),
                    millis(switchedAt - killedAt),
                    millis(servedAt - killedAt),
                    millis(servedAt - switchedAt),
                    operations.get(),
                    callerErrors.size(),
                    wrongValues.size(),
                    olderThanSeen.get(),
                    clears);

            assertThat(callerErrors).as("exceptions callers saw").isEmpty();
            assertThat(wrongValues).as("wrong values callers saw").isEmpty();
            assertThat(newPrimary).isNotEqualTo(oldPrimary);
            assertThat(clears).as("near tier clears after the failover").isEqualTo(1);
            CacheInvariants.check(cache);
        } finally {
            stop.set(true);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static Cache<Integer, String> nearCache(RedisTier tier) {
        return Cachet.builder("failover")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(10))
                .remote(tier, Codec.string())
                .nearCache(KEYS * 2, Duration.ofMinutes(10))
                .build();
    }

    /** One caller: a mix of 80% reads and 20% writes of new versions, over the whole key space. */
    private void run(
            Cache<Integer, String> cache,
            AtomicBoolean stop,
            CountDownLatch warmedUp,
            CountDownLatch recovered,
            CountDownLatch loadAfterRecovery) {
        long[] seen = new long[KEYS];
        int done = 0;
        int afterRecovery = 0;
        while (!stop.get()) {
            int key = ThreadLocalRandom.current().nextInt(KEYS);
            try {
                if (ThreadLocalRandom.current().nextInt(5) == 0) {
                    cache.put(key, value(key, versions.incrementAndGet(key)));
                } else {
                    String value = cache.get(key, k -> value(k, versions.get(k)));
                    check(key, value, seen);
                }
            } catch (RuntimeException e) {
                callerErrors.add(e);
            }
            operations.incrementAndGet();
            if (++done == OPS_BEFORE_KILL) {
                warmedUp.countDown();
            }
            if (recovered.getCount() == 0 && ++afterRecovery == OPS_AFTER_RECOVERY) {
                loadAfterRecovery.countDown();
            }
        }
    }

    private void check(int key, String value, long[] seen) {
        String prefix = key + ":";
        if (value == null || !value.startsWith(prefix)) {
            wrongValues.add("key " + key + " read " + value);
            return;
        }
        long version;
        try {
            version = Long.parseLong(value.substring(prefix.length()));
        } catch (NumberFormatException e) {
            wrongValues.add("key " + key + " read " + value);
            return;
        }
        // Read after the get: versions only grow, so a version above this one was never issued.
        if (version > versions.get(key)) {
            wrongValues.add("key " + key + " read version " + version + ", never issued");
        }
        if (version < seen[key]) {
            olderThanSeen.incrementAndGet();
        }
        seen[key] = Math.max(seen[key], version);
    }

    private static String value(int key, long version) {
        return key + ":" + version;
    }

    /**
     * Returns when the probe cache first answers from Redis after the kill: a read whose loader did not run. Reads
     * every millisecond; the loader's value is what a caller gets while Redis is away.
     */
    private static long firstReadFromRedis(Cache<String, String> probe, long killedAt) {
        long deadline = killedAt + FAILOVER_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            AtomicBoolean loaded = new AtomicBoolean();
            String value = probe.get("probe", k -> {
                loaded.set(true);
                return "from-the-loader";
            });
            if (!loaded.get()) {
                // The loader's value too, if a write of it reached the new primary.
                assertThat(value).isIn("in-redis", "from-the-loader");
                return System.nanoTime();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        throw new AssertionError("the tier did not serve from Redis within " + FAILOVER_TIMEOUT + " of the kill");
    }

    private static void awaitReplicated(RedisSentinel sentinel, HostAndPort primary) {
        try (Jedis jedis = new Jedis(primary, sentinel.clientConfig())) {
            assertThat(jedis.waitReplicas(1, 5_000))
                    .as("the replica acknowledged")
                    .isEqualTo(1);
        }
    }

    private static String currentPrimary(RedisTier tier) {
        return tier.client("failover", "diagnose") instanceof redis.clients.jedis.RedisSentinelClient client
                ? String.valueOf(client.getCurrentMaster())
                : "?";
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Listens on one Sentinel for {@code +switch-master} and notes when it came. */
    private static final class SwitchWatch implements AutoCloseable {
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private final CountDownLatch switched = new CountDownLatch(1);
        private final AtomicLong switchedAt = new AtomicLong();
        private final JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                if (switchedAt.compareAndSet(0, System.nanoTime())) {
                    switched.countDown();
                }
            }
        };
        private final Thread thread;

        private SwitchWatch(RedisSentinel sentinel) {
            HostAndPort address = sentinel.sentinels().iterator().next();
            DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                    .user(sentinel.sentinelUser())
                    .password(sentinel.sentinelPassword())
                    .build();
            thread = new Thread(
                    () -> {
                        try (Jedis jedis = new Jedis(address, config)) {
                            jedis.subscribe(listener, "+switch-master");
                        }
                    },
                    "switch-watch");
            thread.setDaemon(true);
        }

        static SwitchWatch start(RedisSentinel sentinel) throws InterruptedException {
            SwitchWatch watch = new SwitchWatch(sentinel);
            watch.thread.start();
            assertThat(watch.subscribed.await(10, TimeUnit.SECONDS))
                    .as("subscribed to +switch-master")
                    .isTrue();
            return watch;
        }

        long switchedAt() throws InterruptedException {
            assertThat(switched.await(FAILOVER_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("Sentinel announced +switch-master")
                    .isTrue();
            return switchedAt.get();
        }

        @Override
        public void close() throws InterruptedException {
            if (listener.isSubscribed()) {
                listener.unsubscribe();
            }
            thread.join(5_000);
        }
    }
}
