package dev.cachet.examples;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.Memoized;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory tour of Cachet, no Redis needed: memoisation, expiry, one load for many threads, defensive copies and
 * the hit-ratio warning. Run it with the first command of the README.
 */
public final class Demo {
    private Demo() {}

    /**
     * Runs every part of the tour in turn.
     *
     * @param args ignored
     */
    public static void main(String[] args) throws Exception {
        memoisation();
        expiry();
        oneLoadForManyThreads();
        defensiveCopies();
        hitRatioWarning();
    }

    private static void memoisation() {
        section("1. Memoising a slow pure function");
        Memoized<Integer, BigInteger> slowSquare = Cachet.memoize(Demo::slowSquare, 1_024);
        long start = System.nanoTime();
        BigInteger first = slowSquare.apply(12_345);
        long cold = System.nanoTime() - start;
        start = System.nanoTime();
        BigInteger second = slowSquare.apply(12_345);
        long warm = System.nanoTime() - start;
        System.out.printf("first call  %,12d ns -> %s%n", cold, first);
        System.out.printf("second call %,12d ns -> %s (%.0fx faster)%n", warm, second, (double) cold / warm);
        System.out.println(slowSquare.stats());

        System.out.println("fib(300), memoised through itself = " + Fibonacci.FIB.apply(300));
        System.out.println(Fibonacci.FIB.stats());
    }

    /** A memoised function that calls its memoised self: a plain Caffeine get(k, fn) fails here. */
    private static final class Fibonacci {
        static final Memoized<Integer, BigInteger> FIB = Cachet.memoize(Fibonacci::fib, 1_024);

        private static BigInteger fib(int n) {
            return n < 2 ? BigInteger.valueOf(n) : FIB.apply(n - 1).add(FIB.apply(n - 2));
        }
    }

    private static BigInteger slowSquare(int n) {
        sleep(200);
        return BigInteger.valueOf(n).pow(2);
    }

    private static void expiry() {
        section("2. A TTL cache expiring");
        Cache<String, String> sessions = Cachet.builder("demo-sessions")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMillis(300))
                .build();
        sessions.put("alice", "token-1");
        System.out.println("right after put:  " + sessions.getIfPresent("alice"));
        sleep(400);
        System.out.println("400 ms later:     " + sessions.getIfPresent("alice") + " (expired after 300 ms)");
    }

    private static void oneLoadForManyThreads() throws Exception {
        section("3. 100 threads ask for one cold key");
        Cache<String, String> quotes = Cachet.builder("demo-quotes")
                .registry(CacheRegistry.create())
                .maximumSize(1_000)
                .build();
        AtomicInteger loads = new AtomicInteger();
        int threads = 100;
        CyclicBarrier start = new CyclicBarrier(threads);
        CountDownLatch done = new CountDownLatch(threads);
        List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < threads; i++) {
            new Thread(() -> {
                        try {
                            start.await();
                            answers.add(quotes.get("AAPL", symbol -> {
                                loads.incrementAndGet();
                                sleep(100); // a slow backend call
                                return symbol + " 187.44";
                            }));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        } finally {
                            done.countDown();
                        }
                    })
                    .start();
        }
        done.await(30, TimeUnit.SECONDS);
        System.out.printf(
                "%d threads got %s; the loader ran %d time(s)%n",
                answers.size(), answers.stream().distinct().toList(), loads.get());
    }

    private static void defensiveCopies() {
        section("4. Mutating a returned list does not harm the cache");
        Cache<String, List<String>> watchlists = Cachet.builder("demo-watchlists")
                .registry(CacheRegistry.create())
                .maximumSize(100)
                .build();
        List<String> mine = new ArrayList<>(List.of("AAPL", "MSFT"));
        watchlists.put("alice", mine);
        mine.add("after-put"); // the caller's object, not the cache's
        List<String> read = watchlists.getIfPresent("alice");
        read.clear(); // again only the caller's copy
        System.out.println("caller mutated its lists; the cache still holds " + watchlists.getIfPresent("alice"));
    }

    private static void hitRatioWarning() {
        section("5. A cache too small for its key space");
        Cache<Integer, String> tooSmall = Cachet.builder("demo-too-small")
                .registry(CacheRegistry.create())
                .maximumSize(10)
                .executor(Runnable::run)
                .build();
        for (int i = 0; i < 3_000; i++) {
            int key = (i * 7919) % 1_000; // 1,000 keys cycling through a 10-entry cache
            tooSmall.get(key, k -> "value-" + k);
        }
        System.out.println(tooSmall.stats());
        System.out.println("(the WARN line above comes from the hit-ratio monitor)");
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
