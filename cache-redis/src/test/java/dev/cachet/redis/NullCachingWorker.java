package dev.cachet.redis;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second process of {@link RedisNullCachingTest}: a JVM of its own that reads keys another process cached a
 * {@code null} for, on a remote and a near cache, and prints what it got and how often its loaders ran. Run by name
 * with the Redis URI, the key prefix and the keys.
 */
public final class NullCachingWorker {
    /** The line that carries the result: the loads, then each read as "null" or the value. */
    static final String RESULT = "null-caching-worker:";

    private NullCachingWorker() {}

    /**
     * Reads each key three times with {@code get(key, loader)} and once with {@code getIfPresent}, on both caches.
     *
     * @param args the Redis URI, the key prefix, then the keys
     */
    public static void main(String[] args) {
        try (RedisTier tier = RedisNullCachingTest.tier(args[0], args[1])) {
            Cache<String, String> remote = RedisNullCachingTest.remote(tier, CacheRegistry.create());
            Cache<String, String> near = RedisNullCachingTest.near(tier, CacheRegistry.create());
            AtomicInteger loads = new AtomicInteger();
            StringBuilder reads = new StringBuilder();
            for (int i = 2; i < args.length; i++) {
                for (Cache<String, String> cache : java.util.List.of(remote, near)) {
                    for (int read = 0; read < 3; read++) {
                        reads.append(' ').append(cache.get(args[i], key -> "loaded-" + loads.incrementAndGet()));
                    }
                    reads.append(' ').append(cache.getIfPresent(args[i]));
                }
            }
            System.out.println(RESULT + " loads=" + loads.get() + " reads="
                    + reads.toString().strip());
        }
    }
}
