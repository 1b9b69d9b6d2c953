package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.RemoteStats;
import dev.cachet.Ticker;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * What a cache over a {@link RedisTier} does against real Redis. Two caches with their own registries and their own
 * tiers stand for two processes sharing one deployment; subclasses supply the deployment and raw access to it. After
 * each test every key has a time to live, no lock is left held and no load is left in flight.
 */
abstract class RedisCacheContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** Awaitility, polling every millisecond from the start: the waits here are for events that take about that. */
    private static final ConditionFactory POLLING = Awaitility.await()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .dontCatchUncaughtExceptions();

    private static final RedisTierConfig TIER_CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();
    private static final Codec<String> STRINGS = Codec.string();

    /** A value with nested and non-ASCII content, for the JSON codec. */
    record Quote(String symbol, BigDecimal price, List<String> venues, Map<String, Integer> depth) {}

    private final String name = "quotes-" + NAMES.incrementAndGet();
    private final List<RedisTier> tiers = new ArrayList<>();
    private final List<Cache<?, ?>> caches = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    /** Connects a new tier to the deployment: one per simulated process. */
    abstract RedisTier newTier(RedisTierConfig config);

    /** Returns a client for raw single-key commands on the deployment. */
    abstract UnifiedJedis raw();

    /** Returns every key of the deployment with its PTTL in milliseconds (-1: no expiry). */
    abstract Map<String, Long> ttlOfEveryKey();

    @AfterEach
    void checkInvariantsAndDisconnect() {
        pool.shutdownNow();
        try {
            for (Cache<?, ?> cache : caches) {
                CacheInvariants.check(cache);
                assertThat(CacheInvariants.loadsInFlight(cache))
                        .as("loads in flight in %s", cache.name())
                        .isZero();
            }
            Map<String, Long> ttls = ttlOfEveryKey();
            assertThat(ttls)
                    .allSatisfy(
                            (key, ttl) -> assertThat(ttl).as("PTTL of %s", key).isPositive());
            assertThat(ttls.keySet()).as("locks left held").noneMatch(key -> key.endsWith(":lock"));
        } finally {
            tiers.forEach(RedisTier::close);
        }
    }

    @Test
    void aValueLoadedByOneProcessIsAHitInTheOther() {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        AtomicInteger loads = new AtomicInteger();

        assertThat(a.get("AAPL", k -> k + "=" + loads.incrementAndGet())).isEqualTo("AAPL=1");
        assertThat(b.get("AAPL", k -> k + "=" + loads.incrementAndGet())).isEqualTo("AAPL=1");

        assertThat(loads).hasValue(1);
        assertThat(a.stats().missCount()).isEqualTo(1);
        assertThat(a.stats().loadSuccessCount()).isEqualTo(1);
        assertThat(a.stats().putCount()).isEqualTo(1);
        // A reads before and again after taking the lock; both miss.
        assertThat(a.remoteStats()).contains(new RemoteStats(0, 2, 0, 0, 0, 0, 0, 0));
        assertThat(b.stats().hitCount()).isEqualTo(1);
        assertThat(b.stats().loadCount()).isZero();
        assertThat(b.remoteStats()).contains(new RemoteStats(1, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void keysOfDifferentTypesAreDifferentRedisKeysNamedByTheirTypeTag() {
        Cache<Object, String> a = processOfAnyKeys();
        Cache<Object, String> b = processOfAnyKeys();
        List<Object> keys = List.of("1", 1, 1L, true, "true");
        List<String> encoded = List.of("s:1", "i:1", "l:1", "b:true", "s:true");
        for (int i = 0; i < keys.size(); i++) {
            a.put(keys.get(i), "value-" + i);
        }

        assertThat(valueKey(name, "1"))
                .isEqualTo(TIER_CONFIG.keyPrefix() + ":" + name.length() + ":" + name + ":{s:1}");
        for (int i = 0; i < keys.size(); i++) {
            assertThat(b.getIfPresent(keys.get(i))).as("%s", encoded.get(i)).isEqualTo("value-" + i);
            assertThat(raw().get(layout(name).valueKey(encoded.get(i))))
                    .as("%s", encoded.get(i))
                    .endsWith("value-" + i);
        }
        b.invalidate(1);
        assertThat(raw().exists(layout(name).valueKey("i:1"))).isFalse();
        assertThat(a.getIfPresent(1)).isNull();
        assertThat(a.getIfPresent("1")).isEqualTo("value-0");
        assertThat(a.getIfPresent(1L)).isEqualTo("value-2");
    }

    @Test
    void putsAndInvalidationsOfOneProcessAreSeenByTheOther() {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());

        a.put("MSFT", "m");
        assertThat(b.getIfPresent("MSFT")).isEqualTo("m");
        b.put("MSFT", "m2");
        assertThat(a.getIfPresent("MSFT")).isEqualTo("m2");

        b.invalidate("MSFT");
        assertThat(a.getIfPresent("MSFT")).isNull();
        assertThat(raw().exists(valueKey(name, "MSFT"))).isFalse();
    }

    @Test
    void invalidateAllClearsThisCacheInEveryProcessAndNoOtherCache() {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        String neighbourName = name + "-neighbour";
        Cache<String, String> neighbour =
                process(neighbourName, STRINGS, RemoteConfig.ofDefaults(), Ticker.systemTicker());
        a.put("x", "1");
        assertThat(a.get("y", k -> "2")).isEqualTo("2");
        neighbour.put("x", "n");

        b.invalidateAll();

        assertThat(a.getIfPresent("x")).isNull();
        assertThat(a.getIfPresent("y")).isNull();
        assertThat(raw().exists(valueKey(name, "x"))).isFalse();
        assertThat(raw().exists(valueKey(name, "y"))).isFalse();
        assertThat(raw().exists(valueKey(neighbourName, "x"))).isTrue();
        assertThat(neighbour.getIfPresent("x")).isEqualTo("n");
    }

    @Test
    void everyKeyTheCacheWritesHasATimeToLive() {
        Duration lease = Duration.ofSeconds(20);
        Cache<String, String> a =
                process(STRINGS, RemoteConfig.custom().lockLease(lease).build());
        AtomicLong lockTtlDuringLoad = new AtomicLong();
        AtomicLong fenceTtlDuringLoad = new AtomicLong();

        a.get("k", k -> {
            lockTtlDuringLoad.set(raw().pttl(lockKey(name, "k")));
            fenceTtlDuringLoad.set(raw().pttl(fenceKey(name, "k")));
            return "v";
        });
        a.put("p", "v");

        assertThat(lockTtlDuringLoad.get()).isPositive().isLessThanOrEqualTo(lease.toMillis());
        assertThat(fenceTtlDuringLoad.get()).isGreaterThan(lease.toMillis());
        assertThat(raw().pttl(valueKey(name, "k"))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
        assertThat(raw().pttl(valueKey(name, "p"))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
        assertThat(raw().pttl(fenceKey(name, "k"))).isPositive();
        assertThat(raw().pttl(lockKey(name, "k"))).as("released after the load").isEqualTo(-2);
        assertThat(ttlOfEveryKey())
                .containsKeys(valueKey(name, "k"), valueKey(name, "p"), fenceKey(name, "k"))
                .allSatisfy((key, ttl) -> assertThat(ttl).as("PTTL of %s", key).isPositive());
    }

    @Test
    void valuesRoundTripThroughJson() {
        Cache<String, Quote> a = process(Codec.json(Quote.class), RemoteConfig.ofDefaults());
        Cache<String, Quote> b = process(Codec.json(Quote.class), RemoteConfig.ofDefaults());
        Quote put = new Quote(
                "GLE.PA", new BigDecimal("31.415"), List.of("Euronext", "Société Générale €"), Map.of("bid", 3));
        Quote loaded = new Quote("\uD83D\uDE00", new BigDecimal("-0.001"), List.of(), Map.of());

        a.put("GLE", put);
        assertThat(a.get("SMILE", k -> loaded)).isSameAs(loaded);

        assertThat(b.getIfPresent("GLE")).isEqualTo(put).isNotSameAs(put);
        assertThat(b.get("SMILE", k -> null)).isEqualTo(loaded).isNotSameAs(loaded);
        assertThat(raw().get(valueKey(name, "GLE")))
                .contains("\"symbol\":\"GLE.PA\"")
                .contains("\"price\":31.415");
        assertThat(b.remoteStats().orElseThrow().decodeFailures()).isZero();
    }

    @Test
    void garbageInRedisIsACountedMissThatIsDeletedAndReloaded() {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        a.put("k", "v");
        byte[] envelope = rawBytes(valueKey(name, "k"));
        byte[] badUtf8 = envelope.clone();
        badUtf8[badUtf8.length - 1] = (byte) 0xFF; // the string codec rejects malformed UTF-8
        List<byte[]> garbage = List.of(
                "not an envelope".getBytes(UTF_8), Arrays.copyOf(envelope, 10), badUtf8, new byte[] {(byte) 0xCA});

        for (int i = 0; i < garbage.size(); i++) {
            raw().set(valueKey(name, "k").getBytes(UTF_8), garbage.get(i));
            assertThat(b.getIfPresent("k")).as("garbage %s", i).isNull();
            assertThat(raw().exists(valueKey(name, "k")))
                    .as("deleted garbage %s", i)
                    .isFalse();
        }
        raw().set(valueKey(name, "k").getBytes(UTF_8), garbage.get(0));
        AtomicInteger loads = new AtomicInteger();
        assertThat(b.get("k", k -> "reloaded-" + loads.incrementAndGet())).isEqualTo("reloaded-1");

        assertThat(loads).hasValue(1);
        assertThat(b.remoteStats().orElseThrow().decodeFailures()).isEqualTo(garbage.size() + 1L);
        assertThat(b.remoteStats().orElseThrow().hits()).isZero();
        assertThat(a.getIfPresent("k")).isEqualTo("reloaded-1");
        assertThat(a.remoteStats().orElseThrow().decodeFailures()).isZero();
    }

    @Test
    void aValueWrittenByAnotherCodecIsACountedMissNeverAWrongValueAndLeftAlone() {
        Cache<String, Long> longs = process(Codec.longs(), RemoteConfig.ofDefaults());
        Cache<String, Integer> integers = process(Codec.integers(), RemoteConfig.ofDefaults());
        Cache<String, String> strings = process(STRINGS, RemoteConfig.ofDefaults());

        // "42" is a valid payload for all three codecs: only the envelope's codec id tells them apart.
        longs.put("k", 42L);
        byte[] written = rawBytes(valueKey(name, "k"));
        assertThat(integers.get("k", k -> 7)).isEqualTo(7);
        assertThat(integers.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
        assertThat(integers.stats().loadSuccessCount()).isEqualTo(1);
        // Neither deleted nor replaced: two versions of an application with different codecs (a rolling deploy)
        // must not undo each other's values in a loop.
        assertThat(rawBytes(valueKey(name, "k"))).isEqualTo(written);
        assertThat(longs.getIfPresent("k")).isEqualTo(42L);

        assertThat(strings.getIfPresent("k")).isNull();
        assertThat(strings.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
        assertThat(rawBytes(valueKey(name, "k"))).isEqualTo(written);

        strings.put("k", "42");
        assertThat(longs.getIfPresent("k")).isNull();
        assertThat(longs.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
    }

    @Test
    void anOversizedValueIsRejectedNamingCacheAndSizeAndThePreviousValueStays() {
        RemoteConfig small = RemoteConfig.custom().maxValueBytes(64).build();
        Cache<String, String> a = process(STRINGS, small);
        Cache<String, String> b = process(STRINGS, small);
        a.put("k", "small");
        byte[] before = rawBytes(valueKey(name, "k"));

        assertThatThrownBy(() -> a.put("k", "x".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining("65 bytes exceeds maxValueBytes 64");

        assertThat(rawBytes(valueKey(name, "k"))).isEqualTo(before);
        assertThat(b.getIfPresent("k")).isEqualTo("small");
        a.put("k", "y".repeat(64));
        assertThat(b.getIfPresent("k")).isEqualTo("y".repeat(64));
    }

    @Test
    void threadsOfOneProcessShareOneLoad() throws Exception {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        int threads = 64;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit(() -> {
                barrier.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
                return a.get("k", k -> {
                    loads.incrementAndGet();
                    await(release);
                    return "v";
                });
            }));
        }
        // Every thread has missed once it is counted, and the loader holds the value back until then.
        POLLING.alias("every caller missed").until(() -> a.stats().missCount() == threads);
        release.countDown();

        Set<String> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Future<String> result : results) {
            String value = result.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(value).isEqualTo("v");
            distinct.add(value);
        }
        assertThat(loads).hasValue(1);
        assertThat(distinct).as("every caller gets its own copy").hasSize(threads);
        assertThat(a.stats().loadSuccessCount()).isEqualTo(1);
        assertThat(a.stats().putCount()).isEqualTo(1);
        assertThat(a.remoteStats().orElseThrow().lockWaits())
                .as("the threads never contended for the Redis lock")
                .isZero();
    }

    @Test
    void aSecondProcessWaitsForTheFirstProcesssLoad() throws Exception {
        RemoteConfig patient = RemoteConfig.custom().lockWait(AWAIT).build();
        Cache<String, String> a = process(STRINGS, patient);
        Cache<String, String> b = process(STRINGS, patient);
        CountDownLatch aLoading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> a.get("k", k -> {
            aLoading.countDown();
            await(release);
            return "from-a";
        }));
        await(aLoading);
        AtomicInteger bLoads = new AtomicInteger();

        Future<String> second = pool.submit(() -> b.get("k", k -> "from-b-" + bLoads.incrementAndGet()));
        POLLING.alias("B waits for A's lock")
                .until(() -> b.remoteStats().orElseThrow().lockWaits() == 1);
        release.countDown();

        assertThat(first.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("from-a");
        assertThat(second.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("from-a");
        assertThat(bLoads).hasValue(0);
        assertThat(b.remoteStats().orElseThrow().lockWaits()).isEqualTo(1);
        assertThat(b.remoteStats().orElseThrow().lockTimeouts()).isZero();
        assertThat(b.stats().loadCount()).isZero();
    }

    @Test
    void aWaitThatRunsOutLoadsItselfAndIsCounted() throws Exception {
        RemoteConfig impatient = RemoteConfig.custom()
                .lockWait(Duration.ofMillis(100))
                .lockPollInterval(Duration.ofMillis(10))
                .build();
        Cache<String, String> a = process(STRINGS, impatient);
        Cache<String, String> b = process(STRINGS, impatient);
        CountDownLatch aLoading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> a.get("k", k -> {
            aLoading.countDown();
            await(release);
            return "from-a";
        }));
        await(aLoading);

        assertThat(b.get("k", k -> "from-b")).isEqualTo("from-b");

        assertThat(b.remoteStats().orElseThrow().lockWaits()).isEqualTo(1);
        assertThat(b.remoteStats().orElseThrow().lockTimeouts()).isEqualTo(1);
        assertThat(b.stats().loadSuccessCount()).isEqualTo(1);
        assertThat(a.getIfPresent("k"))
                .as("B wrote its own value, with the lease of its latest miss")
                .isEqualTo("from-b");
        release.countDown();
        assertThat(first.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("from-a");
        assertThat(b.getIfPresent("k"))
                .as("B's write used up the lease A read after taking the lock, so A's write is refused")
                .isEqualTo("from-b");
    }

    /** Starts {@code a}'s load of {@code key}, which reads the old row, then waits for {@code release}. */
    private Future<String> loadOfTheOldRow(Cache<String, String> a, String key, CountDownLatch release) {
        CountDownLatch loading = new CountDownLatch(1);
        Future<String> load = pool.submit(() -> a.get(key, k -> {
            loading.countDown();
            await(release);
            return "old";
        }));
        await(loading);
        return load;
    }

    /** Issue 10, violation 3: A's loader holds the lock and reads the old row; B invalidates; A's write is refused. */
    @Test
    void aLoaderHoldingTheLockCannotBringBackWhatAnotherProcessInvalidated() throws Exception {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        CountDownLatch release = new CountDownLatch(1);
        Future<String> load = loadOfTheOldRow(a, "k", release);

        b.invalidate("k"); // after updating the source of truth

        release.countDown();
        assertThat(load.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("old");
        assertThat(raw().exists(valueKey(name, "k")))
                .as("A's write was refused")
                .isFalse();
        assertThat(process(STRINGS, RemoteConfig.ofDefaults()).getIfPresent("k"))
                .isNull();
    }

    /**
     * Contract item 2 for invalidateAll: A's loader (holding the lock, or with no lock at all) reads the old row; B
     * invalidates the whole cache; A's write is refused.
     */
    @Test
    void aLoaderInFlightCannotBringBackWhatAnotherProcessInvalidatedAll() throws Exception {
        for (Duration lockWait : List.of(RemoteConfig.ofDefaults().lockWait(), Duration.ZERO)) {
            RemoteConfig config = RemoteConfig.custom().lockWait(lockWait).build();
            String key = "k" + lockWait.toMillis(); // a key of its own: no lock has made its fence before the read
            Cache<String, String> a = process(STRINGS, config);
            Cache<String, String> b = process(STRINGS, config);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> load = loadOfTheOldRow(a, key, release);

            b.invalidateAll(); // after updating the source of truth

            release.countDown();
            assertThat(load.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("old");
            assertThat(raw().exists(valueKey(name, key)))
                    .as("A's write was refused (lock wait %s)", lockWait)
                    .isFalse();
            assertThat(process(STRINGS, config).getIfPresent(key)).isNull();
        }
    }

    /** Issue 10, violation 3: A's loader holds the lock and reads the old row; B puts; A's write is refused. */
    @Test
    void aLoaderHoldingTheLockCannotOverwriteWhatAnotherProcessPut() throws Exception {
        Cache<String, String> a = process(STRINGS, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        CountDownLatch release = new CountDownLatch(1);
        Future<String> load = loadOfTheOldRow(a, "k", release);

        b.put("k", "new");

        release.countDown();
        assertThat(load.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("old");
        assertThat(process(STRINGS, RemoteConfig.ofDefaults()).getIfPresent("k"))
                .as("A's write was refused")
                .isEqualTo("new");
    }

    /**
     * Issue 10, violation 5: the holder's loader returns null (or throws); of three waiting processes one takes the
     * lock at once and loads, the other two get its value. None waits out lockWait, which is longer than this test.
     */
    @Test
    void whenTheHolderEndsWithoutAValueOneWaiterLoadsNextAndTheOthersGetItsValue() throws Exception {
        for (boolean holderThrows : List.of(false, true)) {
            RemoteConfig patient = RemoteConfig.custom()
                    .lockWait(Duration.ofMinutes(1))
                    .lockPollInterval(Duration.ofMillis(5))
                    .build();
            String key = "k-" + holderThrows;
            Cache<String, String> holder = process(STRINGS, patient);
            CountDownLatch holderLoading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> holderLoad = pool.submit(() -> holder.get(key, k -> {
                holderLoading.countDown();
                await(release);
                if (holderThrows) {
                    throw new IllegalStateException("the database is down");
                }
                return null;
            }));
            await(holderLoading);
            AtomicInteger waiterLoads = new AtomicInteger();
            List<Cache<String, String>> waiters = new ArrayList<>();
            List<Future<String>> waits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Cache<String, String> waiter = process(STRINGS, patient);
                waiters.add(waiter);
                waits.add(pool.submit(() -> waiter.get(key, k -> "v" + waiterLoads.incrementAndGet())));
            }
            POLLING.alias("every waiter waits for the holder's lock")
                    .until(() -> waiters.stream()
                            .allMatch(w -> w.remoteStats().orElseThrow().lockWaits() == 1));

            release.countDown();

            if (holderThrows) {
                assertThatThrownBy(() -> holderLoad.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                        .hasRootCauseMessage("the database is down");
            } else {
                assertThat(holderLoad.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                        .isNull();
            }
            for (Future<String> wait : waits) {
                assertThat(wait.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("holder threw: %s", holderThrows)
                        .isEqualTo("v1");
            }
            assertThat(waiterLoads).as("loads after the holder's").hasValue(1);
            for (Cache<String, String> waiter : waiters) {
                assertThat(waiter.remoteStats().orElseThrow().lockTimeouts()).isZero();
            }
        }
    }

    /** Issue 10, violation 9: the delete after a failed decode spares a value written after the read. */
    @Test
    void aDecodeFailureDeletesOnlyTheBytesItRead() {
        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        AtomicInteger failures = new AtomicInteger();
        ValueCodec<String> poisoned = new ValueCodec<>() {
            @Override
            public String id() {
                return STRINGS.id();
            }

            @Override
            public byte[] encode(String value) {
                return STRINGS.encode(value);
            }

            @Override
            public String decode(byte[] bytes) {
                String value = STRINGS.decode(bytes);
                if (value.equals("poison")) {
                    // A reads it twice: its peek, then the read that cleans up; the put comes between that read's GET
                    // and its clean-up.
                    if (failures.incrementAndGet() == 2) {
                        b.put("k", "fresh");
                    }
                    throw new IllegalArgumentException("cannot decode poison");
                }
                return value;
            }
        };
        Cache<String, String> a = process(poisoned, RemoteConfig.ofDefaults());
        b.put("k", "poison");

        assertThat(a.getIfPresent("k")).isNull();

        assertThat(failures).hasValue(2);
        assertThat(b.getIfPresent("k"))
                .as("the fresh value survives A's clean-up")
                .isEqualTo("fresh");
        assertThat(a.getIfPresent("k")).isEqualTo("fresh");
    }

    @Test
    void aLockHolderWhoseLeaseRanOutCannotOverwriteANewerValue() {
        RemoteStore staleStore = connect(TIER_CONFIG).store(name);
        String encodedKey = "s:k"; // the store's name of the caches' String key "k"
        RemoteLock stale = staleStore.tryLock(encodedKey, Duration.ofMillis(50)).orElseThrow();
        Cache<String, String> scratch =
                process(name + "-scratch", STRINGS, RemoteConfig.ofDefaults(), Ticker.systemTicker());
        scratch.put("k", "stale");
        byte[] staleValue = rawBytes(valueKey(name + "-scratch", "k")); // a well-formed value, were it written
        POLLING.alias("the lock's lease ran out").until(() -> raw().pttl(lockKey(name, "k")) == -2);

        Cache<String, String> b = process(STRINGS, RemoteConfig.ofDefaults());
        assertThat(b.get("k", k -> "newer")).isEqualTo("newer");
        assertThat(b.remoteStats().orElseThrow().lockWaits()).isZero();
        assertThat(Long.parseLong(raw().get(fenceKey(name, "k")))).isGreaterThan(stale.fencingToken());
        byte[] newer = rawBytes(valueKey(name, "k"));

        assertThat(staleStore.putIfUnchanged(encodedKey, staleValue, TTL, stale.fencingToken()))
                .isFalse();
        stale.close();

        assertThat(rawBytes(valueKey(name, "k"))).isEqualTo(newer);
        assertThat(process(STRINGS, RemoteConfig.ofDefaults()).getIfPresent("k"))
                .isEqualTo("newer");
    }

    @Test
    void earlyRecomputeWithALargeBetaRecomputesBeforeExpiryAndWithoutBetaNever() {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger loads = new AtomicInteger();
        Function<String, String> slowLoader = k -> {
            ticker.advance(Duration.ofMillis(100)); // XFetch's δ: the load took 100 ms
            return "v" + loads.incrementAndGet();
        };
        Cache<String, String> eager =
                process(name, STRINGS, RemoteConfig.custom().earlyRecompute(1e9).build(), ticker);

        assertThat(eager.get("k", slowLoader)).isEqualTo("v1");
        for (int i = 2; i <= 6; i++) {
            assertThat(eager.get("k", slowLoader)).isEqualTo("v" + i);
        }

        assertThat(eager.remoteStats().orElseThrow().earlyRecomputes()).isEqualTo(5);
        assertThat(process(STRINGS, RemoteConfig.ofDefaults()).getIfPresent("k"))
                .as("recomputed values are written back")
                .isEqualTo("v6");

        String plainName = name + "-plain";
        Cache<String, String> plain = process(plainName, STRINGS, RemoteConfig.ofDefaults(), ticker);
        for (int i = 0; i < 20; i++) {
            assertThat(plain.get("k", slowLoader)).isEqualTo("v7");
        }
        assertThat(loads).hasValue(7);
        assertThat(plain.remoteStats().orElseThrow().earlyRecomputes()).isZero();
        assertThat(plain.stats().hitCount()).isEqualTo(19);
    }

    @Test
    void ttlJitterKeepsEveryTimeToLiveWithinTheFraction() {
        Cache<String, String> jittered =
                process(STRINGS, RemoteConfig.custom().ttlJitter(0.2).build());
        String steadyName = name + "-steady";
        Cache<String, String> steady = process(steadyName, STRINGS, RemoteConfig.ofDefaults(), Ticker.systemTicker());
        List<Long> ttls = new ArrayList<>();

        for (int i = 0; i < 40; i++) {
            jittered.put("put" + i, "v");
            jittered.get("loaded" + i, k -> "v");
            steady.put("k" + i, "v");
            ttls.add(raw().pttl(valueKey(name, "put" + i)));
            ttls.add(raw().pttl(valueKey(name, "loaded" + i)));
            assertThat(raw().pttl(valueKey(steadyName, "k" + i))).isBetween(TTL.toMillis() - 2_000, TTL.toMillis());
        }

        long ttl = TTL.toMillis();
        assertThat(ttls).allSatisfy(pttl -> assertThat(pttl).isBetween(ttl * 8 / 10 - 2_000, ttl * 12 / 10));
        assertThat(Collections.max(ttls) - Collections.min(ttls))
                .as("spread of %s", ttls)
                .isGreaterThan(ttl / 10);
    }

    // ---- helpers ----

    private <V> Cache<String, V> process(ValueCodec<V> codec, RemoteConfig config) {
        return process(name, codec, config, Ticker.systemTicker());
    }

    /** Builds a cache with a registry and a tier of its own: one more process on the deployment. */
    private <V> Cache<String, V> process(String cacheName, ValueCodec<V> codec, RemoteConfig config, Ticker ticker) {
        Cache<String, V> cache = Cachet.builder(cacheName)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .ticker(ticker)
                .remote(connect(TIER_CONFIG), codec, config)
                .build();
        caches.add(cache);
        return cache;
    }

    /** Builds a cache whose keys are of any type the default key encoder accepts: one more process. */
    private Cache<Object, String> processOfAnyKeys() {
        Cache<Object, String> cache = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .remote(connect(TIER_CONFIG), STRINGS)
                .build();
        caches.add(cache);
        return cache;
    }

    /** Connects a tier that is closed after the test. */
    private RedisTier connect(RedisTierConfig config) {
        RedisTier tier = newTier(config);
        tiers.add(tier);
        return tier;
    }

    private static KeyLayout layout(String cacheName) {
        return KeyLayout.of(TIER_CONFIG.keyPrefix(), cacheName, TIER_CONFIG.maxKeyLength());
    }

    /** Returns the Redis key of the value of String key {@code key}, which the default key encoder tags {@code s:}. */
    static String valueKey(String cacheName, String key) {
        return layout(cacheName).valueKey("s:" + key);
    }

    static String lockKey(String cacheName, String key) {
        return layout(cacheName).lockKey("s:" + key);
    }

    static String fenceKey(String cacheName, String key) {
        return layout(cacheName).fenceKey("s:" + key);
    }

    private byte[] rawBytes(String key) {
        return raw().get(key.getBytes(UTF_8));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("latch released")
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
