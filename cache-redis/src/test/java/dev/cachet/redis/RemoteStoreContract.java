package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import dev.cachet.spi.LockedLookup;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every Redis deployment must do for a {@link RemoteStore}: subclasses supply a tier and raw access to the
 * keyspace. After each test, every key on the server(s) must have a time to live.
 */
abstract class RemoteStoreContract {
    private static final AtomicInteger CACHE_IDS = new AtomicInteger();
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** Returns the tier under test, shared by the tests of the class. */
    abstract RedisTier tier();

    /** Returns every key on the server(s) with its PTTL in milliseconds (-1: no expiry). */
    abstract Map<String, Long> ttlOfEveryKey();

    /** Returns the PTTL of {@code key} in milliseconds: -2 when absent, -1 when it never expires. */
    abstract long pttl(String key);

    /** Deletes {@code key} behind the store's back, as its expiry would. */
    abstract void deleteKey(String key);

    @AfterEach
    void everyKeyHasATimeToLive() {
        assertThat(ttlOfEveryKey())
                .allSatisfy((key, ttl) -> assertThat(ttl).as("PTTL of %s", key).isPositive());
    }

    @Test
    void putThenGetReturnsTheBytesWithATimeToLive() {
        RedisStore store = newStore("put");
        byte[] value = allByteValues();

        store.put("k", value, TTL);

        assertThat(store.get("k")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(value));
        assertThat(pttl(store.layout().valueKey("k"))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
    }

    @Test
    void anAbsentKeyIsEmpty() {
        assertThat(newStore("absent").get("nothing")).isEmpty();
    }

    @Test
    void aPeekReadsAValueWithinTheLimitAndLeavesNothingBehind() {
        RedisStore store = newStore("peek");

        assertThat(store.peek("k", 1_000)).as("absent").isEmpty();
        assertThat(pttl(store.layout().fenceKey("k")))
                .as("no fence: a peek hands out no lease")
                .isEqualTo(-2);

        byte[] value = allByteValues(); // 256 bytes
        store.put("k", value, TTL);
        assertThat(store.peek("k", 256))
                .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(value));
        assertThat(store.peek("k", Long.MAX_VALUE))
                .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(value));
        assertThat(store.peek("k", 255)).as("one byte over the limit").isEmpty();
        assertThat(store.peek("k", 0)).isEmpty();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.peek("k", -1))
                .withMessageContaining("-1");
    }

    @Test
    void putReplacesTheValueAndItsTimeToLive() {
        RedisStore store = newStore("replace");

        store.put("k", utf8("one"), TTL);
        store.put("k", utf8("two"), Duration.ofSeconds(10));

        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("two");
        assertThat(pttl(store.layout().valueKey("k"))).isPositive().isLessThanOrEqualTo(10_000);
    }

    @Test
    void valuesExpire() {
        RedisStore store = newStore("expire");

        store.put("k", utf8("v"), Duration.ofMillis(50));

        await("k expires")
                .pollInterval(Duration.ofMillis(10))
                .until(() -> store.get("k").isEmpty());
    }

    @Test
    void aSubMillisecondTtlStillExpires() {
        RedisStore store = newStore("tiny");

        store.put("k", utf8("v"), Duration.ofNanos(1));

        await("k expires")
                .pollInterval(Duration.ofMillis(10))
                .until(() -> store.get("k").isEmpty());
    }

    @Test
    void aTtlMustBePositive() {
        RedisStore store = newStore("ttl");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.put("k", utf8("v"), Duration.ZERO))
                .withMessage("ttl must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> store.put("k", utf8("v"), Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> store.tryLock("k", Duration.ZERO));
        assertThatNullPointerException()
                .isThrownBy(() -> store.put("k", utf8("v"), null))
                .withMessage("ttl");
        assertThat(store.get("k")).isEmpty();
    }

    @Test
    void awkwardKeysAreStoredApart() {
        RedisStore store = newStore("awkward");
        List<String> keys = List.of(
                "",
                "%",
                "{",
                "}",
                "{}",
                "%7B",
                "a:b",
                "*",
                "?",
                "[x]",
                "\\",
                "\uD800",
                "?",
                "k".repeat(600),
                "k".repeat(601),
                "%sha256:" + "0".repeat(64),
                "emoji \uD83D\uDE00");
        for (int i = 0; i < keys.size(); i++) {
            store.put(keys.get(i), utf8("v" + i), TTL);
        }
        for (int i = 0; i < keys.size(); i++) {
            // "?" appears twice: the later write wins for both.
            int expected = keys.lastIndexOf(keys.get(i));
            assertThat(store.get(keys.get(i)).map(RemoteStoreContract::text))
                    .as("key %s", keys.get(i))
                    .contains("v" + expected);
        }
    }

    @Test
    void deleteRemovesOnlyThatKey() {
        RedisStore store = newStore("delete");
        store.put("a", utf8("1"), TTL);
        store.put("b", utf8("2"), TTL);

        store.delete("a");
        store.delete("never-written");

        assertThat(store.get("a")).isEmpty();
        assertThat(store.get("b")).isPresent();
    }

    @Test
    void deleteAllRemovesOnlyThisCachesKeys() {
        String base = "users" + CACHE_IDS.incrementAndGet();
        List<String> names = List.of(
                base,
                base + ":admin",
                base.substring(0, base.length() - 1),
                base + "*",
                base + "?",
                base + "[x]",
                "x" + base);
        List<RemoteStore> stores = new ArrayList<>();
        for (String name : names) {
            RemoteStore store = tier().store(name);
            stores.add(store);
            store.put("k", utf8(name), TTL);
            store.put("k:2", utf8(name), TTL);
        }

        stores.get(0).deleteAll(); // base
        stores.get(3).deleteAll(); // base*, a glob character in the name

        for (int i = 0; i < names.size(); i++) {
            boolean cleared = i == 0 || i == 3;
            assertThat(stores.get(i).get("k").isPresent()).as(names.get(i)).isEqualTo(!cleared);
            assertThat(stores.get(i).get("k:2").isPresent()).as(names.get(i)).isEqualTo(!cleared);
        }
    }

    @Test
    void deleteAllRemovesMoreKeysThanOneScanPage() {
        RedisStore store = newStore("many");
        RedisStore neighbour = newStore("many-neighbour");
        for (int i = 0; i < 2_500; i++) {
            store.put("k" + i, utf8("v"), TTL);
        }
        neighbour.put("k1", utf8("v"), TTL);

        store.deleteAll();

        // Fences stay, changed (see deleteAllRevokesEveryLeaseHandedOutBefore); every value goes.
        assertThat(ttlOfEveryKey().keySet())
                .noneMatch(key -> key.startsWith(store.layout().namespace()) && !key.endsWith(":fence"));
        assertThat(neighbour.get("k1")).isPresent();
    }

    @Test
    void deleteAllKeepsLocksButRevokesTheirHoldersLeases() {
        RedisStore store = newStore("clear-locked");
        store.put("k", utf8("old"), TTL);
        RemoteLock lock = store.tryLock("k", LEASE).orElseThrow();

        store.deleteAll();

        assertThat(store.get("k")).isEmpty();
        assertThat(store.tryLock("k", LEASE)).as("the lock stays held").isEmpty();
        assertThat(store.putIfUnchanged("k", utf8("old"), TTL, lock.fencingToken()))
                .as("the holder's load began before deleteAll")
                .isFalse();
        assertThat(store.get("k")).isEmpty();
        lock.close();
        try (RemoteLock next = store.tryLock("k", LEASE).orElseThrow()) {
            assertThat(next.fencingToken()).isGreaterThan(lock.fencingToken());
        }
    }

    @Test
    void aLockIsExclusiveUntilReleased() {
        RedisStore store = newStore("exclusive");

        RemoteLock first = store.tryLock("k", LEASE).orElseThrow();
        assertThat(store.tryLock("k", LEASE)).isEmpty();
        assertThat(store.tryLock("other", LEASE)).hasValueSatisfying(RemoteLock::close);
        first.close();

        try (RemoteLock second = store.tryLock("k", LEASE).orElseThrow()) {
            assertThat(second.key()).isEqualTo("k");
            assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        }
    }

    @Test
    void aLockIsExclusiveUntilItsLeaseExpires() {
        RedisStore store = newStore("lease");
        RemoteLock first = store.tryLock("k", Duration.ofMillis(200)).orElseThrow();

        assertThat(store.tryLock("k", LEASE)).isEmpty();

        RemoteLock second = awaitLock(store, "k");
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        second.close();
    }

    @Test
    void lockAndFenceKeysHaveTimeToLive() {
        RedisStore store = newStore("lock-ttl");

        try (RemoteLock lock = store.tryLock("k", LEASE).orElseThrow()) {
            assertThat(lock.fencingToken()).isPositive();
            assertThat(pttl(store.layout().lockKey("k"))).isPositive().isLessThanOrEqualTo(LEASE.toMillis());
            assertThat(pttl(store.layout().fenceKey("k")))
                    .isGreaterThan(LEASE.toMillis())
                    .isLessThanOrEqualTo(RedisStore.MIN_FENCE_TTL.toMillis());
        }
        assertThat(pttl(store.layout().lockKey("k"))).isEqualTo(-2);
    }

    @Test
    void fencingTokensStrictlyIncrease() {
        RedisStore store = newStore("tokens");
        long previous = 0;

        for (int i = 0; i < 20; i++) {
            try (RemoteLock lock = store.tryLock("k", LEASE).orElseThrow()) {
                assertThat(lock.fencingToken()).isGreaterThan(previous);
                previous = lock.fencingToken();
            }
        }
    }

    @Test
    void fencingTokensKeepGrowingAfterTheFenceKeyExpires() {
        RedisStore store = newStore("fence-expiry");
        RemoteLock first = store.tryLock("k", LEASE).orElseThrow();
        first.close();

        deleteKey(store.layout().fenceKey("k")); // what an hour without locks does

        try (RemoteLock second = store.tryLock("k", LEASE).orElseThrow()) {
            assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
            assertThat(store.putIfUnchanged("k", utf8("late"), TTL, first.fencingToken()))
                    .isFalse();
            assertThat(store.putIfUnchanged("k", utf8("fresh"), TTL, second.fencingToken()))
                    .isTrue();
        }
    }

    @Test
    void aLocksTokenIsALeaseWhileNothingChangedTheKey() {
        RedisStore store = newStore("fenced");

        try (RemoteLock lock = store.tryLock("k", LEASE).orElseThrow()) {
            assertThat(store.putIfUnchanged("k", utf8("loaded"), TTL, lock.fencingToken()))
                    .isTrue();
        }

        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("loaded");
        assertThat(pttl(store.layout().valueKey("k"))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
    }

    @Test
    void aSupersededLocksTokenIsRefused() {
        RedisStore store = newStore("superseded");
        RemoteLock stale = store.tryLock("k", Duration.ofMillis(100)).orElseThrow();
        RemoteLock current = awaitLock(store, "k");

        assertThat(store.putIfUnchanged("k", utf8("stale"), TTL, stale.fencingToken()))
                .isFalse();
        assertThat(store.get("k")).isEmpty();
        assertThat(store.putIfUnchanged("k", utf8("current"), TTL, current.fencingToken()))
                .isTrue();
        assertThat(store.putIfUnchanged("k", utf8("stale"), TTL, stale.fencingToken()))
                .isFalse();
        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("current");
        current.close();
        stale.close();
    }

    @Test
    void closingAnExpiredLockLeavesTheNewHoldersLockAlone() {
        RedisStore store = newStore("foreign");
        RemoteLock expired = store.tryLock("k", Duration.ofMillis(100)).orElseThrow();
        RemoteLock holder = awaitLock(store, "k");

        expired.close();

        assertThat(store.tryLock("k", LEASE)).isEmpty();
        assertThat(pttl(store.layout().lockKey("k"))).isPositive();
        holder.close();
        holder.close(); // idempotent
        assertThat(store.tryLock("k", LEASE)).hasValueSatisfying(RemoteLock::close);
    }

    @Test
    void aMissHandsOutALeaseThatFillsTheKeyOnce() {
        RedisStore store = newStore("lease");

        Lookup miss = store.lookup("k", 100);
        assertThat(miss.value()).isEmpty();
        assertThat(miss.isLocked()).isFalse();

        assertThat(store.putIfUnchanged("k", utf8("loaded"), TTL, miss.lease())).isTrue();
        assertThat(store.putIfUnchanged("k", utf8("again"), TTL, miss.lease()))
                .as("a write changes the fence: a lease fills the key once")
                .isFalse();
        Lookup hit = store.lookup("k", 100);
        assertThat(hit.value().map(RemoteStoreContract::text)).contains("loaded");
        assertThat(hit.lease()).isNotEqualTo(miss.lease());
        assertThat(pttl(store.layout().valueKey("k"))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
    }

    @Test
    void aPutRevokesEveryLeaseHandedOutBefore() {
        RedisStore store = newStore("lease-put");
        Lookup miss = store.lookup("k", 100);

        store.put("k", utf8("new"), TTL);

        assertThat(store.putIfUnchanged("k", utf8("old"), TTL, miss.lease())).isFalse();
        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("new");
    }

    @Test
    void aDeleteRevokesEveryLeaseHandedOutBefore() {
        RedisStore store = newStore("lease-delete");
        store.put("k", utf8("old"), TTL);
        Lookup hit = store.lookup("k", 100);
        store.delete("k");
        Lookup miss = store.lookup("never-written", 100);
        store.delete("never-written");

        assertThat(store.putIfUnchanged("k", utf8("old"), TTL, hit.lease())).isFalse();
        assertThat(store.putIfUnchanged("never-written", utf8("old"), TTL, miss.lease()))
                .as("deleting an absent key revokes its leases too")
                .isFalse();
        assertThat(store.get("k")).isEmpty();
        assertThat(store.get("never-written")).isEmpty();
    }

    /** Contract item 2 for invalidateAll: every lease handed out before deleteAll is refused after it. */
    @Test
    void deleteAllRevokesEveryLeaseHandedOutBefore() {
        RedisStore store = newStore("lease-delete-all");
        store.put("written", utf8("old"), TTL);
        Lookup hit = store.lookup("written", 100);
        Lookup miss = store.lookup("never-written", 100);
        Lookup oversized = store.lookup("written", 1);

        store.deleteAll();

        assertThat(store.putIfUnchanged("never-written", utf8("old"), TTL, miss.lease()))
                .as("a miss's lease, on a key that never had a value")
                .isFalse();
        assertThat(store.putIfUnchanged("written", utf8("old"), TTL, hit.lease()))
                .as("a hit's lease")
                .isFalse();
        assertThat(store.putIfUnchanged("written", utf8("old"), TTL, oversized.lease()))
                .as("an oversized read's lease")
                .isFalse();
        assertThat(store.get("written")).isEmpty();
        assertThat(store.get("never-written")).isEmpty();
        Lookup after = store.lookup("written", 100);
        assertThat(store.putIfUnchanged("written", utf8("new"), TTL, after.lease()))
                .as("a lease handed out after deleteAll fills the key")
                .isTrue();
    }

    @Test
    void tryLockAndLookupReadsUnderTheLockWithItsTokenAsTheLease() {
        RedisStore store = newStore("lock-lookup");
        Lookup before = store.lookup("absent", 100);
        store.put("present", utf8("value"), TTL);
        store.put("big", utf8("too long"), TTL);

        LockedLookup absent = store.tryLockAndLookup("absent", LEASE, 100).orElseThrow();
        LockedLookup present = store.tryLockAndLookup("present", LEASE, 100).orElseThrow();
        LockedLookup big = store.tryLockAndLookup("big", LEASE, 2).orElseThrow();

        assertThat(absent.lookup().value()).isEmpty();
        assertThat(absent.lookup().isOversized()).isFalse();
        assertThat(absent.lookup().isLocked()).isTrue();
        assertThat(absent.lookup().lease()).isEqualTo(absent.lock().fencingToken());
        assertThat(present.lookup().value().map(RemoteStoreContract::text)).contains("value");
        assertThat(present.lookup().lease()).isEqualTo(present.lock().fencingToken());
        assertThat(big.lookup().isOversized()).isTrue();
        assertThat(big.lookup().length()).isEqualTo(8);
        assertThat(big.lookup().lease()).isEqualTo(big.lock().fencingToken());
        assertThat(store.tryLockAndLookup("absent", LEASE, 100))
                .as("the lock is held")
                .isEmpty();
        assertThat(store.tryLock("present", LEASE)).as("the lock is held").isEmpty();
        assertThat(store.putIfUnchanged("absent", utf8("stale"), TTL, before.lease()))
                .as("taking the lock revoked the leases handed out before")
                .isFalse();
        assertThat(pttl(store.layout().lockKey("absent"))).isPositive().isLessThanOrEqualTo(LEASE.toMillis());
        assertThat(pttl(store.layout().fenceKey("absent"))).isGreaterThan(LEASE.toMillis());
        List.of(absent, present, big).forEach(locked -> locked.lock().close());
        assertThat(store.tryLock("absent", LEASE)).as("released").hasValueSatisfying(RemoteLock::close);
    }

    @Test
    void putIfUnchangedAndReleaseWritesWithTheLeaseAndReleasesTheLockEitherWay() {
        RedisStore store = newStore("put-release");
        LockedLookup first = store.tryLockAndLookup("k", LEASE, 100).orElseThrow();

        assertThat(store.putIfUnchangedAndRelease(
                        first.lock(), utf8("loaded"), TTL, first.lookup().lease()))
                .isTrue();

        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("loaded");
        assertThat(pttl(store.layout().valueKey("k"))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
        assertThat(pttl(store.layout().lockKey("k"))).as("released").isEqualTo(-2);
        first.lock().close(); // does nothing more
        LockedLookup second = store.tryLockAndLookup("k", LEASE, 100).orElseThrow();
        assertThat(second.lookup().value().map(RemoteStoreContract::text)).contains("loaded");
        store.put("k", utf8("written meanwhile"), TTL);
        assertThat(store.putIfUnchangedAndRelease(
                        second.lock(), utf8("stale"), TTL, second.lookup().lease()))
                .as("a put since the read refuses the write")
                .isFalse();
        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("written meanwhile");
        assertThat(pttl(store.layout().lockKey("k")))
                .as("released all the same")
                .isEqualTo(-2);
    }

    @Test
    void putIfUnchangedAndReleaseLeavesAnotherHoldersLockAlone() {
        RedisStore store = newStore("put-release-expired");
        LockedLookup expired =
                store.tryLockAndLookup("k", Duration.ofMillis(100), 100).orElseThrow();
        RemoteLock holder = awaitLock(store, "k");

        assertThat(store.putIfUnchangedAndRelease(
                        expired.lock(), utf8("late"), TTL, expired.lookup().lease()))
                .as("the new holder's lock changed the fence")
                .isFalse();

        assertThat(store.get("k")).isEmpty();
        assertThat(store.tryLock("k", LEASE)).as("the new holder's lock stays").isEmpty();
        assertThat(store.putIfUnchangedAndRelease(holder, utf8("loaded"), TTL, holder.fencingToken()))
                .isTrue();
        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("loaded");
        assertThat(store.tryLock("k", LEASE)).as("released").hasValueSatisfying(RemoteLock::close);
    }

    @Test
    void takingTheLockRevokesLeasesAndReadsSeeItHeld() {
        RedisStore store = newStore("lease-lock");
        Lookup before = store.lookup("k", 100);

        try (RemoteLock lock = store.tryLock("k", LEASE).orElseThrow()) {
            Lookup during = store.lookup("k", 100);
            assertThat(during.isLocked()).isTrue();
            assertThat(during.lease()).isEqualTo(lock.fencingToken());
            assertThat(store.putIfUnchanged("k", utf8("stale"), TTL, before.lease()))
                    .isFalse();
            assertThat(store.putIfUnchanged("k", utf8("loaded"), TTL, during.lease()))
                    .isTrue();
        }
        assertThat(store.lookup("k", 100).isLocked()).isFalse();
    }

    @Test
    void deleteIfUnchangedDeletesOnlyTheBytesRead() {
        RedisStore store = newStore("compare-delete");
        store.put("k", utf8("read"), TTL);
        store.put("k", utf8("rewritten"), TTL);

        assertThat(store.deleteIfUnchanged("k", utf8("read"))).isEmpty();
        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("rewritten");
        assertThat(store.deleteIfUnchanged("absent", utf8("read"))).isEmpty();

        OptionalLong lease = store.deleteIfUnchanged("k", utf8("rewritten"));
        assertThat(lease).isPresent();
        assertThat(store.get("k")).isEmpty();
        assertThat(store.putIfUnchanged("k", utf8("replaced"), TTL, lease.getAsLong()))
                .as("the delete's lease lets the caller replace the value")
                .isTrue();
        assertThat(store.get("k").map(RemoteStoreContract::text)).contains("replaced");
    }

    @Test
    void concurrentTryLocksHaveOneWinner() throws Exception {
        RedisStore store = newStore("race");
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<RemoteLock>>> attempts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                attempts.add(pool.submit(() -> {
                    start.await();
                    return store.tryLock("k", LEASE);
                }));
            }
            start.countDown();
            List<RemoteLock> winners = new ArrayList<>();
            for (Future<Optional<RemoteLock>> attempt : attempts) {
                attempt.get(10, TimeUnit.SECONDS).ifPresent(winners::add);
            }
            assertThat(winners).hasSize(1);
            winners.forEach(RemoteLock::close);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void storesAreCachedByNameAndKnowIt() {
        String name = "named" + CACHE_IDS.incrementAndGet();

        assertThat(tier().store(name)).isSameAs(tier().store(name));
        assertThat(tier().store(name).cacheName()).isEqualTo(name);
        assertThatNullPointerException().isThrownBy(() -> tier().store(null)).withMessage("cacheName");
    }

    @Test
    void lookupAllReadsEachKeyAsLookupDoes() {
        RedisStore store = newStore("lookupAll");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            keys.add("k" + i);
        }
        store.put("k1", utf8("one"), TTL);
        store.put("k2", utf8("a value longer than ten bytes"), TTL);
        RemoteLock lock = store.tryLock("k3", LEASE).orElseThrow();

        List<Lookup> lookups = store.lookupAll(keys, 10);

        assertThat(lookups).hasSize(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            boolean fenced = pttl(store.layout().fenceKey(keys.get(i))) != -2;
            Lookup single = store.lookup(keys.get(i), 10);
            Lookup bulk = lookups.get(i);
            if (fenced) { // a key without a fence gets another lease from a bulk read (see the tests below)
                assertThat(bulk.lease()).as("lease of %s", keys.get(i)).isEqualTo(single.lease());
            }
            assertThat(bulk.length()).as("length of %s", keys.get(i)).isEqualTo(single.length());
            assertThat(bulk.isOversized()).isEqualTo(single.isOversized());
            assertThat(bulk.value().map(RemoteStoreContract::text))
                    .isEqualTo(single.value().map(RemoteStoreContract::text));
        }
        assertThat(lookups.get(1).value().map(RemoteStoreContract::text)).contains("one");
        assertThat(lookups.get(2).isOversized()).isTrue();
        assertThat(lookups.get(3).isLocked()).as("bulk reads do not read locks").isFalse();
        assertThat(lookups.get(0).value()).isEmpty();
        lock.close();
    }

    /**
     * A bulk read creates no key where it can hand out another lease for a key without a fence (a standalone server,
     * Sentinel): the cache's fence. On a Cluster it creates the fences, as {@code lookup} does.
     */
    @Test
    void lookupAllOfKeysNeverWrittenCreatesNothingButOnACluster() {
        RedisStore store = newStore("lookupAllCreates");
        List<String> keys = List.of("a", "b", "c");

        List<Lookup> lookups = store.lookupAll(keys, Long.MAX_VALUE);

        assertThat(lookups).allSatisfy(lookup -> assertThat(lookup.value()).isEmpty());
        for (String key : keys) {
            assertThat(pttl(store.layout().fenceKey(key)) != -2)
                    .as("fence of %s", key)
                    .isEqualTo(tier().isCluster());
        }
        assertThat(pttl(store.layout().cacheFenceKey())).as("the cache's fence").isEqualTo(-2);
    }

    @Test
    void peekAllReadsValuesWithinTheLimitAndCreatesNothing() {
        RedisStore store = newStore("peekAll");
        store.put("short", utf8("one"), TTL);
        store.put("long", utf8("a value longer than ten bytes"), TTL);

        List<Optional<byte[]>> values = store.peekAll(List.of("short", "long", "absent"), 10);

        assertThat(values).hasSize(3);
        assertThat(values.get(0).map(RemoteStoreContract::text)).contains("one");
        assertThat(values.get(1)).as("over the limit").isEmpty();
        assertThat(values.get(2)).isEmpty();
        assertThat(pttl(store.layout().fenceKey("absent")))
                .as("no fence for a miss")
                .isEqualTo(-2);
        assertThat(store.peekAll(List.of(), 10)).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> store.peekAll(List.of("short"), -1));
    }

    /**
     * The lease a bulk read hands out for a key without a fence is refused by whatever changed the key or the whole
     * cache after the read, by the single-key conditional write as by the bulk one, and accepted otherwise, once.
     */
    @Test
    void aBulkLeaseOfAKeyWithoutAFenceIsRefusedOnceAnythingChanged() {
        RedisStore store = newStore("unfenced");
        List<String> keys = List.of("single", "bulk", "otherFilled", "cleared");
        long[] leases = store.lookupAll(keys, Long.MAX_VALUE).stream()
                .mapToLong(Lookup::lease)
                .toArray();

        assertThat(store.putIfUnchanged("single", utf8("loaded"), TTL, leases[0]))
                .as("single-key write with a bulk lease")
                .isTrue();
        assertThat(store.putIfUnchanged("single", utf8("again"), TTL, leases[0]))
                .as("a lease fills a key at most once")
                .isFalse();
        assertThat(store.putAllIfUnchanged(
                        List.of(new dev.cachet.spi.RemoteWrite("otherFilled", utf8("first"), TTL)),
                        new long[] {leases[2]}))
                .containsExactly(true);
        assertThat(store.get("single").map(RemoteStoreContract::text)).contains("loaded");

        store.deleteAll();

        assertThat(store.putAllIfUnchanged(
                        List.of(
                                new dev.cachet.spi.RemoteWrite("bulk", utf8("stale"), TTL),
                                new dev.cachet.spi.RemoteWrite("otherFilled", utf8("second"), TTL),
                                new dev.cachet.spi.RemoteWrite("cleared", utf8("stale"), TTL)),
                        new long[] {leases[1], leases[2], leases[3]}))
                .as("every lease read before the deleteAll")
                .containsExactly(false, false, false);
        assertThat(store.putIfUnchanged("cleared", utf8("stale"), TTL, leases[3]))
                .isFalse();
        assertThat(store.peekAll(keys, Long.MAX_VALUE))
                .allSatisfy(value -> assertThat(value).isEmpty());

        long after = store.lookupAll(List.of("cleared"), Long.MAX_VALUE).get(0).lease();
        assertThat(store.putIfUnchanged("cleared", utf8("fresh"), TTL, after))
                .as("a lease read after the deleteAll")
                .isTrue();
        assertThat(store.get("cleared").map(RemoteStoreContract::text)).contains("fresh");
    }

    @Test
    void aLeaseFromLookupAllIsRefusedOnceTheKeyChangedAndAcceptedOtherwise() {
        RedisStore store = newStore("putAllIfUnchanged");
        List<String> keys = List.of("untouched", "put", "deleted", "deletedEach", "locked");
        List<Lookup> lookups = store.lookupAll(keys, Long.MAX_VALUE);
        store.put("put", utf8("newer"), TTL);
        store.delete("deleted");
        store.deleteEach(List.of("deletedEach"));
        RemoteLock lock = store.tryLock("locked", LEASE).orElseThrow();

        List<dev.cachet.spi.RemoteWrite> writes = new ArrayList<>();
        keys.forEach(key -> writes.add(new dev.cachet.spi.RemoteWrite(key, utf8("loaded"), TTL)));
        long[] leases = lookups.stream().mapToLong(Lookup::lease).toArray();

        assertThat(store.putAllIfUnchanged(writes, leases)).containsExactly(true, false, false, false, false);
        assertThat(store.get("untouched").map(RemoteStoreContract::text)).contains("loaded");
        assertThat(store.get("put").map(RemoteStoreContract::text)).contains("newer");
        assertThat(store.get("deleted")).isEmpty();
        assertThat(store.get("deletedEach")).isEmpty();
        assertThat(store.putAllIfUnchanged(writes.subList(0, 1), new long[] {leases[0]}))
                .as("a lease fills a key at most once")
                .containsExactly(false);
        assertThatIllegalArgumentException().isThrownBy(() -> store.putAllIfUnchanged(writes, new long[1]));
        lock.close();
    }

    @Test
    void aLeaseFromLookupAllIsRevokedByDeleteAll() {
        RedisStore store = newStore("bulkDeleteAll");
        List<Lookup> lookups = store.lookupAll(List.of("never-seen"), Long.MAX_VALUE);

        store.deleteAll();

        assertThat(store.putAllIfUnchanged(
                        List.of(new dev.cachet.spi.RemoteWrite("never-seen", utf8("stale"), TTL)),
                        new long[] {lookups.get(0).lease()}))
                .containsExactly(false);
        assertThat(store.get("never-seen")).isEmpty();
    }

    @Test
    void putAllAndDeleteEachWriteAndRemoveEveryKeyWithATimeToLive() {
        RedisStore store = newStore("putAll");
        List<dev.cachet.spi.RemoteWrite> writes = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            writes.add(new dev.cachet.spi.RemoteWrite("k" + i, utf8("v" + i), TTL));
        }
        long leaseBefore = store.lookup("k7", Long.MAX_VALUE).lease();

        store.putAll(writes);

        for (int i = 0; i < 120; i++) {
            assertThat(store.get("k" + i).map(RemoteStoreContract::text)).contains("v" + i);
            assertThat(pttl(store.layout().valueKey("k" + i))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
        }
        assertThat(store.putIfUnchanged("k7", utf8("stale"), TTL, leaseBefore))
                .as("putAll changes the fence")
                .isFalse();
        long leaseAfterPut = store.lookup("k8", Long.MAX_VALUE).lease();

        store.deleteEach(writes.stream().map(dev.cachet.spi.RemoteWrite::key).toList());

        for (int i = 0; i < 120; i++) {
            assertThat(store.get("k" + i)).isEmpty();
        }
        assertThat(store.putIfUnchanged("k8", utf8("stale"), TTL, leaseAfterPut))
                .as("deleteEach changes the fence")
                .isFalse();
    }

    RedisStore newStore(String name) {
        return (RedisStore) tier().store(name + "-" + CACHE_IDS.incrementAndGet());
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Takes the lock on {@code key} once the holder's lease has run out. */
    private static RemoteLock awaitLock(RemoteStore store, String key) {
        return await("the lease on " + key + " runs out and the lock is taken")
                .pollInterval(Duration.ofMillis(20))
                .until(() -> store.tryLock(key, LEASE), Optional::isPresent)
                .orElseThrow();
    }

    private static byte[] allByteValues() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }
}
