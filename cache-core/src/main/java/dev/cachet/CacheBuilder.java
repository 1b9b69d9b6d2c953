package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Configures and builds a {@link Cache}; obtained from {@link Cachet#builder(String)}. Each option may be set once;
 * values are validated by {@link #build()}, which throws {@link IllegalArgumentException} naming the option and the
 * value, or {@link IllegalStateException} for options that cannot be combined.
 *
 * <pre>{@code
 * Cache<String, Quote> quotes = Cachet.builder("quotes")
 *         .maximumSize(10_000)
 *         .expireAfterWrite(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * <p>A builder is not thread-safe; the caches it builds are. The built cache is registered under its name in the
 * builder's {@link CacheRegistry} (the {@linkplain CacheRegistry#defaultRegistry() default} unless {@link
 * #registry(CacheRegistry)} says otherwise): building the same name again with equal settings returns the same cache,
 * with different settings throws {@link IllegalStateException}.
 *
 * @param <K> the key type of the caches it builds
 * @param <V> the value type of the caches it builds
 */
public final class CacheBuilder<K, V> {
    static final double DEFAULT_HIT_RATIO_THRESHOLD = 0.80;
    static final int DEFAULT_HIT_RATIO_WINDOW = 1_000;

    private final String name;
    private Long maximumSize;
    private Long maximumWeight;
    private Weigher<? super K, ? super V> weigher;
    private Duration expireAfterWrite;
    private Duration expireAfterAccess;
    private Duration refreshAfterWrite;
    private Ticker ticker;
    private Executor executor;
    private Copier<V> copier;
    private RemovalListener<? super K, ? super V> removalListener;
    private Double hitRatioThreshold;
    private Integer hitRatioWindow;
    private Consumer<? super LowHitRatio> lowHitRatioHandler;
    private CacheRegistry registry;
    private RemoteTier remoteTier;
    private ValueCodec<V> remoteCodec;
    private RemoteConfig remoteConfig;
    private Long nearMaximumSize;
    private Duration nearExpireAfterWrite;

    CacheBuilder(String name) {
        this.name = requireNonNull(name, "name");
    }

    /**
     * Bounds the cache to about {@code maximumSize} entries; Caffeine's W-TinyLFU policy picks what to evict. Cannot
     * be combined with {@link #maximumWeight}.
     *
     * @throws IllegalStateException if already set
     */
    public CacheBuilder<K, V> maximumSize(long maximumSize) {
        requireUnset("maximumSize", this.maximumSize);
        this.maximumSize = maximumSize;
        return this;
    }

    /**
     * Bounds the total weight of the entries, each weighed once by {@code weigher} when stored (for example, its size
     * in bytes). Cannot be combined with {@link #maximumSize}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code weigher} is null
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> CacheBuilder<K1, V1> maximumWeight(
            long maximumWeight, Weigher<? super K1, ? super V1> weigher) {
        requireUnset("maximumWeight", this.maximumWeight);
        CacheBuilder<K1, V1> self = (CacheBuilder<K1, V1>) this;
        self.maximumWeight = maximumWeight;
        self.weigher = requireNonNull(weigher, "weigher");
        return self;
    }

    /**
     * Expires each entry once {@code duration} has passed since it was stored or replaced.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code duration} is null
     */
    public CacheBuilder<K, V> expireAfterWrite(Duration duration) {
        requireUnset("expireAfterWrite", expireAfterWrite);
        this.expireAfterWrite = requireNonNull(duration, "expireAfterWrite");
        return this;
    }

    /**
     * Expires each entry once {@code duration} has passed since it was last read or written.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code duration} is null
     */
    public CacheBuilder<K, V> expireAfterAccess(Duration duration) {
        requireUnset("expireAfterAccess", expireAfterAccess);
        this.expireAfterAccess = requireNonNull(duration, "expireAfterAccess");
        return this;
    }

    /**
     * Refreshes an entry in the background when it is read {@code duration} or more after it was written: the reader
     * gets the current value at once while one reload runs on the executor; a failed reload keeps the old value. Needs
     * a cache with its own loader: build with {@link #build(Function)}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code duration} is null
     */
    public CacheBuilder<K, V> refreshAfterWrite(Duration duration) {
        requireUnset("refreshAfterWrite", refreshAfterWrite);
        this.refreshAfterWrite = requireNonNull(duration, "refreshAfterWrite");
        return this;
    }

    /**
     * Sets the time source for expiry, refresh and load timing; {@link Ticker#systemTicker()} by default. Tests pass
     * a fake clock: {@code .ticker(fakeClock::nanos)}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code ticker} is null
     */
    public CacheBuilder<K, V> ticker(Ticker ticker) {
        requireUnset("ticker", this.ticker);
        this.ticker = requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * Sets the executor for maintenance, removal listeners and refreshes; the common fork-join pool by default. {@code
     * Runnable::run} makes all of it run on the calling thread, which makes tests deterministic.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code executor} is null
     */
    public CacheBuilder<K, V> executor(Executor executor) {
        requireUnset("executor", this.executor);
        this.executor = requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Sets how values are copied on the way in and out; {@link Copier#defensive()} by default, which rejects value
     * types it does not know to be immutable or copyable.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code copier} is null
     */
    @SuppressWarnings("unchecked")
    public <V1 extends V> CacheBuilder<K, V1> copier(Copier<V1> copier) {
        requireUnset("copier", this.copier);
        CacheBuilder<K, V1> self = (CacheBuilder<K, V1>) this;
        self.copier = requireNonNull(copier, "copier");
        return self;
    }

    /**
     * Sets a listener told of every entry that leaves the cache; it runs on the executor and its failures are logged
     * and ignored.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code listener} is null
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> CacheBuilder<K1, V1> removalListener(
            RemovalListener<? super K1, ? super V1> listener) {
        requireUnset("removalListener", this.removalListener);
        CacheBuilder<K1, V1> self = (CacheBuilder<K1, V1>) this;
        self.removalListener = requireNonNull(listener, "removalListener");
        return self;
    }

    /**
     * Sets when a low hit ratio is reported: whenever a window of {@code window} consecutive requests hits less often
     * than {@code threshold}. Defaults: 0.80 over 1,000 requests. A threshold of 0 turns the check off.
     *
     * @param threshold between 0 and 1
     * @param window requests per window, at least 1
     * @throws IllegalStateException if already set
     */
    public CacheBuilder<K, V> hitRatioWarning(double threshold, int window) {
        requireUnset("hitRatioWarning", this.hitRatioThreshold);
        this.hitRatioThreshold = threshold;
        this.hitRatioWindow = window;
        return this;
    }

    /**
     * Sets what happens with a low hit-ratio window; by default a WARN is logged, at most once a minute per cache.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code handler} is null
     */
    public CacheBuilder<K, V> onLowHitRatio(Consumer<? super LowHitRatio> handler) {
        requireUnset("onLowHitRatio", this.lowHitRatioHandler);
        this.lowHitRatioHandler = requireNonNull(handler, "onLowHitRatio");
        return this;
    }

    /**
     * Registers the cache in {@code registry} instead of the default registry.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code registry} is null
     */
    public CacheBuilder<K, V> registry(CacheRegistry registry) {
        requireUnset("registry", this.registry);
        this.registry = requireNonNull(registry, "registry");
        return this;
    }

    /**
     * Keeps the cache's values in a remote tier shared between processes (Redis, from the {@code cache-redis} module),
     * encoded with {@code codec}, with the {@linkplain RemoteConfig#ofDefaults() default} remote settings. Needs
     * {@link #expireAfterWrite}, which becomes the remote TTL.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if an argument is null
     */
    public <V1 extends V> CacheBuilder<K, V1> remote(RemoteTier tier, ValueCodec<V1> codec) {
        return remote(tier, codec, RemoteConfig.ofDefaults());
    }

    /**
     * Keeps the cache's values in a remote tier, like {@link #remote(RemoteTier, ValueCodec)}, with the given
     * settings: failure policy, cross-process lock, size limit, early recompute.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if an argument is null
     */
    @SuppressWarnings("unchecked")
    public <V1 extends V> CacheBuilder<K, V1> remote(RemoteTier tier, ValueCodec<V1> codec, RemoteConfig config) {
        requireUnset("remote", this.remoteTier);
        CacheBuilder<K, V1> self = (CacheBuilder<K, V1>) this;
        self.remoteTier = requireNonNull(tier, "tier");
        self.remoteCodec = requireNonNull(codec, "codec");
        self.remoteConfig = requireNonNull(config, "config");
        return self;
    }

    /**
     * Keeps a bounded local copy of the remote tier's values in this process (the near tier): a near hit costs a
     * local lookup instead of a network round trip. Writes and invalidations in any process evict the key from every
     * other process's near tier through the remote tier's invalidation channel; {@code expireAfterWrite} caps how long
     * a local copy can be stale if a message is lost. Needs {@link #remote}. Near-tier values are copied like an
     * in-memory cache's ({@link #copier}).
     *
     * @param maximumSize the near tier's entry bound
     * @param expireAfterWrite the near tier's TTL: the longest a local copy may be stale
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code expireAfterWrite} is null
     */
    public CacheBuilder<K, V> nearCache(long maximumSize, Duration expireAfterWrite) {
        requireUnset("nearCache", this.nearMaximumSize);
        this.nearMaximumSize = maximumSize;
        this.nearExpireAfterWrite = requireNonNull(expireAfterWrite, "expireAfterWrite");
        return this;
    }

    /**
     * Builds the cache, or returns the one already registered under this name with equal settings.
     *
     * @throws IllegalArgumentException if a value is out of range (the message names the option and the value)
     * @throws IllegalStateException if options conflict, or the name is taken by a cache with other settings
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> Cache<K1, V1> build() {
        if (refreshAfterWrite != null) {
            throw new IllegalStateException("refreshAfterWrite needs a cache with its own loader: use build(loader)"
                    + " (cache '" + name + "')");
        }
        LocalCacheSettings<K1, V1> settings = (LocalCacheSettings<K1, V1>) settings();
        if (remoteTier != null) {
            requireRemoteCompatible();
            ValueCodec<V1> codec = (ValueCodec<V1>) remoteCodec;
            return register(settings, false, () -> {
                RemoteCache<K1, V1> remote = new RemoteCache<>(
                        settings.config(), remoteConfig, remoteTier.store(name), codec, settings.ticker());
                return nearMaximumSize == null ? remote : nearCache(settings, remote);
            });
        }
        if (nearMaximumSize != null) {
            throw new IllegalStateException(
                    "nearCache needs a remote tier: call remote(tier, codec) (cache '" + name + "')");
        }
        return register(settings, false, () -> new LocalCache<>(settings));
    }

    /**
     * Builds a cache with its own loader, used by {@link LoadingCache#get(Object)} and for refreshes, or returns the
     * one already registered under this name with equal settings.
     *
     * @throws NullPointerException if {@code loader} is null
     * @throws IllegalArgumentException if a value is out of range
     * @throws IllegalStateException if options conflict, or the name is taken by a cache with other settings
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> LoadingCache<K1, V1> build(Function<? super K1, ? extends V1> loader) {
        requireNonNull(loader, "loader");
        if (remoteTier != null) {
            throw new IllegalStateException("build(loader) is not supported with a remote tier yet; use build() and"
                    + " get(key, loader) (cache '" + name + "')");
        }
        LocalCacheSettings<K1, V1> settings = (LocalCacheSettings<K1, V1>) settings();
        return register(settings, true, () -> new LocalLoadingCache<>(settings, loader));
    }

    private <K1, V1> NearCache<K1, V1> nearCache(LocalCacheSettings<K1, V1> settings, RemoteCache<K1, V1> remote) {
        CacheConfig nearConfig = new CacheConfig(
                name + ".near",
                OptionalLong.of(nearMaximumSize),
                OptionalLong.empty(),
                Optional.of(nearExpireAfterWrite),
                Optional.empty(),
                Optional.empty(),
                0, // the near cache watches the combined hit ratio itself
                DEFAULT_HIT_RATIO_WINDOW);
        LocalCache<String, V1> near = new LocalCache<>(new LocalCacheSettings<String, V1>(
                nearConfig,
                settings.ticker(),
                settings.executor(),
                settings.copier(),
                null,
                null,
                settings.lowHitRatioHandler()));
        return new NearCache<>(
                settings.config(), near, remote, remoteTier.invalidations(name), settings.lowHitRatioHandler());
    }

    /** Rejects options that a remote-only cache cannot honour, rather than ignoring them. */
    private void requireRemoteCompatible() {
        if (expireAfterWrite == null || expireAfterWrite.isZero()) {
            throw new IllegalStateException("a remote tier needs a positive expireAfterWrite, so that every value it"
                    + " writes has a TTL (cache '" + name + "')");
        }
        if (nearMaximumSize != null) {
            if (nearMaximumSize < 0) {
                throw new IllegalArgumentException("nearCache maximumSize must not be negative, was " + nearMaximumSize
                        + " (cache '" + name + "')");
            }
            if (nearExpireAfterWrite.isNegative() || nearExpireAfterWrite.isZero()) {
                throw new IllegalArgumentException("nearCache expireAfterWrite must be positive, was "
                        + nearExpireAfterWrite + " (cache '" + name + "')");
            }
        }
        Object[][] localOnly = {
            {"maximumSize", maximumSize},
            {"maximumWeight", maximumWeight},
            {"expireAfterAccess", expireAfterAccess},
            {"copier", nearMaximumSize == null ? copier : null},
            {"removalListener", removalListener}
        };
        for (Object[] option : localOnly) {
            if (option[1] != null) {
                throw new IllegalStateException(option[0] + " applies to in-memory caches and cannot be combined with"
                        + " a remote tier (cache '" + name + "'); values from the tier are decoded fresh for each"
                        + " caller, so they need no copier");
            }
        }
    }

    private <C extends Cache<?, ?>> C register(
            LocalCacheSettings<?, ?> settings, boolean loading, Supplier<C> factory) {
        List<Object> fingerprint = new ArrayList<>();
        fingerprint.add(loading ? "loading" : "plain");
        for (Object component : new Object[] {weigher, ticker, executor, copier, removalListener, lowHitRatioHandler}) {
            // Functional options compare by class: the same lambda expression always has the same class.
            fingerprint.add(component == null ? "none" : component.getClass().getName());
        }
        fingerprint.add(remoteConfig == null ? "local" : remoteConfig.withoutFunctions());
        fingerprint.add(nearMaximumSize == null ? "no near" : "near " + nearMaximumSize + " " + nearExpireAfterWrite);
        CacheRegistry target = registry != null ? registry : CacheRegistry.defaultRegistry();
        return target.getOrCreate(settings.config(), List.copyOf(fingerprint), factory);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private LocalCacheSettings<K, V> settings() {
        if (name.isBlank()) {
            throw new IllegalArgumentException("cache name must not be blank, was '" + name + "'");
        }
        requireNonNegative("maximumSize", maximumSize);
        requireNonNegative("maximumWeight", maximumWeight);
        requireNonNegative("expireAfterWrite", expireAfterWrite);
        requireNonNegative("expireAfterAccess", expireAfterAccess);
        if (refreshAfterWrite != null && (refreshAfterWrite.isNegative() || refreshAfterWrite.isZero())) {
            throw new IllegalArgumentException(
                    "refreshAfterWrite must be positive, was " + refreshAfterWrite + " (cache '" + name + "')");
        }
        if (maximumSize != null && maximumWeight != null) {
            throw new IllegalStateException("maximumSize (" + maximumSize + ") and maximumWeight (" + maximumWeight
                    + ") cannot be combined (cache '" + name + "')");
        }
        double threshold = hitRatioThreshold == null ? DEFAULT_HIT_RATIO_THRESHOLD : hitRatioThreshold;
        int window = hitRatioWindow == null ? DEFAULT_HIT_RATIO_WINDOW : hitRatioWindow;
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "hitRatioWarning threshold must be between 0 and 1, was " + threshold + " (cache '" + name + "')");
        }
        if (window < 1) {
            throw new IllegalArgumentException(
                    "hitRatioWarning window must be at least 1, was " + window + " (cache '" + name + "')");
        }
        CacheConfig config = new CacheConfig(
                name,
                maximumSize == null ? OptionalLong.empty() : OptionalLong.of(maximumSize),
                maximumWeight == null ? OptionalLong.empty() : OptionalLong.of(maximumWeight),
                Optional.ofNullable(expireAfterWrite),
                Optional.ofNullable(expireAfterAccess),
                Optional.ofNullable(refreshAfterWrite),
                threshold,
                window);
        Ticker effectiveTicker = ticker == null ? Ticker.systemTicker() : ticker;
        Copier<V> effectiveCopier = copier == null ? Copier.defensive() : copier;
        Consumer<? super LowHitRatio> handler =
                lowHitRatioHandler == null ? new LowHitRatioLogger(effectiveTicker) : lowHitRatioHandler;
        return new LocalCacheSettings(
                config, effectiveTicker, executor, effectiveCopier, weigher, removalListener, handler);
    }

    private void requireNonNegative(String option, Long value) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(
                    option + " must not be negative, was " + value + " (cache '" + name + "')");
        }
    }

    private void requireNonNegative(String option, Duration value) {
        if (value != null && value.isNegative()) {
            throw new IllegalArgumentException(
                    option + " must not be negative, was " + value + " (cache '" + name + "')");
        }
    }

    private void requireUnset(String option, Object current) {
        if (current != null) {
            throw new IllegalStateException(
                    option + " was already set to " + current + " (cache '" + name + "'); set each option once");
        }
    }
}
