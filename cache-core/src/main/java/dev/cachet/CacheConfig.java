package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The value settings a cache was built with, as {@link Cache#config()} reports them. Immutable; two caches built
 * with the same settings have equal configs. Functional settings (weigher, copier, ticker, listeners) are not part
 * of it.
 *
 * @param name the cache's name
 * @param maximumSize the entry-count bound, if any
 * @param maximumWeight the weight bound, if any
 * @param expireAfterWrite how long an entry lives after it was written, if limited
 * @param expireAfterAccess how long an entry lives after it was last read or written, if limited
 * @param refreshAfterWrite after how long a read triggers a background reload, if set
 * @param hitRatioThreshold the hit ratio below which a window of requests raises a {@link LowHitRatio}; 0 disables
 * @param hitRatioWindow how many requests make one window for the hit-ratio check
 * @param cacheNulls how long a {@code null} a loader returned is remembered, if null results are cached
 * @param staleIfError how long an expired value is kept to be returned when its reload fails, if at all
 */
public record CacheConfig(
        String name,
        OptionalLong maximumSize,
        OptionalLong maximumWeight,
        Optional<Duration> expireAfterWrite,
        Optional<Duration> expireAfterAccess,
        Optional<Duration> refreshAfterWrite,
        double hitRatioThreshold,
        int hitRatioWindow,
        Optional<Duration> cacheNulls,
        Optional<Duration> staleIfError) {

    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException naming the null component
     */
    public CacheConfig {
        requireNonNull(name, "name");
        requireNonNull(maximumSize, "maximumSize");
        requireNonNull(maximumWeight, "maximumWeight");
        requireNonNull(expireAfterWrite, "expireAfterWrite");
        requireNonNull(expireAfterAccess, "expireAfterAccess");
        requireNonNull(refreshAfterWrite, "refreshAfterWrite");
        requireNonNull(cacheNulls, "cacheNulls");
        requireNonNull(staleIfError, "staleIfError");
    }

    /** Builds the config of a cache that serves no stale value when a load fails. */
    public CacheConfig(
            String name,
            OptionalLong maximumSize,
            OptionalLong maximumWeight,
            Optional<Duration> expireAfterWrite,
            Optional<Duration> expireAfterAccess,
            Optional<Duration> refreshAfterWrite,
            double hitRatioThreshold,
            int hitRatioWindow,
            Optional<Duration> cacheNulls) {
        this(
                name,
                maximumSize,
                maximumWeight,
                expireAfterWrite,
                expireAfterAccess,
                refreshAfterWrite,
                hitRatioThreshold,
                hitRatioWindow,
                cacheNulls,
                Optional.empty());
    }

    /** Builds the config of a cache that does not cache null results. */
    public CacheConfig(
            String name,
            OptionalLong maximumSize,
            OptionalLong maximumWeight,
            Optional<Duration> expireAfterWrite,
            Optional<Duration> expireAfterAccess,
            Optional<Duration> refreshAfterWrite,
            double hitRatioThreshold,
            int hitRatioWindow) {
        this(
                name,
                maximumSize,
                maximumWeight,
                expireAfterWrite,
                expireAfterAccess,
                refreshAfterWrite,
                hitRatioThreshold,
                hitRatioWindow,
                Optional.empty());
    }

    /** Returns the size or weight bound, or empty when the cache is unbounded. */
    public OptionalLong bound() {
        return maximumSize.isPresent() ? maximumSize : maximumWeight;
    }
}
