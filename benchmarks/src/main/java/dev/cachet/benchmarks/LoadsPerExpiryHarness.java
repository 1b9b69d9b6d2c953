package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * P4: how many times the loader runs when many threads ask for one hot key the moment it expires. Each round, a
 * barrier releases every thread at once onto the expired key; the harness counts loader calls per round.
 *
 * <p>Cachet: {@code get(key, loader)} on a cache with {@code expireAfterWrite(1s)} and a fake clock that the harness
 * moves 2 s forward between rounds, so each round starts just after an expiry. Baseline: the usual hand-written
 * {@link ConcurrentHashMap} get-then-put, whose entry is removed between rounds (its expiry). The loader sleeps for
 * {@link #LOAD_TIME}, like a slow backend, so late threads still arrive during the load.
 */
public final class LoadsPerExpiryHarness {
    /** How long one load takes. */
    public static final Duration LOAD_TIME = Duration.ofMillis(10);

    private static final String KEY = "hot-key";
    private static final long BARRIER_TIMEOUT_SECONDS = 60;

    private LoadsPerExpiryHarness() {}

    /**
     * Loader calls in each round, for Cachet and for the baseline.
     *
     * @param threads threads released per round
     * @param cachetLoads Cachet's loader calls, one element per round
     * @param mapLoads the {@code ConcurrentHashMap} baseline's loader calls, one element per round
     */
    public record Result(int threads, List<Integer> cachetLoads, List<Integer> mapLoads) {
        /** Returns Cachet's mean loader calls per round. */
        public double cachetMean() {
            return mean(cachetLoads);
        }

        /** Returns the baseline's mean loader calls per round. */
        public double mapMean() {
            return mean(mapLoads);
        }

        /** Returns the number of rounds. */
        public int rounds() {
            return cachetLoads.size();
        }

        private static double mean(List<Integer> values) {
            return values.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
        }
    }

    /**
     * Runs {@code rounds} rounds of {@code threads} threads against Cachet, then against the baseline.
     *
     * @throws IllegalArgumentException if {@code threads} or {@code rounds} is less than 1
     */
    public static Result run(int threads, int rounds) throws InterruptedException {
        if (threads < 1 || rounds < 1) {
            throw new IllegalArgumentException(
                    "threads and rounds must be at least 1, were " + threads + " and " + rounds);
        }
        return new Result(threads, List.of(cachetRounds(threads, rounds)), List.of(mapRounds(threads, rounds)));
    }

    private static Integer[] cachetRounds(int threads, int rounds) throws InterruptedException {
        AtomicLong clock = new AtomicLong();
        Cache<String, String> cache = Cachet.builder("p4-loads-per-expiry")
                .expireAfterWrite(Duration.ofSeconds(1))
                .ticker(clock::get)
                .executor(Runnable::run)
                .hitRatioWarning(0, 1) // every round starts with a miss on purpose
                .registry(CacheRegistry.create())
                .build();
        AtomicInteger loads = new AtomicInteger();
        Function<String, String> loader = slowLoader(loads);
        return runRounds(
                threads,
                rounds,
                () -> cache.get(KEY, loader),
                () -> clock.addAndGet(Duration.ofSeconds(2).toNanos()),
                loads);
    }

    private static Integer[] mapRounds(int threads, int rounds) throws InterruptedException {
        ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
        AtomicInteger loads = new AtomicInteger();
        Function<String, String> loader = slowLoader(loads);
        return runRounds(
                threads,
                rounds,
                () -> {
                    String value = map.get(KEY);
                    if (value == null) {
                        map.put(KEY, loader.apply(KEY));
                    }
                },
                () -> map.remove(KEY),
                loads);
    }

    private static Function<String, String> slowLoader(AtomicInteger loads) {
        return key -> {
            loads.incrementAndGet();
            try {
                Thread.sleep(LOAD_TIME.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("loader interrupted", e);
            }
            return "value of " + key;
        };
    }

    /**
     * Each round: expire the key, release every worker at once through a barrier, wait until all have their value,
     * and count the loads of that round.
     */
    private static Integer[] runRounds(int threads, int rounds, Runnable call, Runnable expire, AtomicInteger loads)
            throws InterruptedException {
        // The harness thread is one more party, so it can expire the key and read the count between rounds.
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier end = new CyclicBarrier(threads + 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        await(start);
                        call.run();
                        await(end);
                    }
                    return null;
                }));
            }
            Integer[] perRound = new Integer[rounds];
            for (int r = 0; r < rounds; r++) {
                expire.run();
                int before = loads.get();
                await(start);
                await(end);
                perRound[r] = loads.get() - before;
            }
            for (Future<?> worker : workers) {
                worker.get(BARRIER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            return perRound;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a P4 worker failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier barrier) throws InterruptedException {
        try {
            barrier.await(BARRIER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("P4 barrier broken: a thread failed or hung", e);
        }
    }
}
