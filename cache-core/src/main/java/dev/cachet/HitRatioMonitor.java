package dev.cachet;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a cache's hit ratio over consecutive windows of requests and raises a {@link LowHitRatio} for each window
 * that falls below the threshold. It looks only on misses: a window with no misses cannot be below any threshold, so
 * the hit path pays nothing. A window therefore closes at the first miss after it has seen its number of requests.
 * It keeps the ratio of the last closed window for {@link #recentHitRatio()}. A threshold of 0 turns it off
 * altogether (the tiers inside a near cache, or a user's choice): then no window closes, and the recent ratio reads
 * as the cumulative one.
 *
 * <p>Thread-safe and lock-free: concurrent misses race to close a window and exactly one wins.
 */
final class HitRatioMonitor {
    private static final Logger log = LoggerFactory.getLogger(HitRatioMonitor.class);

    private final String cacheName;
    private final double threshold;
    private final int window;
    private final LongSupplier hitCount;
    private final LongSupplier missCount;
    private final LongSupplier size;
    private final OptionalLong bound;
    private final Consumer<? super LowHitRatio> handler;
    private final AtomicReference<WindowStart> start = new AtomicReference<>(new WindowStart(0, 0, Double.NaN));

    /** Where the open window began, and the hit ratio of the window closed then (NaN before the first closed). */
    private record WindowStart(long hits, long requests, double closedRatio) {}

    /**
     * Creates a monitor.
     *
     * @param threshold hit ratio below which a window raises an event; 0 turns the monitor off
     * @param window requests per window, at least 1
     * @param hitCount the cache's hits so far
     * @param missCount the cache's misses so far
     * @param handler receives the events; its failures are logged and ignored
     */
    HitRatioMonitor(
            String cacheName,
            double threshold,
            int window,
            LongSupplier hitCount,
            LongSupplier missCount,
            LongSupplier size,
            OptionalLong bound,
            Consumer<? super LowHitRatio> handler) {
        this.cacheName = cacheName;
        this.threshold = threshold;
        this.window = window;
        this.hitCount = hitCount;
        this.missCount = missCount;
        this.size = size;
        this.bound = bound;
        this.handler = handler;
    }

    /** Called after each miss; closes the window if it is full. */
    public void onMiss() {
        if (threshold <= 0) {
            return;
        }
        WindowStart current = start.get();
        long hits = hitCount.getAsLong();
        long requests = hits + missCount.getAsLong();
        long inWindow = requests - current.requests();
        if (inWindow < window) {
            return;
        }
        double ratio = (double) (hits - current.hits()) / inWindow;
        if (!start.compareAndSet(current, new WindowStart(hits, requests, ratio))) {
            return;
        }
        if (ratio < threshold) {
            double cumulative = (double) hits / requests;
            LowHitRatio event =
                    new LowHitRatio(cacheName, ratio, threshold, inWindow, size.getAsLong(), bound, cumulative);
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                log.warn("hit-ratio handler of cache '{}' failed; ignored", cacheName, e);
            }
        }
    }

    /**
     * Returns the hit ratio over the last window of requests, computed from the counters when read: the open window's
     * once it holds a full window (it closes only at its next miss, so a window of hits alone must be read here), the
     * last closed window's otherwise, and before any window closed (or with the monitor off) the ratio of every request
     * so far (1.0 before the first request).
     */
    double recentHitRatio() {
        WindowStart current = start.get();
        long hits = hitCount.getAsLong();
        long requests = hits + missCount.getAsLong();
        long inWindow = requests - current.requests();
        if (inWindow >= window || Double.isNaN(current.closedRatio())) {
            return inWindow <= 0 ? 1.0 : (double) (hits - current.hits()) / inWindow;
        }
        return current.closedRatio();
    }
}
