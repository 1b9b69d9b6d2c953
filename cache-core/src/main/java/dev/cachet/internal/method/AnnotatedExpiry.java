package dev.cachet.internal.method;

import static java.util.Objects.requireNonNull;

import dev.cachet.Expiry;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Optional;

/**
 * Turns the {@code expiry} class an annotation names ({@code @Cached(expiry = TokenExpiry.class)}) into its one
 * instance: annotations cannot carry a lambda, so the class must have a public no-argument constructor. One instance
 * per class and class loader, so that every method naming the class gives its cache the same {@link Expiry} (the
 * registry compares functional settings by identity). Thread-safe.
 */
public final class AnnotatedExpiry {
    private static final ClassValue<Expiry<Object, Object>> INSTANCES = new ClassValue<>() {
        @Override
        protected Expiry<Object, Object> computeValue(Class<?> type) {
            return instantiate(type);
        }
    };

    private AnnotatedExpiry() {}

    /**
     * Returns the instance of {@code type}, or empty if {@code type} is {@link Expiry} itself (the annotation's "not
     * set").
     *
     * @param where the annotated method, for the message
     * @throws IllegalArgumentException naming the class and {@code where} if it is not a concrete {@link Expiry} with a
     *     public no-argument constructor, or the constructor throws
     */
    public static Optional<Expiry<Object, Object>> of(Class<?> type, String where) {
        requireNonNull(type, "type");
        if (type == Expiry.class) {
            return Optional.empty();
        }
        try {
            return Optional.of(INSTANCES.get(type));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e.getCause());
        }
    }

    @SuppressWarnings("unchecked")
    private static Expiry<Object, Object> instantiate(Class<?> type) {
        String what = "@Cached(expiry = " + type.getName() + ".class)";
        if (!Expiry.class.isAssignableFrom(type)
                || type.isInterface()
                || Modifier.isAbstract(type.getModifiers())
                || !Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException(
                    what + " must name a public, concrete class implementing dev.cachet.Expiry");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(what + " needs a public no-argument constructor", e);
        }
        try {
            return (Expiry<Object, Object>) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(what + ": its constructor threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(what + " cannot be instantiated: " + e, e);
        }
    }
}
