package dev.cachet.internal;

import org.jspecify.annotations.Nullable;

/**
 * The hit ratios a cache keeps beside its statistics, for the metrics binding: the cumulative one since the cache was
 * built and the recent one over its last window of requests (the window of its hit-ratio warning), and, for a
 * two-level cache, each tier's figures (whose recent ratio is the cumulative one: only the combined ratio is
 * watched over windows, which spares the tiers' miss paths). Implemented by every kind of cache Cachet builds. Not API:
 * reachable only from Cachet's own packages and modules.
 *
 * <p>Implementations are thread-safe; each figure is computed when read and is 1.0 before the first request.
 */
public interface HitRatios {

    /** The tiers of a two-level cache. */
    enum Tier {
        /** The local copy in this process. */
        NEAR,
        /** The tier shared between processes; its requests are the near tier's misses. */
        REMOTE
    }

    /** Returns the fraction of requests that hit since the cache was built. */
    double cumulativeHitRatio();

    /**
     * Returns the fraction of requests that hit over the last window of requests: the last closed window's, or the
     * open window's once it holds a full window of requests (a window of hits alone closes at no miss, and must still
     * read 1.0), or, before the first window closed or with the hit-ratio warning off, the ratio of every request so
     * far.
     */
    double recentHitRatio();

    /** Returns the figures of one tier of a two-level cache, or null for a cache without that tier. */
    default @Nullable HitRatios tier(Tier tier) {
        return null;
    }
}
