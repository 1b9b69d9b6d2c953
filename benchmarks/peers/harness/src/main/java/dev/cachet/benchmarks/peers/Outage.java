package dev.cachet.benchmarks.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * P15 in one JVM: {@link #threads} threads read the {@value Workload#KEYS} keys through {@link PeerCache#get} without
 * pause, in the {@link Order} given, while Redis is killed ({@code SIGKILL}) and, a while later, started again, empty,
 * on the same port. Each call is counted in the phase it ended in (before the kill, during the outage, after the
 * restart), with the calls that threw and those that returned anything but the key's value; the loader (instant, the
 * right value) counts, in the phase it ran in, the calls the cache could not answer from Redis or a near tier. Whoever
 * kills and restarts Redis calls {@link #killed()} just before the kill and {@link #restarted()} once Redis answers
 * again. Thread-safe.
 */
final class Outage {
    /** Threads reading, as issue 13 asks. */
    static final int THREADS = 32;

    /** A call slower than this counts as blocked. */
    static final Duration BLOCKED = Duration.ofSeconds(1);

    private static final int BEFORE = 0;
    private static final int DURING = 1;
    private static final int AFTER = 2;

    /** The order in which each thread reads the keys. */
    enum Order {
        /**
         * Each thread walks the keys in turn, from an offset of its own (the threads spread evenly over the keys), as a
         * batch job would.
         */
        IN_TURN(
                "in turn",
                "each thread walks the keys one after another, from an offset of its own (the offsets spread evenly"
                        + " over the keys), as a batch job would."),
        /** Each thread picks every key at random (uniformly, from a generator seeded by the thread's number). */
        AT_RANDOM(
                "at random",
                "each thread picks every key at random (uniformly, from a generator of its own seeded by its number),"
                        + " as requests would.");

        private final String label;
        private final String description;

        Order(String label, String description) {
            this.label = label;
            this.description = description;
        }

        /** Returns what the report says of it, a sentence. */
        String description() {
            return description;
        }

        /** Returns how the report names it. */
        String label() {
            return label;
        }

        /**
         * Returns the key numbers thread {@code thread} of {@code threads} reads, one per {@code getAsInt()}, each in
         * [0, KEYS).
         */
        IntSupplier keysOf(int thread, int threads) {
            if (this == AT_RANDOM) {
                SplittableRandom random = new SplittableRandom(thread);
                return () -> random.nextInt(Workload.KEYS);
            }
            int[] next = {thread * (Workload.KEYS / threads)};
            return () -> {
                int key = next[0];
                next[0] = (key + 1) % Workload.KEYS; // wraps, never overflows
                return key;
            };
        }
    }

    private final PeerCache cache;
    private final int threads;
    private final Order order;
    private final List<Thread> workers = new ArrayList<>();
    private final LongAdder[] calls = adders();
    private final LongAdder[] exceptions = adders();
    private final LongAdder[] wrong = adders();
    private final LongAdder[] loads = adders();
    private final LongAdder blocked = new LongAdder();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final AtomicLong lastFailure = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong lastLoad = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong inFlight = new AtomicLong();
    private volatile int phase = BEFORE;
    private volatile boolean running = true;
    private volatile long restartedAt;

    /**
     * A count in each phase.
     *
     * @param before before the kill
     * @param during while Redis was down
     * @param after after the restart
     */
    record Phases(long before, long during, long after) {
        static Phases of(LongAdder[] adders) {
            return new Phases(adders[BEFORE].sum(), adders[DURING].sum(), adders[AFTER].sum());
        }

        @Override
        public String toString() {
            return before + "/" + during + "/" + after;
        }
    }

    /**
     * What the threads saw.
     *
     * @param calls calls ended
     * @param exceptions calls that threw
     * @param wrong calls that returned something other than the key's value
     * @param loads loader calls
     * @param blocked calls slower than {@link #BLOCKED}
     * @param slowestMillis the slowest call
     * @param lastFailureMillis the last exception or wrong value after the restart, ms after it, or 0 if none
     * @param lastLoadMillis the last load after the restart, ms after it, or 0 if none
     * @param stuck calls still running when the threads were stopped
     */
    record Result(
            Phases calls,
            Phases exceptions,
            Phases wrong,
            Phases loads,
            long blocked,
            double slowestMillis,
            double lastFailureMillis,
            double lastLoadMillis,
            long stuck) {
        /** Returns the time to recovery: the later of the last failure and the last load after the restart, in ms. */
        double recoveryMillis() {
            return Math.max(lastFailureMillis, lastLoadMillis);
        }

        /** Returns the worker's output line. */
        String line() {
            return ResultLine.of("OUTAGE", this);
        }

        /** Parses {@link #line()}, split at tabs. */
        static Result parse(String[] fields) {
            return ResultLine.parse(Result.class, fields);
        }
    }

    Outage(PeerCache cache, int threads, Order order) {
        this.cache = cache;
        this.threads = threads;
        this.order = order;
    }

    /** Starts the threads, each reading the keys in {@link #order}. */
    void start() {
        for (int t = 0; t < threads; t++) {
            IntSupplier keys = order.keysOf(t, threads);
            Thread worker = new Thread(() -> read(keys), "outage-reader-" + t);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    private void read(IntSupplier keys) {
        while (running) {
            String key = Workload.key(keys.getAsInt());
            inFlight.incrementAndGet();
            long start = System.nanoTime();
            boolean threw = false;
            String value = null;
            try {
                value = cache.get(key, k -> {
                    loads[phase].increment();
                    if (phase == AFTER) {
                        lastLoad.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                    return Workload.valueOf(k);
                });
            } catch (RuntimeException e) {
                threw = true;
            }
            long took = System.nanoTime() - start;
            // Counted in the phase the call ended in: a call cut off by the kill fails during the outage.
            int at = phase;
            calls[at].increment();
            if (threw) {
                exceptions[at].increment();
                failed(at);
            } else if (!Workload.valueOf(key).equals(value)) {
                wrong[at].increment();
                failed(at);
            }
            inFlight.decrementAndGet();
            slowestNanos.accumulateAndGet(took, Math::max);
            if (took > BLOCKED.toNanos()) {
                blocked.increment();
            }
        }
    }

    private void failed(int at) {
        if (at == AFTER) {
            lastFailure.accumulateAndGet(System.nanoTime(), Math::max);
        }
    }

    /** Marks the moment just before Redis is killed. */
    void killed() {
        phase = DURING;
    }

    /** Marks the moment Redis answered again. */
    void restarted() {
        restartedAt = System.nanoTime();
        phase = AFTER;
    }

    /** Stops the threads, waits up to {@code wait} for their calls to return, and returns what they saw. */
    Result stop(Duration wait) throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread worker : workers) {
            worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return new Result(
                Phases.of(calls),
                Phases.of(exceptions),
                Phases.of(wrong),
                Phases.of(loads),
                blocked.sum(),
                slowestNanos.get() / 1e6,
                sinceRestart(lastFailure.get()),
                sinceRestart(lastLoad.get()),
                inFlight.get());
    }

    private double sinceRestart(long at) {
        return at == Long.MIN_VALUE ? 0 : Math.max(0, at - restartedAt) / 1e6;
    }

    private static LongAdder[] adders() {
        return new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()};
    }
}
