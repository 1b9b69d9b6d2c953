package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ObjectInputFilter} that allows named classes only: see {@link Codec#javaSerialization(Class, Set, int,
 * long)}. Anything it does not allow it rejects (rather than leaving the decision to a JVM-wide filter). Immutable.
 */
final class AllowlistFilter implements ObjectInputFilter {
    /** Value classes whose stream form runs no user code; allowed always. */
    private static final Set<Class<?>> ALWAYS_ALLOWED = Set.of(
            String.class,
            Boolean.class,
            Byte.class,
            Short.class,
            Character.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            Number.class);

    private final Set<Class<?>> allowed;
    private final int maxDepth;
    private final long maxBytes;

    private AllowlistFilter(Set<Class<?>> allowed, int maxDepth, long maxBytes) {
        this.allowed = allowed;
        this.maxDepth = maxDepth;
        this.maxBytes = maxBytes;
    }

    static AllowlistFilter of(Class<?> type, Set<Class<?>> classes, int maxDepth, long maxBytes) {
        requireNonNull(type, "type");
        requireNonNull(classes, "allowed");
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1, was " + maxDepth);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        Set<Class<?>> allowed = new HashSet<>(ALWAYS_ALLOWED);
        addWithSerializableSuperclasses(allowed, type);
        for (Class<?> c : classes) {
            addWithSerializableSuperclasses(allowed, requireNonNull(c, "allowed element"));
        }
        return new AllowlistFilter(Set.copyOf(allowed), maxDepth, maxBytes);
    }

    @Override
    public Status checkInput(FilterInfo info) {
        Class<?> serialClass = info.serialClass();
        if (info.depth() > maxDepth
                || info.streamBytes() > maxBytes
                || arrayBytes(serialClass, info.arrayLength()) > maxBytes) {
            return Status.REJECTED;
        }
        if (serialClass == null) {
            return Status.ALLOWED; // a check of the limits alone, passed above
        }
        if (allowed.contains(serialClass)) {
            return Status.ALLOWED;
        }
        if (serialClass.isArray()) {
            Class<?> component = serialClass;
            while (component.isArray()) {
                component = component.getComponentType();
            }
            // An array makes no instance of its component type; its elements pass this filter one by one. Object[]
            // is what collections such as ArrayList read their elements into.
            boolean allowedComponent =
                    component.isPrimitive() || component == Object.class || allowed.contains(component);
            return allowedComponent ? Status.ALLOWED : Status.REJECTED;
        }
        return Status.REJECTED;
    }

    /**
     * Returns the bytes an array of {@code length} elements takes on the heap, without its header: what reading it
     * allocates before a single element was read. The length alone would let a few bytes of stream claim an array of
     * {@code maxBytes} longs, 8 times the budget. A reference counts 4 bytes, its size with compressed references (the
     * default for heaps under 32 GB); an array of unknown class, 8.
     */
    static long arrayBytes(@Nullable Class<?> arrayClass, long length) {
        if (length <= 0) {
            return 0; // -1: not an array
        }
        Class<?> component = arrayClass == null ? null : arrayClass.getComponentType();
        int elementBytes;
        if (component == null) {
            elementBytes = Long.BYTES;
        } else if (component == long.class || component == double.class) {
            elementBytes = Long.BYTES;
        } else if (component == int.class || component == float.class || !component.isPrimitive()) {
            elementBytes = Integer.BYTES;
        } else if (component == char.class || component == short.class) {
            elementBytes = Short.BYTES;
        } else {
            elementBytes = Byte.BYTES; // byte, boolean
        }
        return length * elementBytes; // length is at most Integer.MAX_VALUE: no overflow
    }

    @Override
    public String toString() {
        return "AllowlistFilter[maxDepth=" + maxDepth + ", maxBytes=" + maxBytes + ", classes="
                + allowed.stream()
                        .map(Class::getName)
                        .sorted(Comparator.naturalOrder())
                        .collect(Collectors.joining(", ", "[", "]"))
                + ']';
    }

    private static void addWithSerializableSuperclasses(Set<Class<?>> allowed, Class<?> type) {
        // A class's stream form carries the descriptors of its serialisable superclasses, which the filter also sees.
        for (Class<?> c = type; c != null && Serializable.class.isAssignableFrom(c); c = c.getSuperclass()) {
            allowed.add(c);
        }
        if (type.isArray()) {
            Class<?> component = type;
            while (component.isArray()) {
                component = component.getComponentType();
            }
            if (!component.isPrimitive()) {
                addWithSerializableSuperclasses(allowed, component);
            }
        }
    }
}
