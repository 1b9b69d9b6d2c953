package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every setting a cache was built with, named, so that the registry can tell whether a second build of a name asks
 * for the same cache, and if not, name the setting that differs. Values (sizes, durations, {@link RemoteConfig})
 * compare by {@code equals}; functional options (ticker, executor, copier, listeners, weigher, remote tier, codec)
 * by identity, because two lambdas of one class can behave differently. Unset options are null and equal each
 * other; options whose default is a shared singleton are recorded with that singleton, so setting the default
 * explicitly matches leaving it unset.
 */
final class CacheFingerprint {
    private final List<Option> options = new ArrayList<>();

    private record Option(String name, @Nullable Object value, boolean byIdentity) {
        boolean matches(Option other) {
            return byIdentity ? value == other.value : Objects.equals(value, other.value);
        }
    }

    /** Adds a setting compared by {@code equals}. */
    CacheFingerprint value(String name, @Nullable Object value) {
        options.add(new Option(requireNonNull(name, "name"), value, false));
        return this;
    }

    /** Adds a functional setting, compared by identity. */
    CacheFingerprint instance(String name, @Nullable Object value) {
        options.add(new Option(requireNonNull(name, "name"), value, true));
        return this;
    }

    /**
     * Returns the value recorded for the setting called {@code name}, or null if it is unset or not recorded (a proxy
     * reads a cache's remote tier and {@link RemoteConfig} this way, to know how its keys are encoded).
     */
    @Nullable
    Object valueOf(String name) {
        for (Option option : options) {
            if (option.name().equals(name)) {
                return option.value();
            }
        }
        return null;
    }

    /**
     * Returns a sentence naming the first setting in which {@code requested} differs from this (registered)
     * fingerprint and both values, or empty if they match.
     */
    Optional<String> firstDifference(CacheFingerprint requested) {
        for (int i = 0; i < Math.max(options.size(), requested.options.size()); i++) {
            if (i >= options.size() || i >= requested.options.size()) {
                return Optional.of("other settings");
            }
            Option registered = options.get(i);
            Option wanted = requested.options.get(i);
            if (!registered.name().equals(wanted.name())) {
                // Built by another version of the builder; should not happen within one JVM.
                return Optional.of("other settings: registered " + registered.name() + ", requested " + wanted.name());
            }
            if (!registered.matches(wanted)) {
                return Optional.of("another " + registered.name() + ": registered " + describe(registered)
                        + ", requested " + describe(wanted)
                        + (registered.byIdentity() ? " (functional options must be the same instance)" : ""));
            }
        }
        return Optional.empty();
    }

    private static String describe(Option option) {
        return option.value() == null ? "none" : String.valueOf(option.value());
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (Option option : options) {
            text.append(text.length() == 1 ? "" : ", ")
                    .append(option.name())
                    .append('=')
                    .append(describe(option));
        }
        return text.append(']').toString();
    }
}
