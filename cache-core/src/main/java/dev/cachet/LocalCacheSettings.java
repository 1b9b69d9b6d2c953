package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link LocalCache} is built from: the validated value settings and the functional ones. Built by
 * {@link CacheBuilder} after validation.
 *
 * @param config the value settings
 * @param ticker the time source
 * @param executor runs maintenance, removal listeners and refreshes; null for Caffeine's default (the common pool)
 * @param copier copies values in and out
 * @param weigher weighs entries when {@code config.maximumWeight()} is set; otherwise null
 * @param removalListener told of removals, or null
 * @param lowHitRatioHandler told of low hit-ratio windows
 * @param expiry decides each entry's lifetime instead of the config's fixed durations, or null
 */
record LocalCacheSettings<K, V>(
        CacheConfig config,
        Ticker ticker,
        @Nullable Executor executor,
        Copier<V> copier,
        @Nullable Weigher<? super K, ? super V> weigher,
        @Nullable RemovalListener<? super K, ? super V> removalListener,
        Consumer<? super LowHitRatio> lowHitRatioHandler,
        @Nullable Expiry<? super K, ? super V> expiry) {

    /**
     * Checks the required components.
     *
     * @throws NullPointerException naming a missing required component
     */
    LocalCacheSettings {
        requireNonNull(config, "config");
        requireNonNull(ticker, "ticker");
        requireNonNull(copier, "copier");
        requireNonNull(lowHitRatioHandler, "lowHitRatioHandler");
    }
}
