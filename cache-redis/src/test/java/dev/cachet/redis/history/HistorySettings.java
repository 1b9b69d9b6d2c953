package dev.cachet.redis.history;

import dev.cachet.FailurePolicy;
import dev.cachet.RemoteConfig;
import dev.cachet.redis.RedisTierConfig;
import java.time.Duration;
import java.util.List;

/**
 * The settings a history run shares between its worker JVMs and its checker: the caches' configuration, the shape of
 * the workload and the bounds the checker holds the history to. Short timeouts and TTLs, so that a run of seconds
 * sees many expiries, outages and recoveries.
 */
final class HistorySettings {
    /** The tier name of the cache with only the Redis tier. */
    static final String REMOTE = "remote";
    /** The tier name of the cache with a near tier over the Redis tier. */
    static final String NEAR = "near";
    /**
     * The tier name of the cache with a near tier over the Redis tier built with {@code
     * acknowledgedInvalidation(}{@link #ACK_WAIT}{@code )}.
     */
    static final String NEAR_ACK = "near-ack";
    /** The three caches, in the order the report lists them. */
    static final List<String> TIERS = List.of(REMOTE, NEAR, NEAR_ACK);

    /** Worker JVMs; each runs {@link #THREADS} threads. */
    static final int WORKERS = 2;

    static final int THREADS = 4;
    /**
     * Keys per cache; key {@code i} is written only by thread {@code i % (WORKERS * THREADS)} of its worker. Each
     * thread owns one hot key per cache ({@code i < WORKERS * THREADS}), written often, and one cold key, written
     * seldom: a failed write of a hot key is soon repaired by the next one, while a cold key shows how long a lost
     * write lives.
     */
    static final int KEYS = 2 * WORKERS * THREADS;
    /** Share of a thread's writes that go to its cold keys, in percent: one every few seconds. */
    static final int COLD_WRITE_PERCENT = 1;
    /** Share of operations that are writes, in percent. */
    static final int WRITE_PERCENT = 15;
    /** The longest pause of a worker thread between two operations, in milliseconds. */
    static final int MAX_THINK_MILLIS = 4;
    /** The longest the loader sleeps after reading the database, to widen the race windows. */
    static final int MAX_LOADER_DELAY_MILLIS = 20;

    /**
     * Long against the faults (up to 2.5 s) and the heal delay, so that a value a lost invalidation left behind is still
     * there when the checker starts holding other processes to that invalidation.
     */
    static final Duration REMOTE_TTL = Duration.ofSeconds(15);

    static final Duration NEAR_TTL = Duration.ofSeconds(1);
    /**
     * How long a write of the {@link #NEAR_ACK} cache waits for the other processes' acknowledgements: long against
     * the pub/sub round trip on a loaded machine, short against a fault, so that most writes of a healthy period are
     * acknowledged and a write under a fault gives up soon.
     */
    static final Duration ACK_WAIT = Duration.ofMillis(200);

    static final Duration TIMEOUT = Duration.ofMillis(250);
    static final Duration LOCK_WAIT = Duration.ofMillis(500);
    static final Duration LOCK_LEASE = Duration.ofSeconds(2);
    static final int BREAKER_FAILURES = 3;
    static final Duration BREAKER_OPEN = Duration.ofSeconds(1);

    /**
     * How much older than allowed a near tier in another process may be beyond its TTL: the pub/sub latency and the
     * time a fill takes between reading the Redis tier and storing the copy, on a loaded 2-core machine.
     */
    static final Duration NEAR_SLACK = Duration.ofSeconds(1);
    /**
     * How long before its recorded time a subscription cut as half-open may have been dropped in Redis: the cut closes
     * the connection on the heartbeat thread, and the subscriber thread records it only once it has woken up and
     * noticed, which on a loaded 2-core machine may take this long.
     */
    static final Duration CUT_SLACK = Duration.ofMillis(500);
    /**
     * How long after a fault heals an invalidation that failed under it must show in other processes: the breaker's
     * open time plus a second (the contract), plus this much for a loaded machine's scheduling.
     */
    static final Duration HEAL_SLACK = Duration.ofMillis(500);
    /**
     * The longest any operation may take, not counting time its own JVM was stopped: loader time (20 ms) + lock wait
     * (500 ms) + a bounded number of Redis timeouts (8 x 250 ms) + 2.5 s for a loaded machine and added latency.
     */
    static final Duration OP_BOUND = Duration.ofSeconds(5);

    private HistorySettings() {}

    static RedisTierConfig tierConfig() {
        return RedisTierConfig.builder()
                .connectTimeout(TIMEOUT)
                .socketTimeout(TIMEOUT)
                .build();
    }

    static RemoteConfig remoteConfig() {
        return RemoteConfig.custom()
                .failurePolicy(FailurePolicy.FAIL_OPEN)
                .lockWait(LOCK_WAIT)
                .lockLease(LOCK_LEASE)
                .circuitBreaker(BREAKER_FAILURES, BREAKER_OPEN)
                .build();
    }

    /** Returns how long after a fault heals a failed invalidation must have reached every other process. */
    static Duration healDelay() {
        return BREAKER_OPEN.plusSeconds(1).plus(HEAL_SLACK);
    }

    /** Returns whether reads of {@code tier} may come from a near tier, which may lag other processes' writes. */
    static boolean isNear(String tier) {
        return tier.equals(NEAR) || tier.equals(NEAR_ACK);
    }

    static String key(int index) {
        return "k" + index;
    }
}
