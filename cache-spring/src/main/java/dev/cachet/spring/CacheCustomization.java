package dev.cachet.spring;

import dev.cachet.CacheBuilder;
import dev.cachet.Copier;
import dev.cachet.Expiry;
import dev.cachet.RemoteConfig;
import dev.cachet.spi.ValueCodec;
import java.util.function.Consumer;

/**
 * One cache about to be built, as a {@link CachetCacheCustomizer} sees it: its name and tier, and the options a
 * customizer may set. Each option may be set once per cache, across all customizers and the cache's properties: a
 * second setting fails the startup with an {@link IllegalStateException} naming the cache and both sources. Not
 * thread-safe; valid only during the {@link CachetCacheCustomizer#customize} call.
 */
public interface CacheCustomization {

    /** Returns the cache's name. */
    String name();

    /** Returns the cache's tier: {@link CacheTier#LOCAL} for caches that {@code @Cached} annotations create. */
    CacheTier tier();

    /**
     * Sets how values are encoded for Redis, instead of {@code value-type} or {@code codec} in the properties.
     *
     * @throws NullPointerException if {@code codec} is null
     * @throws IllegalStateException if the cache is local, or its codec is already set
     */
    CacheCustomization codec(ValueCodec<?> codec);

    /**
     * Sets how values are copied on the way in and out of local memory (a local cache, or a near cache's local copy),
     * instead of {@code copier} in the properties; {@link Copier#defensive()} by default.
     *
     * @throws NullPointerException if {@code copier} is null
     * @throws IllegalStateException if the cache is remote only, or its copier is already set
     */
    CacheCustomization copier(Copier<?> copier);

    /**
     * Sets how the cache uses Redis (failure policy, cross-process lock, key encoder, ...), instead of {@code
     * failure-policy} in the properties.
     *
     * @throws NullPointerException if {@code config} is null
     * @throws IllegalStateException if the cache is local, or its remote settings are already set
     */
    CacheCustomization remoteConfig(RemoteConfig config);

    /**
     * Lets {@code expiry} decide how long each entry lives ({@link CacheBuilder#expireAfter(Expiry)}), instead of
     * {@code expire-after-write} and {@code expire-after-access} in the properties. On a remote or near cache it gives
     * each Redis entry its TTL, so {@code expire-after-write} may then be left out.
     *
     * @throws NullPointerException if {@code expiry} is null
     * @throws IllegalStateException if its expiry is already set
     */
    CacheCustomization expiry(Expiry<?, ?> expiry);

    /**
     * Adds options applied to the cache's {@link CacheBuilder} after those of the properties (a ticker, a removal
     * listener, the hit-ratio warning, ...). The builder rejects an option set twice, as always.
     *
     * @throws NullPointerException if {@code options} is null
     */
    CacheCustomization builder(Consumer<? super CacheBuilder<Object, Object>> options);
}
