package dev.cachet.redis;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;

/**
 * One process of {@link RedisRefreshAheadTest}: a JVM of its own whose threads read one key through a remote or near
 * cache with {@code refreshAfterWrite} for a bounded time. Its loader counts loads in Redis (the value of load n is
 * {@code v<n>}) and logs each load's start time there, from which the test counts the loads of each refresh round.
 * Run by name with the Redis URI, the key prefix, the cache kind ({@code remote} or {@code near}), the worker's id and
 * the number of threads; it marks itself ready in Redis, waits for the test's go (the epoch millisecond to stop at),
 * and prints its result line.
 */
public final class RefreshAheadWorker {
    /** The line that carries the result: the loads this process ran, then the values its threads saw, in order. */
    static final String RESULT = "refresh-ahead-worker:";

    static final Duration REFRESH = Duration.ofMillis(1_000);
    static final Duration TTL = Duration.ofMinutes(1);
    static final Duration LOAD_TIME = Duration.ofMillis(100);
    static final String KEY = "quote";

    private RefreshAheadWorker() {}

    static String counterKey(String prefix) {
        return prefix + ":test:loads";
    }

    static String logKey(String prefix) {
        return prefix + ":test:load-starts";
    }

    static String readyKey(String prefix, String worker) {
        return prefix + ":test:ready:" + worker;
    }

    static String goKey(String prefix) {
        return prefix + ":test:go";
    }

    /**
     * Reads the key until the test's deadline.
     *
     * @param args the Redis URI, the key prefix, {@code remote} or {@code near}, the worker's id, the thread count
     */
    public static void main(String[] args) throws InterruptedException {
        String uri = args[0];
        String prefix = args[1];
        boolean near = args[2].equals("near");
        String id = args[3];
        int threads = Integer.parseInt(args[4]);
        try (RedisTier tier = RedisNullCachingTest.tier(uri, prefix);
                Jedis bookkeeping = new Jedis(URI.create(uri))) {
            Cache<String, String> cache = cache(tier, near, CacheRegistry.create());
            AtomicInteger loads = new AtomicInteger();
            bookkeeping.set(readyKey(prefix, id), "1");
            String go;
            while ((go = bookkeeping.get(goKey(prefix))) == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            long deadline = Long.parseLong(go);
            List<Set<String>> seen = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Set<String> mine = new LinkedHashSet<>();
                seen.add(mine);
                Thread reader = new Thread(() -> {
                    while (System.currentTimeMillis() < deadline) {
                        mine.add(cache.get(KEY, key -> load(bookkeeping, prefix, loads)));
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                });
                reader.start();
                readers.add(reader);
            }
            for (Thread reader : readers) {
                reader.join();
            }
            Set<String> all = new LinkedHashSet<>();
            seen.forEach(all::addAll);
            System.out.println(RESULT + " loads=" + loads.get() + " seen=" + String.join(",", all));
        }
    }

    static Cache<String, String> cache(RedisTier tier, boolean near, CacheRegistry registry) {
        var builder = Cachet.builder(near ? "refresh-near" : "refresh-remote")
                .registry(registry)
                .expireAfterWrite(TTL)
                .refreshAfterWrite(REFRESH)
                .remote(tier, Codec.string());
        return near ? builder.nearCache(100, Duration.ofMinutes(1)).build() : builder.build();
    }

    /** The loader: takes LOAD_TIME, logs its start in Redis and returns the next value. */
    private static String load(Jedis bookkeeping, String prefix, AtomicInteger loads) {
        long started = System.currentTimeMillis();
        loads.incrementAndGet();
        LockSupport.parkNanos(LOAD_TIME.toNanos());
        long n;
        synchronized (bookkeeping) { // one connection for the loader, which runs on a caller or the refresh executor
            n = bookkeeping.incr(counterKey(prefix));
            bookkeeping.rpush(logKey(prefix), started + ":" + n);
        }
        return "v" + n;
    }
}
