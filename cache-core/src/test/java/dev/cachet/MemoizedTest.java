package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MemoizedTest {

    private final AtomicInteger calls = new AtomicInteger();

    private BigInteger slowFibonacci(int n) {
        calls.incrementAndGet();
        BigInteger a = BigInteger.ZERO;
        BigInteger b = BigInteger.ONE;
        for (int i = 0; i < n; i++) {
            BigInteger next = a.add(b);
            a = b;
            b = next;
        }
        return a;
    }

    @Test
    void remembersResultsAndReportsHitsMissesAndSize() {
        Memoized<Integer, BigInteger> fib = Cachet.memoize(this::slowFibonacci, 1_024);
        assertThat(fib.apply(90)).isEqualTo(new BigInteger("2880067194370816120"));
        assertThat(fib.apply(90)).isEqualTo(new BigInteger("2880067194370816120"));
        fib.apply(10);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(fib.stats()).isEqualTo(new MemoStats(1, 2, 1_024, 2));
        assertThat(fib.stats().hitRatio()).isEqualTo(1.0 / 3);
        fib.clear();
        assertThat(fib.stats()).isEqualTo(new MemoStats(0, 0, 1_024, 0));
        fib.apply(90);
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void staysWithinItsBound() {
        Memoized<Integer, Integer> square = Cachet.memoize(n -> n * n, 16);
        for (int i = 0; i < 1_000; i++) {
            assertThat(square.apply(i)).isEqualTo(i * i);
        }
        assertThat(square.stats().currentSize()).isLessThanOrEqualTo(16);
        assertThat(square.stats().misses()).isEqualTo(1_000);
    }

    @Test
    void aBiFunctionIsMemoisedOnBothArguments() {
        AtomicInteger priced = new AtomicInteger();
        var score = Cachet.memoize(
                (String tier, Double base) -> {
                    priced.incrementAndGet();
                    return tier.length() * base;
                },
                256);
        assertThat(score.apply("pro", 100.0)).isEqualTo(300.0);
        assertThat(score.apply("pro", 100.0)).isEqualTo(300.0);
        assertThat(score.apply("pro", 50.0)).isEqualTo(150.0);
        assertThat(score.apply("basic", 100.0)).isEqualTo(500.0);
        assertThat(priced.get()).isEqualTo(3);
        assertThat(score.stats()).isEqualTo(new MemoStats(1, 3, 256, 3));
        score.clear();
        assertThat(score.stats().currentSize()).isZero();
    }

    @Test
    void arraysListsAndMapsAreArgumentsByContent() {
        AtomicInteger sums = new AtomicInteger();
        Memoized<int[], Integer> sumArray = Cachet.memoize(
                a -> {
                    sums.incrementAndGet();
                    return java.util.Arrays.stream(a).sum();
                },
                64);
        int[] numbers = {1, 2, 3};
        assertThat(sumArray.apply(numbers)).isEqualTo(6);
        assertThat(sumArray.apply(new int[] {1, 2, 3})).isEqualTo(6);
        numbers[0] = 10; // mutating the argument after the call must not disturb the memo
        assertThat(sumArray.apply(numbers)).isEqualTo(15);
        assertThat(sumArray.apply(new int[] {1, 2, 3})).isEqualTo(6);
        assertThat(sums.get()).isEqualTo(2);

        Memoized<List<String>, Integer> size = Cachet.memoize(List::size, 64);
        List<String> list = new ArrayList<>(List.of("a", "b"));
        assertThat(size.apply(list)).isEqualTo(2);
        list.add("c");
        assertThat(size.apply(list)).isEqualTo(3);
        assertThat(size.apply(List.of("a", "b"))).isEqualTo(2);
        assertThat(size.stats().hits()).isEqualTo(1);

        Memoized<Map<String, int[]>, Integer> nested = Cachet.memoize(m -> m.get("x").length, 64);
        Map<String, int[]> map = new HashMap<>(Map.of("x", new int[] {1, 2}));
        assertThat(nested.apply(map)).isEqualTo(2);
        assertThat(nested.apply(new HashMap<>(Map.of("x", new int[] {1, 2})))).isEqualTo(2);
        assertThat(nested.stats().hits()).isEqualTo(1);
    }

    @Test
    void nullArgumentsAndNullResultsAreRemembered() {
        AtomicInteger runs = new AtomicInteger();
        Memoized<String, String> echo = Cachet.memoize(
                s -> {
                    runs.incrementAndGet();
                    return s == null ? null : s + "!";
                },
                8);
        assertThat(echo.apply(null)).isNull();
        assertThat(echo.apply(null)).isNull();
        assertThat(echo.apply("a")).isEqualTo("a!");
        assertThat(runs.get()).isEqualTo(2);
    }

    /** Holds a memoised Fibonacci that calls itself through its memo. */
    static final class RecursiveFibonacci {
        final Memoized<Integer, BigInteger> fib = Cachet.memoize(this::compute, 1_024);

        private BigInteger compute(int n) {
            return n < 2 ? BigInteger.valueOf(n) : fib.apply(n - 1).add(fib.apply(n - 2));
        }
    }

    /**
     * A memoised countdown that calls itself through its memo, once per level, while {@code recurse} is set; it
     * records the deepest level reached.
     */
    static final class RecursiveCountdown {
        final AtomicBoolean recurse = new AtomicBoolean(true);
        final AtomicInteger deepest = new AtomicInteger(Integer.MAX_VALUE);
        final Memoized<Integer, Integer> countdown = Cachet.memoize(this::compute, 1_000_000);

        private Integer compute(int n) {
            deepest.accumulateAndGet(n, Math::min);
            return recurse.get() && n > 0 ? countdown.apply(n - 1) : n;
        }
    }

    @Test
    void aMemoisedFunctionKeepsWorkingAfterItsRecursionOverflowedTheStack() {
        // Python's lru_cache keeps working after a RecursionError; so must a memo after a StackOverflowError, although
        // the error strikes again inside the clean-up of the innermost loads.
        RecursiveCountdown memo = new RecursiveCountdown();
        assertThatThrownBy(() -> memo.countdown.apply(1_000_000)).isInstanceOf(StackOverflowError.class);
        memo.recurse.set(false);

        // Another thread (assertTimeoutPreemptively's) asks for the levels the overflow went through, deepest first:
        // a load left in flight there would make it wait forever.
        int deepest = memo.deepest.get();
        for (int level = deepest; level < deepest + 50; level++) {
            int n = level;
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> memo.countdown.apply(n)))
                    .isEqualTo(n);
        }
        assertThat(memo.countdown.apply(100)).isEqualTo(100);
    }

    @Test
    void aRecursiveFunctionMemoisedThroughItselfWorksOnADefaultStackThread() throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.set(new RecursiveFibonacci().fib.apply(500));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(outcome.get()).isEqualTo(slowFibonacci(500));
    }

    @Test
    void plainCaffeineFailsOnTheSameRecursion() throws Exception {
        com.github.benmanes.caffeine.cache.Cache<Integer, BigInteger> caffeine =
                Caffeine.newBuilder().maximumSize(1_024).build();
        RecursiveCaffeine fib = new RecursiveCaffeine(caffeine);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                fib.apply(500);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("Recursive update");
    }

    /** Fibonacci memoised the plain Caffeine way: {@code cache.get(n, fn)} that recurses inside the mapping. */
    private static final class RecursiveCaffeine implements Function<Integer, BigInteger> {
        private final com.github.benmanes.caffeine.cache.Cache<Integer, BigInteger> cache;

        RecursiveCaffeine(com.github.benmanes.caffeine.cache.Cache<Integer, BigInteger> cache) {
            this.cache = cache;
        }

        @Override
        public BigInteger apply(Integer n) {
            return cache.get(
                    n, k -> k < 2 ? BigInteger.valueOf(k) : apply(k - 1).add(apply(k - 2)));
        }
    }

    @Test
    void aTrueCycleFailsAtOnce() {
        AtomicReference<Memoized<Integer, Integer>> self = new AtomicReference<>();
        self.set(Cachet.memoize(n -> self.get().apply(n), 8));
        assertThatThrownBy(() -> self.get().apply(7))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recursive load")
                .hasMessageContaining("key 7");
    }

    @Test
    void concurrentCallsWithOneArgumentRunTheFunctionOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            for (int round = 0; round < 50; round++) {
                AtomicInteger runs = new AtomicInteger();
                Memoized<String, String> slow = Cachet.memoize(
                        s -> {
                            runs.incrementAndGet();
                            java.util.concurrent.locks.LockSupport.parkNanos(10_000);
                            return s.toUpperCase(java.util.Locale.ROOT);
                        },
                        8);
                CyclicBarrier barrier = new CyclicBarrier(32);
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < 32; t++) {
                    results.add(pool.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS);
                        return slow.apply("x");
                    }));
                }
                for (Future<String> result : results) {
                    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("X");
                }
                assertThat(runs.get()).as("round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNegativeBoundIsRejected() {
        assertThatThrownBy(() -> Cachet.memoize((Integer n) -> n, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maximumSize must not be negative, was -1");
        assertThatThrownBy(() -> Cachet.memoize((Function<Integer, Integer>) null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("function");
    }

    @Test
    void mutableResultsAreCopiedSoCallersCannotCorruptThem() {
        Memoized<Integer, List<Integer>> range = Cachet.memoize(
                n -> {
                    List<Integer> list = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        list.add(i);
                    }
                    return list;
                },
                8);
        range.apply(3).clear(); // the miss's result
        range.apply(3).add(99); // a hit's result
        assertThat(range.apply(3)).containsExactly(0, 1, 2);

        MemoizedBiFunction<Integer, Integer, List<Integer>> pair =
                Cachet.memoize((Integer a, Integer b) -> new ArrayList<>(List.of(a, b)), 8);
        pair.apply(1, 2).clear();
        pair.apply(1, 2).add(99);
        assertThat(pair.apply(1, 2)).containsExactly(1, 2);
        assertThat(pair.stats().hits()).isEqualTo(2);
    }

    @Test
    void aMutableResultAfterOnlyImmutableOnesIsStillCopied() {
        // Hits skip the copier while every result stored was immutable; the first mutable one must end that.
        Memoized<Integer, Object> result = Cachet.memoize(n -> n == 0 ? "zero" : new ArrayList<>(List.of(n)), 8);
        assertThat(result.apply(0)).isEqualTo("zero");
        assertThat(result.apply(0)).isEqualTo("zero"); // a hit while only a String is stored
        @SuppressWarnings("unchecked")
        List<Integer> hit = (List<Integer>) result.apply(1);
        hit.add(99); // the miss's own copy
        @SuppressWarnings("unchecked")
        List<Integer> again = (List<Integer>) result.apply(1);
        again.add(98); // a hit's copy
        assertThat(result.apply(1)).isEqualTo(List.of(1));

        MemoizedBiFunction<Integer, Integer, Object> pair =
                Cachet.memoize((Integer a, Integer b) -> a == 0 ? (Object) "zero" : new ArrayList<>(List.of(a, b)), 8);
        assertThat(pair.apply(0, 0)).isEqualTo("zero");
        assertThat(pair.apply(0, 0)).isEqualTo("zero");
        pair.apply(1, 2);
        @SuppressWarnings("unchecked")
        List<Integer> pairHit = (List<Integer>) pair.apply(1, 2);
        pairHit.clear();
        assertThat(pair.apply(1, 2)).isEqualTo(List.of(1, 2));
    }
}
