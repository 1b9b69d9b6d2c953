package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * Raised when a window of requests to a cache hit less often than its configured threshold: the cache is likely too
 * small for its key space, or its keys are poorly chosen (for example, including a timestamp). By default it is
 * logged as a WARN; {@link CacheBuilder#onLowHitRatio} takes another handler.
 *
 * @param cacheName the cache's name
 * @param hitRatio the hit ratio over the window: the recent ratio, which a cumulative ratio since start would hide
 * @param threshold the configured threshold it fell below
 * @param requests the number of requests in the window
 * @param size the cache's estimated size when the window closed
 * @param bound the cache's size or weight bound, empty when unbounded
 * @param cumulativeHitRatio the hit ratio of every request since the cache was built, beside the window's, so that a
 *     recent drop stands out from a cache that always hit poorly; NaN when not known (an event made with the shorter
 *     constructor)
 */
public record LowHitRatio(
        String cacheName,
        double hitRatio,
        double threshold,
        long requests,
        long size,
        OptionalLong bound,
        double cumulativeHitRatio) {

    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException naming the null component
     */
    public LowHitRatio {
        requireNonNull(cacheName, "cacheName");
        requireNonNull(bound, "bound");
    }

    /**
     * Creates an event without the cumulative hit ratio (NaN), as before that figure existed.
     *
     * @throws NullPointerException naming the null component
     */
    public LowHitRatio(
            String cacheName, double hitRatio, double threshold, long requests, long size, OptionalLong bound) {
        this(cacheName, hitRatio, threshold, requests, size, bound, Double.NaN);
    }

    /** Returns the sentence logged for this event. */
    public String describe() {
        return String.format(
                "cache '%s': hit ratio %.1f%% over the last %d requests is below %.1f%%%s (size %d, bound %s);"
                        + " the bound may be too small for the key space, or the keys poorly chosen",
                cacheName,
                hitRatio * 100,
                requests,
                threshold * 100,
                Double.isNaN(cumulativeHitRatio)
                        ? ""
                        : String.format(" (%.1f%% since the cache was built)", cumulativeHitRatio * 100),
                size,
                bound.isPresent() ? String.valueOf(bound.getAsLong()) : "none");
    }
}
