package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Bounded staleness of the near tier when invalidation messages are lost: process A writes versions 1, 2, 3, ... of a
 * few keys while process B reads them continuously, and B's subscription is killed ({@code CLIENT KILL TYPE pubsub})
 * again and again, so the messages A sends until B subscribes again (about 50 ms later) are lost.
 *
 * <p>Two properties are checked for every read B makes, with {@code t} the time the read started:
 *
 * <ol>
 *   <li><b>The near TTL bounds staleness.</b> If the read returned version {@code v} of key {@code k}, A's put of
 *       version {@code v + 1} must not have returned before {@code t − nearTtl − slack}; the read's staleness is how
 *       long before {@code t} that put returned. A near copy is at most {@code nearTtl} old at {@code t}, and it was
 *       read from Redis shortly before it was stored; {@code slack} covers that gap (decode, copy, a scheduling
 *       hiccup on a busy machine). Both times come from {@link System#nanoTime()} of this one JVM, so no clock skew is
 *       involved.
 *   <li><b>The clear after resubscribing ends staleness.</b> When B's channel reports lost messages, B's near tier is
 *       cleared. Every read that starts after the clear must return at least the version of each key whose put had
 *       returned before the clear began. To time the clear exactly, B's tier is wrapped ({@link ObservedTier}) so that
 *       its channel's {@code onMessagesLost} call notes A's latest versions before passing the call on; the wrapper
 *       only observes.
 * </ol>
 *
 * <p>With a 200 ms near TTL the clear comes first, so staleness stays below the ~50 ms it takes to subscribe again. A
 * 15 ms near TTL (slack 20 ms) is shorter than that window, so there the TTL itself must cut the stale reads short.
 *
 * <p>The writer pauses at each kill point until the previous kill's clear was seen, so the kills are spread over the
 * writes. All waits are bounded (Awaitility); each run takes about two seconds and is cut at 60.
 */
@RedisTest
class NearCacheStalenessTest {
    private static final Duration REMOTE_TTL = Duration.ofMinutes(1);
    private static final Duration AWAIT = Duration.ofSeconds(5);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING =
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).dontCatchUncaughtExceptions();

    private static final int KEYS = 8;
    private static final int WRITES = 10_000;
    private static final int KILLS = 20;
    private static final int MAX_REPORTED_VIOLATIONS = 10;
    private static final RedisTierConfig TIER_CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();

    private final List<RemoteTier> tiers = new ArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    /** When each write returned (0 until it did), indexed by write number; write i is version i / KEYS + 1 of key i % KEYS. */
    private final AtomicLongArray returnedAt = new AtomicLongArray(WRITES);

    /** The latest version of each key whose put returned. */
    private final AtomicLongArray latest = new AtomicLongArray(KEYS);

    private final AtomicInteger writesDone = new AtomicInteger();
    private final AtomicInteger killsDone = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** What B's channel reported: for each {@code onMessagesLost}, A's latest versions just before the clear. */
    private final Queue<long[]> clears = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopThreadsAndDisconnect() {
        stop.set(true);
        threads.shutdownNow();
        tiers.forEach(RemoteTier::close);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // 10,000 writes and 20 kills: up to 6 s on an idle machine
    void staleReadsEndWithTheClearAfterLostMessagesWellWithinANearTtlOf200Ms(RedisServer redis) throws Exception {
        run(redis, Duration.ofMillis(200), Duration.ofMillis(50));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNearTtlShorterThanTheReconnectionCutsStaleReadsShort(RedisServer redis) throws Exception {
        Duration nearTtl = Duration.ofMillis(15);
        Duration slack = Duration.ofMillis(20);
        assertThat(nearTtl.plus(slack))
                .as("shorter than the pause before subscribing again, so the TTL must act before the clear")
                .isLessThan(InvalidationSubscriber.FIRST_BACKOFF);
        run(redis, nearTtl, slack);
    }

    private void run(RedisServer redis, Duration nearTtl, Duration slack) throws Exception {
        String name = "near-staleness-" + nearTtl.toMillis();
        Cache<String, Long> a = process(name, RedisTier.connect(redis.uri(), TIER_CONFIG), nearTtl);
        Cache<String, Long> b =
                process(name, new ObservedTier(RedisTier.connect(redis.uri(), TIER_CONFIG), latest, clears), nearTtl);
        for (int k = 0; k < KEYS; k++) {
            a.put(key(k), 0L);
        }
        long[] killedAt = new long[KILLS];
        long[] clearedAt = new long[KILLS];
        Reads reads = new Reads();
        long start = System.nanoTime();

        Future<?> writer = threads.submit(() -> write(a));
        Future<?> killer = threads.submit(() -> kill(redis, b, killedAt, clearedAt));
        Future<?> reader = threads.submit(() -> read(b, reads, nearTtl.plus(slack)));
        writer.get(AWAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
        killer.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        stop.set(true);
        reader.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        long elapsed = System.nanoTime() - start;

        NearStats nearB = b.nearStats().orElseThrow();
        long[] window = new long[KILLS];
        int writesInWindows = 0;
        for (int n = 0; n < KILLS; n++) {
            window[n] = clearedAt[n] - killedAt[n];
            for (int i = 0; i < WRITES; i++) {
                long returned = returnedAt.get(i);
                if (returned - killedAt[n] >= 0 && clearedAt[n] - returned >= 0) {
                    writesInWindows++;
                }
            }
        }
        Arrays.sort(window);
        System.out.printf(
                "near staleness, near TTL %d ms: %d writes and %d reads by B (%d near hits) in %d ms; %d kills, %d"
                        + " clears of B's near tier, %d lost-message reports; kill → clear seen: median %d ms, max %d"
                        + " ms, %d writes returned in between; %d stale reads, max staleness %.1f ms (allowed %d ms ="
                        + " TTL + slack); %d reads checked against the floor of a clear%n",
                nearTtl.toMillis(),
                WRITES,
                reads.count,
                nearB.hits(),
                TimeUnit.NANOSECONDS.toMillis(elapsed),
                KILLS,
                nearB.clears(),
                reads.lostReports + clears.size(),
                TimeUnit.NANOSECONDS.toMillis(window[KILLS / 2]),
                TimeUnit.NANOSECONDS.toMillis(window[KILLS - 1]),
                writesInWindows,
                reads.stale,
                reads.maxStalenessNanos / 1e6,
                nearTtl.plus(slack).toMillis(),
                reads.checkedAgainstFloor);

        assertThat(reads.violations).as("reads staler than allowed").isEmpty();
        assertThat(reads.loads)
                .as("B never needed its loader: A wrote every key first")
                .isZero();
        assertThat(reads.count).as("B read throughout").isGreaterThan(WRITES);
        assertThat(nearB.clears()).as("one clear per kill").isEqualTo(KILLS);
        assertThat(reads.lostReports + clears.size())
                .as("lost-message reports of B's channel")
                .isEqualTo(KILLS);
        assertThat(reads.checkedAgainstFloor).isPositive();
        assertThat(Duration.ofNanos(reads.maxStalenessNanos)).isLessThanOrEqualTo(nearTtl.plus(slack));
        for (Cache<?, ?> cache : List.of(a, b)) {
            CacheInvariants.check(cache);
            assertThat(CacheInvariants.loadsInFlight(cache)).isZero();
        }
    }

    private Cache<String, Long> process(String name, RemoteTier tier, Duration nearTtl) {
        tiers.add(tier);
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(REMOTE_TTL)
                .remote(tier, Codec.longs())
                .nearCache(100, nearTtl)
                .build();
    }

    private static String key(int k) {
        return "k" + k;
    }

    /** A's writes; before each kill point it waits until the previous kill's clear was seen. */
    private void write(Cache<String, Long> a) {
        for (int i = 0; i < WRITES; i++) {
            int killPoint = killPointAt(i);
            if (killPoint > 1) {
                POLLING.alias("kill " + (killPoint - 1) + " is over").until(() -> killsDone.get() >= killPoint - 1);
            }
            int k = i % KEYS;
            long version = (long) (i / KEYS) + 1;
            a.put(key(k), version);
            returnedAt.set(i, System.nanoTime());
            latest.set(k, version);
            writesDone.set(i + 1);
        }
    }

    /** Returns n when write {@code i} is the n-th kill point (1-based), 0 otherwise. */
    private static int killPointAt(int i) {
        for (int n = 1; n <= KILLS; n++) {
            if (i == n * WRITES / (KILLS + 1)) {
                return n;
            }
        }
        return 0;
    }

    /** Kills every pub/sub connection at each kill point and waits until B's near tier was cleared. */
    private void kill(RedisServer redis, Cache<String, Long> b, long[] killedAt, long[] clearedAt) {
        try (Jedis admin = new Jedis(URI.create(redis.uri()))) {
            for (int n = 1; n <= KILLS; n++) {
                int point = n * WRITES / (KILLS + 1);
                POLLING.alias("write " + point).until(() -> writesDone.get() >= point);
                long clearsBefore = b.nearStats().orElseThrow().clears();
                killedAt[n - 1] = System.nanoTime();
                long killed =
                        admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
                assertThat(killed)
                        .as("pub/sub connections killed (A's and B's)")
                        .isPositive();
                POLLING.alias("B's clear after kill " + n)
                        .until(() -> b.nearStats().orElseThrow().clears() > clearsBefore);
                clearedAt[n - 1] = System.nanoTime();
                killsDone.set(n);
            }
        }
    }

    /** B's reads, round robin over the keys, each checked as it returns. */
    private void read(Cache<String, Long> b, Reads reads, Duration maxStaleness) {
        long[] floor = new long[KEYS];
        long allowed = maxStaleness.toNanos();
        for (int i = 0; !stop.get(); i++) {
            for (long[] cleared = clears.poll(); cleared != null; cleared = clears.poll()) {
                reads.lostReports++;
                for (int k = 0; k < KEYS; k++) {
                    floor[k] = Math.max(floor[k], cleared[k]);
                }
            }
            int k = i % KEYS;
            long started = System.nanoTime();
            long version = b.get(key(k), unused -> {
                reads.loads++;
                return -1L;
            });
            reads.count++;
            if (floor[k] > 0) {
                reads.checkedAgainstFloor++;
            }
            if (version < floor[k]) {
                reads.violation(String.format(
                        "read %d of %s started after a clear and returned version %d < %d, written before the clear",
                        i, key(k), version, floor[k]));
            }
            int next = (int) (version * KEYS + k); // the write of version + 1
            if (next < WRITES) {
                long superseded = returnedAt.get(next);
                long staleness = started - superseded;
                if (superseded != 0 && staleness > 0) {
                    reads.stale++;
                    reads.maxStalenessNanos = Math.max(reads.maxStalenessNanos, staleness);
                    if (staleness > allowed) {
                        reads.violation(String.format(
                                "read %d of %s returned version %d, superseded %.1f ms before the read began",
                                i, key(k), version, staleness / 1e6));
                    }
                }
            }
        }
    }

    /** What the reader saw; written by the reader thread only, read after it ended. */
    private static final class Reads {
        final List<String> violations = new ArrayList<>();
        long count;
        long stale;
        long maxStalenessNanos;
        long loads;
        long lostReports;
        long checkedAgainstFloor;

        void violation(String description) {
            if (violations.size() < MAX_REPORTED_VIOLATIONS) {
                violations.add(description);
            }
        }
    }

    /**
     * B's tier, observed: its channels tell the test when they report lost messages. Before passing {@code
     * onMessagesLost} on (which clears the near tier), the listener queues a copy of A's latest versions.
     */
    private static final class ObservedTier implements RemoteTier {
        private final RedisTier delegate;
        private final AtomicLongArray latest;
        private final Queue<long[]> clears;

        ObservedTier(RedisTier delegate, AtomicLongArray latest, Queue<long[]> clears) {
            this.delegate = delegate;
            this.latest = latest;
            this.clears = clears;
        }

        @Override
        public RemoteStore store(String cacheName) {
            return delegate.store(cacheName);
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            InvalidationChannel channel = delegate.invalidations(cacheName);
            return new InvalidationChannel() {
                @Override
                public void subscribe(InvalidationListener listener) {
                    channel.subscribe(new InvalidationListener() {
                        @Override
                        public void onInvalidate(String key) {
                            listener.onInvalidate(key);
                        }

                        @Override
                        public void onInvalidateAll() {
                            listener.onInvalidateAll();
                        }

                        @Override
                        public void onMessagesLost() {
                            long[] floor = new long[latest.length()];
                            for (int k = 0; k < floor.length; k++) {
                                floor[k] = latest.get(k);
                            }
                            listener.onMessagesLost();
                            clears.add(floor); // after the clear: a read that sees it started after the clear
                        }
                    });
                }

                @Override
                public void publish(String key) {
                    channel.publish(key);
                }

                @Override
                public void publishAll() {
                    channel.publishAll();
                }

                @Override
                public boolean isConnected() {
                    return channel.isConnected();
                }

                @Override
                public void close() {
                    channel.close();
                }
            };
        }

        @Override
        public String describe() {
            return "observed " + delegate.describe();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
