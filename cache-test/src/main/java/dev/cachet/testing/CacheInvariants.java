package dev.cachet.testing;

import static java.util.Objects.requireNonNull;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheStats;
import dev.cachet.NearStats;
import dev.cachet.RemoteStats;
import dev.cachet.internal.LoadTracking;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks what must hold of every cache after a test, whatever the test did to it. As a JUnit 5 extension it gives
 * each test a fresh {@link CacheRegistry} and checks every cache registered in it after the test; {@link
 * #check(Cache)} checks any one cache, from anywhere.
 *
 * <pre>{@code
 * @RegisterExtension final CacheInvariants invariants = new CacheInvariants();
 *
 * @Test
 * void pricesAreCached() {
 *     Cache<String, Price> prices = Cachet.builder("prices").maximumSize(100).registry(invariants.registry()).build();
 *     ...                                                  // checked after the test
 * }
 * }</pre>
 *
 * <p>The checks, each of which a broken cache fails:
 *
 * <ul>
 *   <li>once {@link Cache#cleanUp()} ran, the size is not negative and not above {@code maximumSize};
 *   <li>no load is left in flight, in any tier of any kind of cache Cachet builds (see {@link #loadsInFlight});
 *   <li>no counter of {@link Cache#stats()}, {@link Cache#remoteStats()} or {@link Cache#nearStats()} is negative, or
 *       went down, neither across the clean-up nor since the previous check of the same cache.
 * </ul>
 *
 * <p>Identities such as {@code requestCount == hitCount + missCount} are not checked: {@link CacheStats} defines them
 * so, and rejects negative counts itself.
 *
 * <p>Thread-safe, but the checks are meant for a quiescent cache: a load still running when they run is a failure.
 */
public final class CacheInvariants implements AfterEachCallback {
    /** The counters each cache had at its last check; weak, so that checked caches can still be collected. */
    private static final Map<Cache<?, ?>, Map<String, Long>> LAST_COUNTERS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private volatile CacheRegistry registry = CacheRegistry.create();

    /** Creates the extension; register it with {@code @RegisterExtension}. */
    public CacheInvariants() {}

    /** Returns this test's registry: build caches with {@code .registry(invariants.registry())}. */
    public CacheRegistry registry() {
        return registry;
    }

    /** Checks every cache of this test's registry, then gives the next test a fresh registry. */
    @Override
    public void afterEach(ExtensionContext context) {
        try {
            registry.caches().forEach(CacheInvariants::check);
        } finally {
            registry = CacheRegistry.create();
        }
    }

    /**
     * Runs {@code cache}'s maintenance and checks its invariants (see the class comment); use it for caches built
     * outside the extension's registry.
     *
     * @throws AssertionError listing every invariant {@code cache} breaks, naming the cache
     */
    public static void check(Cache<?, ?> cache) {
        requireNonNull(cache, "cache");
        List<String> problems = new ArrayList<>();
        Map<String, Long> beforeCleanUp = counters(cache);
        cache.cleanUp();

        long size = cache.estimatedSize();
        if (size < 0) {
            problems.add("estimated size is negative: " + size);
        }
        cache.config().maximumSize().ifPresent(bound -> {
            if (size > bound) {
                problems.add("size " + size + " is above maximumSize " + bound + " after cleanUp()");
            }
        });

        Map<String, Long> now = counters(cache);
        now.forEach((counter, value) -> {
            if (value < 0) {
                problems.add(counter + " is negative: " + value);
            }
        });
        notDecreased(beforeCleanUp, now, "across cleanUp()", problems);
        Map<String, Long> previous = LAST_COUNTERS.put(cache, now);
        if (previous != null) {
            notDecreased(previous, now, "since the previous check", problems);
        }

        if (cache instanceof LoadTracking tracking && tracking.loadsInFlight() != 0) {
            problems.add(tracking.loadsInFlight() + " load(s) left in flight");
        }

        if (!problems.isEmpty()) {
            throw new AssertionError(
                    "cache '" + cache.name() + "' breaks its invariants:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * Returns how many loads {@code cache} has running or registered and not yet completed, in every tier: 0 once
     * every caller got its value.
     *
     * @throws IllegalArgumentException if {@code cache} was not built by Cachet, which alone tracks its loads
     */
    public static int loadsInFlight(Cache<?, ?> cache) {
        requireNonNull(cache, "cache");
        if (cache instanceof LoadTracking tracking) {
            return tracking.loadsInFlight();
        }
        throw new IllegalArgumentException("cache '" + cache.name() + "' ("
                + cache.getClass().getName() + ") does not track its loads: only caches built by Cachet do");
    }

    /** Returns every counter of the cache's stats, by name, in a stable order. */
    private static Map<String, Long> counters(Cache<?, ?> cache) {
        Map<String, Long> counters = new LinkedHashMap<>();
        CacheStats stats = cache.stats();
        counters.put("hitCount", stats.hitCount());
        counters.put("missCount", stats.missCount());
        counters.put("loadSuccessCount", stats.loadSuccessCount());
        counters.put("loadFailureCount", stats.loadFailureCount());
        counters.put("totalLoadTimeNanos", stats.totalLoadTimeNanos());
        counters.put("evictionCount", stats.evictionCount());
        counters.put("evictionWeight", stats.evictionWeight());
        counters.put("putCount", stats.putCount());
        cache.remoteStats().ifPresent(remote -> putRemote(counters, remote));
        cache.nearStats().ifPresent(near -> putNear(counters, near));
        return counters;
    }

    private static void putRemote(Map<String, Long> counters, RemoteStats remote) {
        counters.put("remote.hits", remote.hits());
        counters.put("remote.misses", remote.misses());
        counters.put("remote.errors", remote.errors());
        counters.put("remote.lockWaits", remote.lockWaits());
        counters.put("remote.lockTimeouts", remote.lockTimeouts());
        counters.put("remote.decodeFailures", remote.decodeFailures());
        counters.put("remote.fallbackLoads", remote.fallbackLoads());
        counters.put("remote.earlyRecomputes", remote.earlyRecomputes());
    }

    private static void putNear(Map<String, Long> counters, NearStats near) {
        counters.put("near.hits", near.hits());
        counters.put("near.misses", near.misses());
        counters.put("near.invalidationsReceived", near.invalidationsReceived());
        counters.put("near.clears", near.clears());
        counters.put("near.invalidationsNotSent", near.invalidationsNotSent());
    }

    private static void notDecreased(Map<String, Long> before, Map<String, Long> after, String when, List<String> out) {
        before.forEach((counter, earlier) -> {
            Long later = after.get(counter);
            if (later == null) {
                out.add(counter + " disappeared " + when);
            } else if (later < earlier) {
                out.add(counter + " went down " + when + ": " + earlier + " -> " + later);
            }
        });
    }
}
