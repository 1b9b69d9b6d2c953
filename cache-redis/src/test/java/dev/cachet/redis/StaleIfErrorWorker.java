package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second process of {@link StaleIfErrorAcrossProcessesTest}: a JVM of its own with the test's near and remote-only
 * caches over the same Redis, whose source is down (every load fails). It reads commands from standard input, one a
 * line, and answers each on one line of standard output that starts with {@link #RESULT}: {@code get near|remote
 * <key>} answers {@code value=<v>} or {@code error=<exception class>}, followed by the cache's stale values served and
 * the loads tried so far; {@code heard} answers {@code invalidations=<n>}, the invalidation messages its near cache
 * received; {@code quit} ends it. It prints {@link #READY} once its caches are built.
 */
public final class StaleIfErrorWorker {
    static final String READY = "stale-worker: ready";
    static final String RESULT = "stale-worker:";

    private StaleIfErrorWorker() {}

    /**
     * Runs the worker.
     *
     * @param args the Redis URI and the cache names' prefix
     */
    public static void main(String[] args) throws IOException {
        AtomicInteger loads = new AtomicInteger();
        try (RedisTier tier = StaleIfErrorAcrossProcessesTest.tier(args[0])) {
            Cache<String, String> near = StaleIfErrorAcrossProcessesTest.near(tier, args[1], CacheRegistry.create());
            Cache<String, String> remote =
                    StaleIfErrorAcrossProcessesTest.remote(tier, args[1], CacheRegistry.create());
            System.out.println(READY);
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, UTF_8));
            for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                String[] command = line.strip().split(" ");
                if (command[0].equals("quit")) {
                    return;
                }
                if (command[0].equals("heard")) {
                    System.out.println(RESULT + " invalidations="
                            + near.nearStats().orElseThrow().invalidationsReceived());
                    continue;
                }
                Cache<String, String> cache = command[1].equals("near") ? near : remote;
                String answer;
                try {
                    answer = "value="
                            + cache.get(command[2], key -> {
                                loads.incrementAndGet();
                                throw new IllegalStateException("source down for " + key);
                            });
                } catch (RuntimeException e) {
                    answer = "error=" + e.getClass().getSimpleName();
                }
                System.out.println(RESULT + " " + answer + " staleServed="
                        + cache.stats().staleServedCount() + " loads=" + loads.get());
            }
        }
    }
}
