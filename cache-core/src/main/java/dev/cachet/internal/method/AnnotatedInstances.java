package dev.cachet.internal.method;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Optional;

/**
 * Turns a class an annotation names ({@code @Cached(expiry = TokenExpiry.class)}) into its one instance: annotations
 * cannot carry a lambda, so the class must have a public no-argument constructor. One instance per class and class
 * loader, so that every method naming the class gets the same object (the registry compares functional settings by
 * identity). Thread-safe.
 */
public final class AnnotatedInstances {
    private static final ClassValue<Object> INSTANCES = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            return instantiate(type);
        }
    };

    private AnnotatedInstances() {}

    /**
     * Returns the one instance of {@code named}, or empty if it is {@code void.class} (the annotation's "not set").
     *
     * @param required the type the instance must have
     * @param attribute the annotation and attribute, for the message, such as {@code "@Cached(expiry"}
     * @param where the annotated method, for the message
     * @throws IllegalArgumentException naming the class, the attribute and {@code where} if it is not a public, concrete
     *     subtype of {@code required} with a public no-argument constructor, or the constructor throws
     */
    public static <T> Optional<T> of(Class<?> named, Class<T> required, String attribute, String where) {
        requireNonNull(named, "named");
        requireNonNull(required, "required");
        if (named == void.class) {
            return Optional.empty();
        }
        String what = where + ": " + attribute + " = " + named.getName() + ".class)";
        if (!required.isAssignableFrom(named)
                || named.isInterface()
                || Modifier.isAbstract(named.getModifiers())
                || !Modifier.isPublic(named.getModifiers())) {
            throw new IllegalArgumentException(
                    what + " must name a public, concrete class implementing " + required.getName());
        }
        try {
            return Optional.of(required.cast(INSTANCES.get(named)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + e.getMessage(), e.getCause());
        }
    }

    private static Object instantiate(Class<?> type) {
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(" needs a public no-argument constructor", e);
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(": its constructor threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(" cannot be instantiated: " + e, e);
        }
    }
}
