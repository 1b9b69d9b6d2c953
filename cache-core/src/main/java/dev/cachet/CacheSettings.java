package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The settings a {@code @Cached} annotation gives its cache, parsed and checked. They build the cache only when none
 * is registered under its name; a registered cache is used as it is, and must agree with every setting given
 * explicitly. Immutable; methods of one interface that share a cache and give it settings must give equal ones.
 *
 * @param name the cache's name, not blank
 * @param maximumSize the size bound, if any
 * @param expireAfterWrite the time to live after a write, if any
 * @param expireAfterAccess the time to live after an access, if any
 * @param cacheNulls the time to live of a cached null, if nulls are cached
 * @param expiry the per-entry expiry, if any: one instance per class, so equal settings share it
 * @param staleIfError how long an expired value is kept for a failed reload, if at all
 * @param refreshAfterWrite the age at which a call refreshes a value in the background, if at all
 */
record CacheSettings(
        String name,
        OptionalLong maximumSize,
        Optional<Duration> expireAfterWrite,
        Optional<Duration> expireAfterAccess,
        Optional<Duration> cacheNulls,
        Optional<Expiry<Object, Object>> expiry,
        Optional<Duration> staleIfError,
        Optional<Duration> refreshAfterWrite) {

    CacheSettings {
        requireNonNull(name, "name");
        requireNonNull(maximumSize, "maximumSize");
        requireNonNull(expireAfterWrite, "expireAfterWrite");
        requireNonNull(expireAfterAccess, "expireAfterAccess");
        requireNonNull(cacheNulls, "cacheNulls");
        requireNonNull(expiry, "expiry");
        requireNonNull(staleIfError, "staleIfError");
        requireNonNull(refreshAfterWrite, "refreshAfterWrite");
    }

    /** Settings that do not cache null results and have no per-entry expiry, stale-if-error or refresh-ahead. */
    CacheSettings(
            String name,
            OptionalLong maximumSize,
            Optional<Duration> expireAfterWrite,
            Optional<Duration> expireAfterAccess) {
        this(
                name,
                maximumSize,
                expireAfterWrite,
                expireAfterAccess,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * Builds the cache in {@code registry}, or returns the one registered there with the same settings.
     *
     * @throws IllegalStateException if the name is taken by a cache with other settings
     */
    Cache<Object, Object> build(CacheRegistry registry) {
        CacheBuilder<Object, Object> builder = Cachet.builder(name).registry(registry);
        if (maximumSize.isPresent()) {
            builder.maximumSize(maximumSize.getAsLong());
        }
        expireAfterWrite.ifPresent(builder::expireAfterWrite);
        expireAfterAccess.ifPresent(builder::expireAfterAccess);
        cacheNulls.ifPresent(builder::cacheNulls);
        expiry.ifPresent(builder::expireAfter);
        staleIfError.ifPresent(builder::staleIfError);
        refreshAfterWrite.ifPresent(builder::refreshAfterWrite);
        return builder.build();
    }

    /**
     * Whether the annotation gives any setting besides the name. One that gives none takes the registered cache of its
     * name whatever its settings and tier.
     */
    boolean hasSettings() {
        return maximumSize.isPresent()
                || expireAfterWrite.isPresent()
                || expireAfterAccess.isPresent()
                || cacheNulls.isPresent()
                || expiry.isPresent()
                || staleIfError.isPresent()
                || refreshAfterWrite.isPresent();
    }

    /**
     * Returns the first setting given here that the registered cache's {@code config} does not have, as a sentence
     * naming the setting and both values, or empty if every setting given agrees (settings not given are not
     * compared).
     */
    Optional<String> firstDifference(CacheConfig config) {
        if (maximumSize.isPresent() && !maximumSize.equals(config.maximumSize())) {
            return Optional.of(difference(
                    "maximumSize",
                    maximumSize.getAsLong(),
                    config.maximumSize().isPresent() ? config.maximumSize().getAsLong() : null));
        }
        if (expireAfterWrite.isPresent() && !expireAfterWrite.equals(config.expireAfterWrite())) {
            return Optional.of(difference(
                    "expireAfterWrite",
                    expireAfterWrite.get(),
                    config.expireAfterWrite().orElse(null)));
        }
        if (expireAfterAccess.isPresent() && !expireAfterAccess.equals(config.expireAfterAccess())) {
            return Optional.of(difference(
                    "expireAfterAccess",
                    expireAfterAccess.get(),
                    config.expireAfterAccess().orElse(null)));
        }
        if (cacheNulls.isPresent() && !cacheNulls.equals(config.cacheNulls())) {
            return Optional.of(difference(
                    "cacheNulls", cacheNulls.get(), config.cacheNulls().orElse(null)));
        }
        if (staleIfError.isPresent() && !staleIfError.equals(config.staleIfError())) {
            return Optional.of(difference(
                    "staleIfError", staleIfError.get(), config.staleIfError().orElse(null)));
        }
        if (refreshAfterWrite.isPresent() && !refreshAfterWrite.equals(config.refreshAfterWrite())) {
            return Optional.of(difference(
                    "refreshAfterWrite",
                    refreshAfterWrite.get(),
                    config.refreshAfterWrite().orElse(null)));
        }
        // A config does not carry the expiry instance; a fixed expiry rules one out.
        if (expiry.isPresent()
                && (config.expireAfterWrite().isPresent()
                        || config.expireAfterAccess().isPresent())) {
            return Optional.of("expiry = " + expiry.get().getClass().getName() + ".class in the annotation, but the"
                    + " registered cache has a fixed expiry ("
                    + config.expireAfterWrite()
                            .map(d -> "expireAfterWrite " + d)
                            .orElse("")
                    + config.expireAfterAccess()
                            .map(d -> " expireAfterAccess " + d)
                            .orElse("") + ")");
        }
        return Optional.empty();
    }

    private static String difference(String setting, Object annotated, @Nullable Object registered) {
        return setting + " = " + annotated + " in the annotation, but the registered cache has "
                + (registered == null ? "no " + setting : setting + " " + registered);
    }

    /** Returns the settings as an annotation would spell them, for error messages. */
    @Override
    public String toString() {
        List<String> attributes = new ArrayList<>();
        attributes.add("name = \"" + name + "\"");
        maximumSize.ifPresent(size -> attributes.add("maximumSize = " + size));
        expireAfterWrite.ifPresent(duration -> attributes.add("expireAfterWrite = " + duration));
        expireAfterAccess.ifPresent(duration -> attributes.add("expireAfterAccess = " + duration));
        cacheNulls.ifPresent(duration -> attributes.add("cacheNulls = " + duration));
        expiry.ifPresent(
                instance -> attributes.add("expiry = " + instance.getClass().getName() + ".class"));
        staleIfError.ifPresent(duration -> attributes.add("staleIfError = " + duration));
        refreshAfterWrite.ifPresent(duration -> attributes.add("refreshAfterWrite = " + duration));
        return "@Cached(" + String.join(", ", attributes) + ")";
    }
}
