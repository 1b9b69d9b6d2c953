package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheRegistry.Built;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Configures and builds a {@link Cache}; obtained from {@link Cachet#builder(String)}. Each option may be set once
 * (a second call throws {@link IllegalStateException} naming the option and its value). Each setter checks its
 * arguments at once, so the stack trace points at the bad line: {@link NullPointerException} naming a null argument,
 * {@link IllegalArgumentException} naming the option, the value and the cache. {@link #build()} checks only what
 * needs several options together, and throws {@link IllegalStateException} for options that cannot be combined.
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
    // Null while unset.
    private @Nullable Long maximumSize;
    private @Nullable Long maximumWeight;
    private @Nullable Weigher<? super K, ? super V> weigher;
    private @Nullable Duration expireAfterWrite;
    private @Nullable Duration expireAfterAccess;
    private @Nullable Expiry<? super K, ? super V> expiry;
    private @Nullable Duration refreshAfterWrite;
    private @Nullable Ticker ticker;
    private @Nullable Executor executor;
    private @Nullable Copier<V> copier;
    private @Nullable RemovalListener<? super K, ? super V> removalListener;
    private @Nullable Double hitRatioThreshold;
    private @Nullable Integer hitRatioWindow;
    private @Nullable Consumer<? super LowHitRatio> lowHitRatioHandler;
    private @Nullable CacheRegistry registry;
    private @Nullable RemoteTier remoteTier;
    private @Nullable ValueCodec<V> remoteCodec;
    private @Nullable RemoteConfig remoteConfig;
    private @Nullable Long nearMaximumSize;
    private @Nullable Duration nearExpireAfterWrite;
    private @Nullable Duration acknowledgedInvalidation;
    private @Nullable Duration cacheNulls;
    private @Nullable Duration staleIfError;

    /**
     * Starts a builder for the cache named {@code name}.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    CacheBuilder(String name) {
        this.name = requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("cache name must not be blank, was '" + name + "'");
        }
    }

    /**
     * Bounds the cache to about {@code maximumSize} entries; Caffeine's W-TinyLFU policy picks what to evict. Cannot
     * be combined with {@link #maximumWeight}.
     *
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     * @throws IllegalStateException if already set
     */
    public CacheBuilder<K, V> maximumSize(long maximumSize) {
        requireUnset("maximumSize", this.maximumSize);
        this.maximumSize = requireNonNegative("maximumSize", maximumSize);
        return this;
    }

    /**
     * Bounds the total weight of the entries, each weighed once by {@code weigher} when stored (for example, its size
     * in bytes). Cannot be combined with {@link #maximumSize}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code weigher} is null
     * @throws IllegalArgumentException if {@code maximumWeight} is negative
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> CacheBuilder<K1, V1> maximumWeight(
            long maximumWeight, Weigher<? super K1, ? super V1> weigher) {
        requireUnset("maximumWeight", this.maximumWeight);
        requireNonNull(weigher, "weigher");
        CacheBuilder<K1, V1> self = (CacheBuilder<K1, V1>) this;
        self.maximumWeight = requireNonNegative("maximumWeight", maximumWeight);
        self.weigher = weigher;
        return self;
    }

    /**
     * Expires each entry once {@code duration} has passed since it was stored or replaced.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public CacheBuilder<K, V> expireAfterWrite(Duration duration) {
        requireUnset("expireAfterWrite", expireAfterWrite);
        this.expireAfterWrite = requireNonNegative("expireAfterWrite", requireNonNull(duration, "expireAfterWrite"));
        return this;
    }

    /**
     * Expires each entry once {@code duration} has passed since it was last read or written.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public CacheBuilder<K, V> expireAfterAccess(Duration duration) {
        requireUnset("expireAfterAccess", expireAfterAccess);
        this.expireAfterAccess = requireNonNegative("expireAfterAccess", requireNonNull(duration, "expireAfterAccess"));
        return this;
    }

    /**
     * Lets {@code expiry} decide how long each entry lives, per entry (a value that carries its own expiry, such as an
     * access token): see {@link Expiry}. Cannot be combined with {@link #expireAfterWrite} or {@link
     * #expireAfterAccess}. It also allows {@link Cache#put(Object, Object, Duration)} in memory. With a {@link #remote}
     * tier it replaces {@code expireAfterWrite}: the remote TTL of each value is its {@link Expiry#expireAfterCreate}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code expiry} is null
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> CacheBuilder<K1, V1> expireAfter(Expiry<? super K1, ? super V1> expiry) {
        requireUnset("expireAfter", this.expiry);
        CacheBuilder<K1, V1> self = (CacheBuilder<K1, V1>) this;
        self.expiry = requireNonNull(expiry, "expiry");
        return self;
    }

    /**
     * Refreshes an entry in the background when it is read {@code duration} or more after it was written: the reader
     * gets the current value at once while one reload runs on the {@linkplain #executor executor}; a failed reload
     * keeps the old value until it expires. Must be shorter than {@code expireAfterWrite} (checked at build). In
     * memory, a cache built with {@link #build(Function)} refreshes through its loader (Caffeine's refresh); one built
     * with {@link #build()} needs {@code expireAfterWrite} (not an {@link #expireAfter(Expiry)}), whose write time it
     * refreshes by, and a {@code get(key, loader)} that finds a value due refreshes it with that loader, one refresh
     * per key at a time; a put or invalidation meanwhile wins over it. With a {@link #remote} tier, a
     * {@code get(key, loader)} that finds a value due refreshes it with that loader (a cache built with {@code
     * build(loader)} uses its own for {@code get(key)}): one process, holding the tier's lock, reloads and writes the
     * value while every process keeps serving the old one, then every process reads the new one (near copies live no
     * longer than the refresh point, and are dropped in every process once the refresh is written). {@code
     * getIfPresent} never refreshes. Counted in {@link RemoteStats#refreshes()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is not positive
     */
    public CacheBuilder<K, V> refreshAfterWrite(Duration duration) {
        requireUnset("refreshAfterWrite", refreshAfterWrite);
        this.refreshAfterWrite = requirePositive("refreshAfterWrite", requireNonNull(duration, "refreshAfterWrite"));
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
     * @throws IllegalArgumentException if {@code threshold} or {@code window} is out of range
     */
    public CacheBuilder<K, V> hitRatioWarning(double threshold, int window) {
        requireUnset(
                "hitRatioWarning",
                hitRatioThreshold == null ? null : hitRatioThreshold + " over " + hitRatioWindow + " requests");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "hitRatioWarning threshold must be between 0 and 1, was " + threshold + " (cache '" + name + "')");
        }
        if (window < 1) {
            throw new IllegalArgumentException(
                    "hitRatioWarning window must be at least 1, was " + window + " (cache '" + name + "')");
        }
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
     * {@link #expireAfterWrite}, which becomes the remote TTL, or {@link #expireAfter}, which gives each value its own.
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
        requireNonNull(tier, "tier");
        requireNonNull(codec, "codec");
        requireNonNull(config, "config");
        CacheBuilder<K, V1> self = (CacheBuilder<K, V1>) this;
        self.remoteTier = tier;
        self.remoteCodec = codec;
        self.remoteConfig = config;
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
     * @throws IllegalArgumentException if {@code maximumSize} is negative or {@code expireAfterWrite} not positive
     */
    public CacheBuilder<K, V> nearCache(long maximumSize, Duration expireAfterWrite) {
        requireUnset("nearCache", nearMaximumSize == null ? null : nearDescription());
        requireNonNull(expireAfterWrite, "expireAfterWrite");
        this.nearMaximumSize = requireNonNegative("nearCache maximumSize", maximumSize);
        this.nearExpireAfterWrite = requirePositive("nearCache expireAfterWrite", expireAfterWrite);
        return this;
    }

    /**
     * Makes each {@code put}, {@code putAll}, {@code invalidate} and {@code invalidateAll} of this near cache return
     * only once every other process's near tier that received its invalidation message has dropped the key(s) and
     * confirmed it, or once {@code maxWait} has passed, whichever comes first: after a confirmed write, a read in any
     * of those processes sees the write (or a later one), never an older value from its near tier. Each write's
     * outcome is counted in {@link NearStats#acknowledged()} or {@link NearStats#unacknowledged()}.
     *
     * <p>The wait is bounded: a write waits at most {@code maxWait} for confirmations besides its own remote write
     * and message (each bounded by the tier's own timeouts), and Redis trouble never makes it throw unless the failure
     * policy says so for the write itself. A write that could not send its message, or whose receivers could not all
     * be counted or did not all confirm in time, returns after at most {@code maxWait} as unacknowledged; the near
     * tiers then converge as without this option (message, near TTL, clear on reconnection). The remote tier decides
     * who can be counted: on Redis, every subscribed process (on a Cluster, counted node by node just after the
     * message is sent, which the README's Consistency section qualifies). Needs {@link #nearCache}. Off by default: a
     * write returns once its message is sent, and other processes drop their copies a moment later.
     *
     * @param maxWait the longest a write waits for confirmations
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code maxWait} is null
     * @throws IllegalArgumentException if {@code maxWait} is not positive
     */
    public CacheBuilder<K, V> acknowledgedInvalidation(Duration maxWait) {
        requireUnset("acknowledgedInvalidation", acknowledgedInvalidation);
        this.acknowledgedInvalidation =
                requirePositive("acknowledgedInvalidation", requireNonNull(maxWait, "acknowledgedInvalidation"));
        return this;
    }

    /**
     * Caches absence: a loader that returns {@code null} has that {@code null} remembered for {@code ttl}, so that
     * until then {@code get(key, loader)} returns {@code null} without calling a loader, and {@code getIfPresent}
     * returns {@code null} too. A cached {@code null} counts as a hit in {@link CacheStats}; {@code put} replaces it
     * and {@code invalidate} removes it, as for a value. It lives no longer than a value would ({@code
     * expireAfterWrite}, {@code expireAfterAccess}, the near tier's TTL); a remote tier stores it as a marker with
     * that TTL, which every process honours. Off by default: without it, a {@code null} is returned but not cached.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public CacheBuilder<K, V> cacheNulls(Duration ttl) {
        requireUnset("cacheNulls", cacheNulls);
        this.cacheNulls = requirePositive("cacheNulls", requireNonNull(ttl, "cacheNulls"));
        return this;
    }

    /**
     * Keeps an expired value up to {@code grace} longer, to be returned when its reload fails: a {@code get(key,
     * loader)} after the value expired loads as for a miss, and if that load throws while the expired value is within
     * its grace, every caller of the load gets the expired value instead of the exception. The expired value stays
     * until a load succeeds, the grace ends, or the key is written or invalidated. {@code getIfPresent} does not return
     * it. Each such return is counted in {@link CacheStats#staleServedCount()} and logged (a warning the first time a
     * key is served stale, again only after a load of it succeeded since). Needs {@code expireAfterWrite} or {@link
     * #expireAfter}. A cached {@code null} is never served stale.
     *
     * <p>On a {@link #remote} tier the tier keeps each value for its TTL plus {@code grace}, while the value's envelope
     * keeps the TTL: every process, whatever its own settings, reads a value past its TTL as a miss and reloads it,
     * and if that reload fails, the expired value is served. A {@link #nearCache near tier} keeps its copies for the
     * grace too, so that while the remote tier is down they are served when the loader fails.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is not positive
     */
    public CacheBuilder<K, V> staleIfError(Duration grace) {
        requireUnset("staleIfError", staleIfError);
        this.staleIfError = requirePositive("staleIfError", requireNonNull(grace, "staleIfError"));
        return this;
    }

    /**
     * Builds the cache, or returns the one already registered under this name with equal settings.
     *
     * @throws IllegalStateException if options conflict (the message names them and the cache), or the name is taken
     *     by a cache with other settings (the message names the setting that differs)
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> Cache<K1, V1> build() {
        LocalCacheSettings<K1, V1> settings = (LocalCacheSettings<K1, V1>) settings();
        if (remoteTier != null) {
            return this.<Cache<K1, V1>>register(false, () -> remoteCache(settings));
        }
        if (refreshAfterWrite != null && (expireAfterWrite == null || expiry != null)) {
            // Caffeine keeps a write time only for a fixed expireAfterWrite (and for its own refresh, which needs a
            // cache-wide loader): an Expiry's entries, or entries that never expire, have no age to refresh by.
            throw new IllegalStateException("refreshAfterWrite (" + refreshAfterWrite + ") on an in-memory cache"
                    + " without a loader of its own needs expireAfterWrite"
                    + (expiry != null ? ", not expireAfter(Expiry)" : "")
                    + ": use build(loader), or set expireAfterWrite (cache '" + name + "')");
        }
        requireNoNearCache();
        return register(false, () -> Built.of(new LocalCache<>(settings)));
    }

    /** Builds the remote cache, with its near tier if one is set; refreshes run on the executor. */
    @SuppressWarnings("unchecked")
    private <K1, V1> Built<Cache<K1, V1>> remoteCache(LocalCacheSettings<K1, V1> settings) {
        RemoteTier tier = requireNonNull(remoteTier, "remoteTier");
        RemoteConfig tierConfig = requireNonNull(remoteConfig, "remoteConfig");
        ValueCodec<V1> codec = (ValueCodec<V1>) requireNonNull(remoteCodec, "remoteCodec");
        requireRemoteCompatible();
        requireNearForAcknowledged();
        RemoteCache<K1, V1> remote = new RemoteCache<>(
                settings.config(),
                tierConfig,
                tier.store(name),
                codec,
                new TierClock(settings.ticker(), tierConfig.clock()),
                settings.expiry(),
                // Under a near tier the combined ratio is what warns: the remote tier's monitor is off.
                nearMaximumSize == null ? settings.lowHitRatioHandler() : null,
                executor != null ? executor : ForkJoinPool.commonPool());
        return nearMaximumSize == null ? Built.of(remote) : nearCache(settings, tier, remote);
    }

    /**
     * Builds the cache {@link #build()} builds (or finds it registered) and returns an {@link AsyncCache} view of it,
     * whose loaders and remote-tier I/O run on the {@linkplain #executor executor}, else the common fork-join pool.
     *
     * @throws IllegalStateException as {@link #build()} does
     */
    public <K1 extends K, V1 extends V> AsyncCache<K1, V1> buildAsync() {
        Cache<K1, V1> cache = build();
        return new AsyncCacheView<>(cache, executor != null ? executor : ForkJoinPool.commonPool());
    }

    /**
     * Builds a cache with its own loader, used by {@link LoadingCache#get(Object)} and for refreshes, or returns the
     * one already registered under this name with equal settings. With a {@link #remote} tier (and a {@link
     * #nearCache}) it is that cache, whose {@code get(key)} loads through {@code loader} under the same single flight
     * and cross-process lock as {@code get(key, loader)}.
     *
     * @throws NullPointerException if {@code loader} is null
     * @throws IllegalStateException if options conflict, or the name is taken by a cache with other settings (the
     *     message names the setting that differs)
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K, V1 extends V> LoadingCache<K1, V1> build(
            Function<? super K1, ? extends @Nullable V1> loader) {
        requireNonNull(loader, "loader");
        LocalCacheSettings<K1, V1> settings = (LocalCacheSettings<K1, V1>) settings();
        if (remoteTier != null) {
            return register(true, () -> {
                Built<Cache<K1, V1>> built = remoteCache(settings);
                Cache<K1, V1> cache = built.cache();
                LoadingCache<K1, V1> loading = cache instanceof NearCache<K1, V1> near
                        ? new RemoteLoadingCache<>(near, loader)
                        : new RemoteLoadingCache<>((RemoteCache<K1, V1>) cache, loader);
                return new Built<>(loading, built.release());
            });
        }
        requireNoNearCache();
        return register(true, () -> Built.of(new LocalLoadingCache<>(settings, loader)));
    }

    /** Rejects a near cache without a remote tier, the same way for both build methods. */
    private void requireNoNearCache() {
        requireNearForAcknowledged();
        if (nearMaximumSize != null) {
            throw new IllegalStateException(
                    "nearCache needs a remote tier: call remote(tier, codec) (cache '" + name + "')");
        }
    }

    /** Rejects acknowledged invalidation without a near tier: there would be nothing to acknowledge. */
    private void requireNearForAcknowledged() {
        if (acknowledgedInvalidation != null && nearMaximumSize == null) {
            throw new IllegalStateException("acknowledgedInvalidation (" + acknowledgedInvalidation + ") needs a near"
                    + " tier: call nearCache(maximumSize, expireAfterWrite) (cache '" + name + "')");
        }
    }

    private <K1, V1> Built<Cache<K1, V1>> nearCache(
            LocalCacheSettings<K1, V1> settings, RemoteTier tier, RemoteCache<K1, V1> remote) {
        long nearSize = requireNonNull(nearMaximumSize, "nearMaximumSize");
        Duration nearTtl = requireNonNull(nearExpireAfterWrite, "nearExpireAfterWrite");
        CacheConfig nearConfig = new CacheConfig(
                name + ".near",
                OptionalLong.of(nearSize),
                OptionalLong.empty(),
                Optional.of(nearTtl),
                Optional.empty(),
                Optional.empty(),
                0, // the near cache watches the combined hit ratio itself
                DEFAULT_HIT_RATIO_WINDOW,
                Optional.ofNullable(cacheNulls),
                // Near copies are kept for the grace too: with the remote tier down, they are what can be served.
                Optional.ofNullable(staleIfError));
        // Keyed by the caller's keys when the default encoder's strings can be decoded back to them: a near hit then
        // encodes nothing, and a copy costs no string of its own.
        NearKeys<K1> nearKeys = requireNonNull(remoteConfig, "remoteConfig").keyEncoder() == null
                ? NearKeys.byKey()
                : NearKeys.byEncodedKey(remote::encodeKey);
        LocalCache<Object, V1> near = new LocalCache<>(new LocalCacheSettings<Object, V1>(
                nearConfig,
                settings.ticker(),
                settings.executor(),
                settings.copier(),
                null,
                null,
                settings.lowHitRatioHandler(),
                // Per entry, so that a copy lives no longer than the remote value it was read or written with.
                Expiry.writing((Object key, V1 value) -> nearTtl)));
        InvalidationChannel channel = tier.invalidations(name);
        try {
            NearCache<K1, V1> cache = new NearCache<>(
                    settings.config(),
                    near,
                    nearKeys,
                    remote,
                    channel,
                    settings.lowHitRatioHandler(),
                    Optional.ofNullable(acknowledgedInvalidation));
            // The subscription is the one resource a built cache holds: closed if another build registers first.
            return new Built<>(cache, channel::close);
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Rejects options that a remote-only cache cannot honour, rather than ignoring them. */
    private void requireRemoteCompatible() {
        if (expiry == null && (expireAfterWrite == null || expireAfterWrite.isZero())) {
            throw new IllegalStateException("a remote tier needs a positive expireAfterWrite or an expireAfter(Expiry),"
                    + " so that every value it writes has a TTL (cache '" + name + "')");
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

    private <C extends Cache<?, ?>> C register(boolean loading, Supplier<Built<C>> factory) {
        CacheFingerprint fingerprint = new CacheFingerprint()
                .value("kind", loading ? "cache with a loader" : "cache without a loader")
                .value("maximumSize", maximumSize)
                .value("maximumWeight", maximumWeight)
                .instance("weigher", weigher)
                .value("expireAfterWrite", expireAfterWrite)
                .value("expireAfterAccess", expireAfterAccess)
                .instance("expireAfter", expiry)
                .value("refreshAfterWrite", refreshAfterWrite)
                .value("hitRatioWarning threshold", effectiveHitRatioThreshold())
                .value("hitRatioWarning window", effectiveHitRatioWindow())
                // Defaults that are singletons are recorded as such, so that setting one explicitly matches unset.
                .instance("ticker", ticker == null ? Ticker.systemTicker() : ticker)
                .instance("executor", executor)
                .instance("copier", copier == null ? Copier.defensive() : copier)
                .instance("removalListener", removalListener)
                .instance("onLowHitRatio handler", lowHitRatioHandler)
                .instance("remote tier", remoteTier)
                .instance("remote codec", remoteCodec)
                .value("remote config", remoteConfig)
                .value("nearCache", nearMaximumSize == null ? null : nearDescription())
                .value("acknowledgedInvalidation", acknowledgedInvalidation)
                .value("cacheNulls", cacheNulls)
                .value("staleIfError", staleIfError);
        CacheRegistry target = registry != null ? registry : CacheRegistry.defaultRegistry();
        return target.getOrCreate(name, fingerprint, factory);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private LocalCacheSettings<K, V> settings() {
        if (maximumSize != null && maximumWeight != null) {
            throw new IllegalStateException("maximumSize (" + maximumSize + ") and maximumWeight (" + maximumWeight
                    + ") cannot be combined (cache '" + name + "')");
        }
        if (expiry != null && (expireAfterWrite != null || expireAfterAccess != null)) {
            throw new IllegalStateException("expireAfter(Expiry) and "
                    + (expireAfterWrite != null
                            ? "expireAfterWrite (" + expireAfterWrite + ")"
                            : "expireAfterAccess (" + expireAfterAccess + ")")
                    + " cannot be combined: the Expiry decides each entry's lifetime (cache '" + name + "')");
        }
        if (refreshAfterWrite != null
                && expireAfterWrite != null
                && refreshAfterWrite.compareTo(expireAfterWrite) >= 0) {
            throw new IllegalStateException("refreshAfterWrite (" + refreshAfterWrite + ") must be shorter than"
                    + " expireAfterWrite (" + expireAfterWrite + "): a value would expire before its refresh (cache '"
                    + name + "')");
        }
        if (staleIfError != null && expiry == null && (expireAfterWrite == null || expireAfterWrite.isZero())) {
            throw new IllegalStateException("staleIfError (" + staleIfError + ") needs a positive expireAfterWrite or"
                    + " an expireAfter(Expiry): a value must expire before it can be stale (cache '" + name + "')");
        }
        CacheConfig config = new CacheConfig(
                name,
                maximumSize == null ? OptionalLong.empty() : OptionalLong.of(maximumSize),
                maximumWeight == null ? OptionalLong.empty() : OptionalLong.of(maximumWeight),
                Optional.ofNullable(expireAfterWrite),
                Optional.ofNullable(expireAfterAccess),
                Optional.ofNullable(refreshAfterWrite),
                effectiveHitRatioThreshold(),
                effectiveHitRatioWindow(),
                Optional.ofNullable(cacheNulls),
                Optional.ofNullable(staleIfError));
        Ticker effectiveTicker = ticker == null ? Ticker.systemTicker() : ticker;
        Copier<V> effectiveCopier = copier == null ? Copier.defensive() : copier;
        Consumer<? super LowHitRatio> handler =
                lowHitRatioHandler == null ? new LowHitRatioLogger(effectiveTicker) : lowHitRatioHandler;
        return new LocalCacheSettings(
                config, effectiveTicker, executor, effectiveCopier, weigher, removalListener, handler, expiry);
    }

    private double effectiveHitRatioThreshold() {
        return hitRatioThreshold == null ? DEFAULT_HIT_RATIO_THRESHOLD : hitRatioThreshold;
    }

    private int effectiveHitRatioWindow() {
        return hitRatioWindow == null ? DEFAULT_HIT_RATIO_WINDOW : hitRatioWindow;
    }

    private String nearDescription() {
        return "maximumSize " + nearMaximumSize + ", expireAfterWrite " + nearExpireAfterWrite;
    }

    private long requireNonNegative(String option, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    option + " must not be negative, was " + value + " (cache '" + name + "')");
        }
        return value;
    }

    private Duration requireNonNegative(String option, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(
                    option + " must not be negative, was " + value + " (cache '" + name + "')");
        }
        return value;
    }

    private Duration requirePositive(String option, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, was " + value + " (cache '" + name + "')");
        }
        return value;
    }

    private void requireUnset(String option, @Nullable Object current) {
        if (current != null) {
            throw new IllegalStateException(
                    option + " was already set to " + current + " (cache '" + name + "'); set each option once");
        }
    }
}
