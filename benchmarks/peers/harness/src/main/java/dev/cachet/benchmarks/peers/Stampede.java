package dev.cachet.benchmarks.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * P12 in one JVM: each round releases {@link #threads} threads at once onto one key through {@link PeerCache#get}, so
 * the peer's own stampede protection decides how many of them load. The loader sleeps {@link #LOAD_TIME}, like a slow
 * backend, so threads of this and the other JVMs arrive while a load runs. The driver starts each round on every JVM
 * at once, just after the key expired in Redis (the cache's TTL is {@link #TTL}). Not thread-safe: one thread runs the
 * rounds.
 */
final class Stampede implements AutoCloseable {
    /** How long one load takes. */
    static final Duration LOAD_TIME = Duration.ofMillis(50);

    /**
     * The TTL of the caches P12 opens: each round waits for it to run out. A round must fit in it: one that outlasts it
     * lets the value loaded at its start expire while threads still queue for a lock, and they load again, which
     * counts against a slow peer for its slowness rather than its protection. At 1 s, rounds of the peers with a Redis
     * lock did (their median round took up to 1.8 s under load); 4 s holds twice that, and the driver's P12 then
     * takes about 3.5 minutes (the report still counts any round longer than the TTL).
     */
    static final Duration TTL = Duration.ofSeconds(4);

    private static final Duration ROUND_LIMIT = Duration.ofSeconds(60);

    private final PeerCache cache;
    private final int threads;
    private final ExecutorService pool;

    /**
     * What one JVM saw in one round.
     *
     * @param loads loader runs
     * @param wrong calls that returned something other than the key's value
     * @param exceptions calls that threw
     * @param nanos from the release until the last thread had its value
     */
    record Round(int loads, int wrong, int exceptions, long nanos) {
        /** Returns the line a worker sends the driver: {@code DONE}, loads, wrong, exceptions and nanos. */
        String line() {
            return ResultLine.of("DONE", this);
        }

        /** Parses {@link #line()}, split at tabs. */
        static Round parse(String[] fields) {
            return ResultLine.parse(Round.class, fields);
        }
    }

    Stampede(PeerCache cache, int threads) {
        this.cache = cache;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
    }

    /** Releases every thread onto {@code key} at once and waits for them. */
    Round round(String key) throws InterruptedException {
        AtomicInteger loads = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger exceptions = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> calls = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            calls.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                try {
                    String value = cache.get(key, k -> {
                        loads.incrementAndGet();
                        sleep(LOAD_TIME);
                        return Workload.valueOf(k);
                    });
                    if (!Workload.valueOf(key).equals(value)) {
                        wrong.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    exceptions.incrementAndGet();
                }
                return null;
            }));
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        long deadline = start + ROUND_LIMIT.toNanos();
        for (Future<?> call : calls) {
            try {
                call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a stampede thread failed", e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("a stampede round on " + key + " took over " + ROUND_LIMIT, e);
            }
        }
        return new Round(loads.get(), wrong.get(), exceptions.get(), System.nanoTime() - start);
    }

    private static void sleep(Duration time) {
        try {
            Thread.sleep(time.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
