package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The settings a {@code @Cached} annotation gives its cache, parsed and checked. Immutable; methods that share a cache
 * must have equal settings.
 *
 * @param name the cache's name, not blank
 * @param maximumSize the size bound, if any
 * @param expireAfterWrite the time to live after a write, if any
 * @param expireAfterAccess the time to live after an access, if any
 * @param expiry the per-entry expiry, if any: one instance per class, so equal settings share it
 */
record CacheSettings(
        String name,
        OptionalLong maximumSize,
        Optional<Duration> expireAfterWrite,
        Optional<Duration> expireAfterAccess,
        Optional<Expiry<Object, Object>> expiry) {

    CacheSettings {
        requireNonNull(name, "name");
        requireNonNull(maximumSize, "maximumSize");
        requireNonNull(expireAfterWrite, "expireAfterWrite");
        requireNonNull(expireAfterAccess, "expireAfterAccess");
        requireNonNull(expiry, "expiry");
    }

    /** Settings without a per-entry expiry. */
    CacheSettings(
            String name,
            OptionalLong maximumSize,
            Optional<Duration> expireAfterWrite,
            Optional<Duration> expireAfterAccess) {
        this(name, maximumSize, expireAfterWrite, expireAfterAccess, Optional.empty());
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
        expiry.ifPresent(builder::expireAfter);
        return builder.build();
    }

    /** Returns the settings as an annotation would spell them, for error messages. */
    @Override
    public String toString() {
        List<String> attributes = new ArrayList<>();
        attributes.add("name = \"" + name + "\"");
        maximumSize.ifPresent(size -> attributes.add("maximumSize = " + size));
        expireAfterWrite.ifPresent(duration -> attributes.add("expireAfterWrite = " + duration));
        expireAfterAccess.ifPresent(duration -> attributes.add("expireAfterAccess = " + duration));
        expiry.ifPresent(
                instance -> attributes.add("expiry = " + instance.getClass().getName() + ".class"));
        return "@Cached(" + String.join(", ", attributes) + ")";
    }
}
