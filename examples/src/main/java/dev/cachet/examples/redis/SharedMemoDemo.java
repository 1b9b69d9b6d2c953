package dev.cachet.examples.redis;

import dev.cachet.Cache;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A memoised expensive function shared by processes through Redis: the first process computes each answer and leaves
 * it in Redis; a second process, started afterwards, gets every answer from Redis without computing anything. Each
 * call prints whether it was computed here or served from Redis, and the run ends with the cache's {@code stats()} and
 * {@code remoteStats()}.
 *
 * <p>The function counts the primes up to {@code n} (a sieve behind a 300 ms pause, standing in for a slow service).
 * Answers live ten minutes, under the key prefix {@code cachet-examples} (cache {@code shared-memo-demo}), so they stay
 * apart from every other user of the server.
 *
 * <p>Run it twice with a Redis server at hand; the second run reports hits for everything the first computed:
 *
 * <pre>
 * mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl examples -am
 * mvn -B -q -pl examples exec:exec -Ddemo.mainClass=dev.cachet.examples.redis.SharedMemoDemo \
 *     -Ddemo.args=redis://127.0.0.1:6379
 * mvn -B -q -pl examples exec:exec -Ddemo.mainClass=dev.cachet.examples.redis.SharedMemoDemo \
 *     -Ddemo.args=redis://127.0.0.1:6379        # again: every answer comes from Redis
 * mvn -B -q -pl examples exec:exec -Ddemo.mainClass=dev.cachet.examples.redis.SharedMemoDemo \
 *     -Ddemo.args="redis://127.0.0.1:6379 --clear"   # forget the answers
 * </pre>
 *
 * <p>Arguments: {@code [redis-uri] [--clear]}, in any order; the URI defaults to {@code redis://127.0.0.1:6379} and
 * takes the forms of {@link RedisTier#connect(String)}. {@code --clear} invalidates the cache and exits.
 */
public final class SharedMemoDemo {
    private static final String DEFAULT_URI = "redis://127.0.0.1:6379";
    private static final List<Integer> INPUTS = List.of(1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000);
    private static final Duration SLOW_SERVICE = Duration.ofMillis(300);

    private final Cache<Integer, Long> primeCounts;
    private final AtomicLong computedHere = new AtomicLong();

    private SharedMemoDemo(Cache<Integer, Long> primeCounts) {
        this.primeCounts = primeCounts;
    }

    /**
     * Computes (or fetches) the prime counts, or clears them with {@code --clear}.
     *
     * @param args {@code [redis-uri] [--clear]}
     */
    public static void main(String[] args) {
        String uri = DEFAULT_URI;
        boolean clear = false;
        for (String arg : args) {
            if (arg.equals("--clear")) {
                clear = true;
            } else if (arg.startsWith("-")) {
                System.err.println("unknown option " + arg + "; usage: SharedMemoDemo [redis-uri] [--clear]");
                System.exit(2);
            } else if (!arg.isBlank()) {
                uri = arg;
            }
        }
        RedisTierConfig tierConfig =
                RedisTierConfig.builder().keyPrefix("cachet-examples").build();
        try (RedisTier redis = RedisTier.connect(uri, tierConfig)) {
            Cache<Integer, Long> primeCounts = Cachet.builder("shared-memo-demo")
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .remote(redis, Codec.longs(), RemoteConfig.ofDefaults())
                    .<Integer, Long>build();
            System.out.printf(
                    "process %d, Redis at %s%n", ProcessHandle.current().pid(), redis.describe());
            if (clear) {
                primeCounts.invalidateAll();
                System.out.println("cleared cache '" + primeCounts.name() + "'; the next run computes everything");
                return;
            }
            new SharedMemoDemo(primeCounts).run();
        }
    }

    private void run() {
        int fromRedis = 0;
        for (int n : INPUTS) {
            long before = computedHere.get();
            long start = System.nanoTime();
            long count = primeCounts.get(n, this::countPrimes);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            boolean computed = computedHere.get() > before;
            System.out.printf(
                    "primes up to %,11d: %,9d   %-21s %4d ms%n",
                    n, count, computed ? "computed here" : "served from Redis", millis);
            if (!computed) {
                fromRedis++;
            }
        }
        System.out.println(primeCounts.stats());
        System.out.println(primeCounts.remoteStats().orElseThrow());
        if (fromRedis == 0) {
            System.out.println("computed everything here; run me again: the next process gets it all from Redis");
        } else {
            System.out.printf(
                    "%d of %d answers came from Redis, computed by an earlier process%n", fromRedis, INPUTS.size());
        }
    }

    /** The expensive pure function: how many primes are at most {@code n}, behind a slow-service pause. */
    private long countPrimes(int n) {
        computedHere.incrementAndGet();
        try {
            Thread.sleep(SLOW_SERVICE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting primes up to " + n, e);
        }
        boolean[] composite = new boolean[n + 1];
        long count = 0;
        for (int i = 2; i <= n; i++) {
            if (!composite[i]) {
                count++;
                for (long multiple = (long) i * i; multiple <= n; multiple += i) {
                    composite[(int) multiple] = true;
                }
            }
        }
        return count;
    }
}
