package dev.cachet.spring.autoconfigure;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.cachet.Cache;
import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.Copier;
import dev.cachet.Expiry;
import dev.cachet.RemoteConfig;
import dev.cachet.redis.Codec;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import dev.cachet.spring.CacheCustomization;
import dev.cachet.spring.CacheTier;
import dev.cachet.spring.CachetCacheCustomizer;
import dev.cachet.spring.autoconfigure.CachetProperties.CacheDefinition;
import dev.cachet.spring.autoconfigure.CachetProperties.CodecType;
import dev.cachet.spring.autoconfigure.CachetProperties.CopierType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Builds the caches of the Spring integration in its {@link CacheRegistry}: those declared in {@code cachet.caches}
 * (checked first, so that every mistake names its property) and those {@code @Cached} annotations ask for, each after
 * the {@link CachetCacheCustomizer} beans have seen it. Thread-safe if the customizers are.
 */
final class CacheFactory {
    /** The default bound of a near cache's local copy. */
    static final long DEFAULT_NEAR_MAXIMUM_SIZE = 10_000;

    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final CacheRegistry registry;
    private final @Nullable RemoteTier remoteTier;
    private final List<CachetCacheCustomizer> customizers;

    CacheFactory(CacheRegistry registry, @Nullable RemoteTier remoteTier, List<CachetCacheCustomizer> customizers) {
        this.registry = requireNonNull(registry, "registry");
        this.remoteTier = remoteTier;
        this.customizers = List.copyOf(customizers);
    }

    /** Returns the registry the caches are built in. */
    CacheRegistry registry() {
        return registry;
    }

    /**
     * Builds the cache declared as {@code cachet.caches.<name>}.
     *
     * @throws InvalidConfigurationPropertyValueException naming the property if a value is wrong or does not apply
     * @throws IllegalStateException if customizers set an option twice, or the name is registered with other
     *     settings
     */
    Cache<Object, Object> declared(String name, CacheDefinition definition) {
        CacheTier tier = definition.tier();
        Customization customization = new Customization(name, tier);
        checkDeclared(name, definition, customization);
        CacheBuilder<Object, Object> builder = Cachet.builder(name).registry(registry);
        // A near cache's maximum-size goes to its near tier (see build); a remote cache has none (checked above).
        if (definition.maximumSize() != null && tier == CacheTier.LOCAL) {
            builder.maximumSize(definition.maximumSize());
        }
        if (definition.expireAfterWrite() != null) {
            builder.expireAfterWrite(definition.expireAfterWrite());
        }
        if (definition.expireAfterAccess() != null) {
            builder.expireAfterAccess(definition.expireAfterAccess());
        }
        if (definition.cacheNulls() != null) {
            builder.cacheNulls(definition.cacheNulls());
        }
        if (definition.staleIfError() != null) {
            builder.staleIfError(definition.staleIfError());
        }
        if (definition.refreshAfterWrite() != null) {
            builder.refreshAfterWrite(definition.refreshAfterWrite());
        }
        if (definition.acknowledgedInvalidation() != null) {
            builder.acknowledgedInvalidation(definition.acknowledgedInvalidation());
        }
        customize(customization);
        requireTtl(name, definition, customization);
        if (tier != CacheTier.LOCAL && customization.codec == null) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "value-type"),
                    null,
                    "a " + tier.name().toLowerCase(Locale.ROOT) + " cache needs a codec for its values:"
                            + " set value-type (JSON of that class), or codec (string, long, integer, double,"
                            + " bytes), or set one with a CachetCacheCustomizer bean");
        }
        // A near cache's only local bound is its near tier's: maximum-size and near-maximum-size both name it.
        Long nearBound = definition.nearMaximumSize() != null ? definition.nearMaximumSize() : definition.maximumSize();
        long nearMaximumSize = nearBound == null ? DEFAULT_NEAR_MAXIMUM_SIZE : nearBound;
        return build(builder, customization, nearMaximumSize, definition.nearExpireAfterWrite());
    }

    /**
     * Builds (or finds, when registered with the same settings) the in-memory cache a {@code @Cached} annotation
     * describes, after the customizers have seen it.
     *
     * @throws IllegalStateException if the name is registered with other settings, or customizers conflict
     */
    Cache<Object, Object> annotated(
            String name,
            OptionalLong maximumSize,
            Optional<Duration> expireAfterWrite,
            Optional<Duration> expireAfterAccess,
            Optional<Duration> cacheNulls,
            Optional<Expiry<Object, Object>> expiry,
            Optional<Duration> staleIfError,
            Optional<Duration> refreshAfterWrite) {
        CacheBuilder<Object, Object> builder = Cachet.builder(name).registry(registry);
        maximumSize.ifPresent(builder::maximumSize);
        expireAfterWrite.ifPresent(builder::expireAfterWrite);
        expireAfterAccess.ifPresent(builder::expireAfterAccess);
        cacheNulls.ifPresent(builder::cacheNulls);
        expiry.ifPresent(builder::expireAfter);
        staleIfError.ifPresent(builder::staleIfError);
        refreshAfterWrite.ifPresent(builder::refreshAfterWrite);
        Customization customization = new Customization(name, CacheTier.LOCAL);
        customize(customization);
        return build(builder, customization, 0, null);
    }

    private void customize(Customization customization) {
        for (CachetCacheCustomizer customizer : customizers) {
            customization.source = "customizer " + customizer.getClass().getName();
            customizer.customize(customization);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // the builder's value type is Object throughout
    private Cache<Object, Object> build(
            CacheBuilder<Object, Object> builder,
            Customization customization,
            long nearMaximumSize,
            @Nullable Duration nearExpireAfterWrite) {
        if (customization.copier != null) {
            builder.copier((Copier) customization.copier);
        }
        if (customization.expiry != null) {
            builder.expireAfter((Expiry) customization.expiry);
        }
        for (Consumer<? super CacheBuilder<Object, Object>> options : customization.options) {
            options.accept(builder);
        }
        CacheTier tier = customization.tier();
        if (tier != CacheTier.LOCAL) {
            RemoteConfig config =
                    customization.remoteConfig == null ? RemoteConfig.ofDefaults() : customization.remoteConfig;
            builder.remote(requireNonNull(remoteTier, "remoteTier"), (ValueCodec) customization.codec, config);
            if (tier == CacheTier.NEAR) {
                builder.nearCache(nearMaximumSize, requireNonNull(nearExpireAfterWrite, "nearExpireAfterWrite"));
            }
        }
        return builder.build();
    }

    /** Checks a declared cache's properties and applies the ones that are options of the customization. */
    private void checkDeclared(String name, CacheDefinition definition, Customization customization) {
        CacheTier tier = definition.tier();
        notNegative(name, "maximum-size", definition.maximumSize());
        notNegative(name, "expire-after-write", definition.expireAfterWrite());
        notNegative(name, "expire-after-access", definition.expireAfterAccess());
        notNegative(name, "near-maximum-size", definition.nearMaximumSize());
        positive(name, "cache-nulls", definition.cacheNulls(), "how long a null value is cached");
        positive(
                name,
                "stale-if-error",
                definition.staleIfError(),
                "how long an expired value is kept for a failed reload");
        Duration refresh = definition.refreshAfterWrite();
        positive(
                name,
                "refresh-after-write",
                refresh,
                "how long after a value was written a read reloads it in the background");
        positive(
                name,
                "acknowledged-invalidation",
                definition.acknowledgedInvalidation(),
                "how long a write waits at most for the other processes to drop their copies");
        Duration ttl = definition.expireAfterWrite();
        if (refresh != null && ttl != null && refresh.compareTo(ttl) >= 0) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "refresh-after-write"),
                    refresh,
                    "must be shorter than expire-after-write (" + ttl + "): a value would expire before its refresh");
        }
        if (tier == CacheTier.LOCAL) {
            onlyFor(name, "value-type", definition.valueType(), "remote and near");
            onlyFor(name, "codec", definition.codec(), "remote and near");
            onlyFor(name, "failure-policy", definition.failurePolicy(), "remote and near");
        } else {
            if (remoteTier == null) {
                throw new InvalidConfigurationPropertyValueException(
                        property(name, "tier"),
                        tier.name().toLowerCase(Locale.ROOT),
                        "a remote or near cache needs Redis: set cachet.redis.url or cachet.redis.cluster.nodes (or"
                                + " define a RemoteTier bean)");
            }
            String why = "applies to local caches only: Redis keeps entries until expire-after-write";
            if (tier == CacheTier.REMOTE) {
                onlyFor(name, "maximum-size", definition.maximumSize(), why + "; a near cache takes it as its bound");
            } else if (definition.maximumSize() != null && definition.nearMaximumSize() != null) {
                throw new InvalidConfigurationPropertyValueException(
                        property(name, "near-maximum-size"),
                        definition.nearMaximumSize(),
                        "maximum-size and near-maximum-size both set the near tier's bound: set one");
            }
            onlyFor(name, "expire-after-access", definition.expireAfterAccess(), why);
            customization.codec = codec(name, definition);
            customization.codecSource = property(name, definition.codec() == null ? "value-type" : "codec");
            if (definition.failurePolicy() != null) {
                customization.remoteConfig = RemoteConfig.custom()
                        .failurePolicy(definition.failurePolicy())
                        .build();
                customization.remoteConfigSource = property(name, "failure-policy");
            }
        }
        if (tier == CacheTier.NEAR) {
            Duration nearTtl = definition.nearExpireAfterWrite();
            if (nearTtl == null || nearTtl.isZero() || nearTtl.isNegative()) {
                throw new InvalidConfigurationPropertyValueException(
                        property(name, "near-expire-after-write"),
                        nearTtl,
                        "a near cache needs a positive near-expire-after-write: how long a local copy may live,"
                                + " which bounds its staleness if an invalidation message is lost");
            }
        } else {
            onlyFor(name, "near-maximum-size", definition.nearMaximumSize(), "near");
            onlyFor(name, "near-expire-after-write", definition.nearExpireAfterWrite(), "near");
            onlyFor(
                    name,
                    "acknowledged-invalidation",
                    definition.acknowledgedInvalidation(),
                    "applies to near caches only: writes wait for the other processes' near tiers to drop their"
                            + " copies");
        }
        if (definition.copier() != null) {
            if (tier == CacheTier.REMOTE) {
                throw new InvalidConfigurationPropertyValueException(
                        property(name, "copier"),
                        definition.copier(),
                        "applies to local and near caches only: a remote cache decodes a fresh value for each"
                                + " caller");
            }
            customization.copier = copier(definition.copier());
            customization.copierSource = property(name, "copier");
        }
    }

    /**
     * Checks, once the customizers have run, that a remote or near cache gives every Redis entry a TTL: a positive
     * expire-after-write, or an Expiry, not both (nor an Expiry with a local cache's fixed expiry).
     */
    private static void requireTtl(String name, CacheDefinition definition, Customization customization) {
        Duration ttl = definition.expireAfterWrite();
        if (customization.expiry != null) {
            String fixed = ttl != null ? "expire-after-write" : "expire-after-access";
            Object value = ttl != null ? ttl : definition.expireAfterAccess();
            if (value != null) {
                throw new InvalidConfigurationPropertyValueException(
                        property(name, fixed),
                        value,
                        "cannot be combined with the Expiry set by " + customization.expirySource
                                + ", which decides each entry's lifetime: set one");
            }
            return;
        }
        if (definition.staleIfError() != null && (ttl == null || ttl.isZero())) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "stale-if-error"),
                    definition.staleIfError(),
                    "needs a positive expire-after-write (or an Expiry from a customizer): a value must expire before"
                            + " it can be stale");
        }
        if (customization.tier() != CacheTier.LOCAL && (ttl == null || ttl.isZero())) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "expire-after-write"),
                    ttl,
                    "a remote or near cache needs a positive expire-after-write: the time to live of its Redis"
                            + " entries (or a per-entry Expiry set by a CachetCacheCustomizer)");
        }
    }

    private static @Nullable ValueCodec<?> codec(String name, CacheDefinition definition) {
        String valueType = definition.valueType();
        CodecType type = definition.codec();
        if (type == null && valueType == null) {
            return null;
        }
        if (type == null || type == CodecType.JSON) {
            if (valueType == null) {
                throw new InvalidConfigurationPropertyValueException(
                        property(name, "value-type"),
                        null,
                        "codec json needs value-type: the class that values are decoded as");
            }
            return Codec.json(jsonType(name, valueType));
        }
        if (valueType != null) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "value-type"),
                    valueType,
                    "applies to codec json only; codec " + type.name().toLowerCase(Locale.ROOT)
                            + " has a type of its own");
        }
        return switch (type) {
            case STRING -> Codec.string();
            case LONG -> Codec.longs();
            case INTEGER -> Codec.integers();
            case DOUBLE -> Codec.doubles();
            case BYTES -> Codec.bytes();
            case JSON -> throw new AssertionError("handled above");
        };
    }

    /**
     * Resolves {@code value-type}: a class name, or a generic type in Jackson's canonical form ({@code
     * java.util.List<com.example.Quote>}), with the classes of the thread's context class loader.
     */
    private static JavaType jsonType(String name, String valueType) {
        JavaType type;
        try {
            type = TypeFactory.defaultInstance().constructFromCanonical(valueType.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "value-type"),
                    valueType,
                    "not a class or generic type that can be loaded (write a generic type as"
                            + " java.util.List<com.example.Quote>): " + e.getMessage());
        }
        if (type.isJavaLangObject() || type.isPrimitive() || type.isArrayType()) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, "value-type"),
                    valueType,
                    "must name the class of the values, not " + valueType + ": JSON is decoded as exactly that"
                            + " type, and the payload never chooses one");
        }
        return type;
    }

    private static Copier<Object> copier(CopierType type) {
        return switch (type) {
            case DEFENSIVE -> Copier.defensive();
            case IDENTITY -> Copier.identity();
            case SERIALIZING -> Copier.serializing();
        };
    }

    private static void notNegative(String name, String leaf, @Nullable Long value) {
        if (value != null && value < 0) {
            throw new InvalidConfigurationPropertyValueException(property(name, leaf), value, "must be zero or more");
        }
    }

    private static void notNegative(String name, String leaf, @Nullable Duration value) {
        if (value != null && value.isNegative()) {
            throw new InvalidConfigurationPropertyValueException(property(name, leaf), value, "must be zero or more");
        }
    }

    /** Rejects a duration that is zero or negative; {@code meaning} says what the property is, for the message. */
    private static void positive(String name, String leaf, @Nullable Duration value, String meaning) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new InvalidConfigurationPropertyValueException(
                    property(name, leaf), value, "must be positive: " + meaning);
        }
    }

    private static void onlyFor(String name, String leaf, @Nullable Object value, String tiers) {
        if (value != null) {
            String reason = tiers.startsWith("applies") ? tiers : "applies to " + tiers + " caches only";
            throw new InvalidConfigurationPropertyValueException(property(name, leaf), value, reason);
        }
    }

    /** Returns the name of property {@code leaf} of cache {@code name}, bracketed when the name needs it. */
    static String property(String name, String leaf) {
        String cache = PLAIN_NAME.matcher(name).matches() ? "." + name : "[" + name + "]";
        return "cachet.caches" + cache + "." + leaf;
    }

    /** The options customizers (and properties) set for one cache; each once. */
    private static final class Customization implements CacheCustomization {
        private final String name;
        private final CacheTier tier;
        private final List<Consumer<? super CacheBuilder<Object, Object>>> options = new ArrayList<>();
        private String source = "";
        private @Nullable ValueCodec<?> codec;
        private String codecSource = "";
        private @Nullable Copier<?> copier;
        private String copierSource = "";
        private @Nullable RemoteConfig remoteConfig;
        private String remoteConfigSource = "";
        private @Nullable Expiry<?, ?> expiry;
        private String expirySource = "";

        Customization(String name, CacheTier tier) {
            this.name = name;
            this.tier = tier;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CacheTier tier() {
            return tier;
        }

        @Override
        public CacheCustomization codec(ValueCodec<?> codec) {
            requireNonNull(codec, "codec");
            requireTier("codec", tier != CacheTier.LOCAL, "remote and near");
            requireUnset("codec", this.codec, codecSource);
            this.codec = codec;
            this.codecSource = source;
            return this;
        }

        @Override
        public CacheCustomization copier(Copier<?> copier) {
            requireNonNull(copier, "copier");
            requireTier("copier", tier != CacheTier.REMOTE, "local and near");
            requireUnset("copier", this.copier, copierSource);
            this.copier = copier;
            this.copierSource = source;
            return this;
        }

        @Override
        public CacheCustomization remoteConfig(RemoteConfig config) {
            requireNonNull(config, "config");
            requireTier("remoteConfig", tier != CacheTier.LOCAL, "remote and near");
            requireUnset("remoteConfig", this.remoteConfig, remoteConfigSource);
            this.remoteConfig = config;
            this.remoteConfigSource = source;
            return this;
        }

        @Override
        public CacheCustomization expiry(Expiry<?, ?> expiry) {
            requireNonNull(expiry, "expiry");
            requireUnset("expiry", this.expiry, expirySource);
            this.expiry = expiry;
            this.expirySource = source;
            return this;
        }

        @Override
        public CacheCustomization builder(Consumer<? super CacheBuilder<Object, Object>> options) {
            this.options.add(requireNonNull(options, "options"));
            return this;
        }

        private void requireTier(String option, boolean applies, String tiers) {
            if (!applies) {
                throw new IllegalStateException(source + " sets the " + option + " of cache '" + name + "', which is "
                        + tier.name().toLowerCase(Locale.ROOT) + ": " + option + " applies to " + tiers
                        + " caches only");
            }
        }

        private void requireUnset(String option, @Nullable Object current, String setBy) {
            if (current != null) {
                throw new IllegalStateException("the " + option + " of cache '" + name + "' is set twice: by " + setBy
                        + " and by " + source + "; set it once");
            }
        }
    }
}
