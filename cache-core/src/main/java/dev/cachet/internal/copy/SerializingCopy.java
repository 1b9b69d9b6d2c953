package dev.cachet.internal.copy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The copy behind {@code Copier.serializing()}: deep-copies a {@link Serializable} value by writing it with Java
 * serialization to a byte array and reading it back. Values that {@link Immutability} finds immutable are returned
 * as they are.
 *
 * <p>The bytes never leave the process, yet reading them is still locked down. The reading stream resolves a class
 * name only to the very class the writing stream wrote under that name (so no other class is ever loaded or
 * instantiated from the bytes, whatever the thread's class loader), and an {@link ObjectInputFilter} rejects nesting
 * deeper than 64 objects and more than 1,000,000 objects and references. The filter does not also check class
 * names: besides classes named by the bytes (which class resolution has already limited to the written ones) the JDK
 * passes it objects that {@code readResolve} methods of those classes return (the {@code List.of} or {@code
 * LocalDate} behind a JDK serial form, the outer class of a serialization proxy) and arrays that JDK classes allocate
 * while reading, none of which were written as such.
 *
 * <p>Internal: not API. A plain function, so that this package needs nothing from {@code dev.cachet}. Thread-safe:
 * each copy uses its own streams.
 */
public final class SerializingCopy {
    private SerializingCopy() {}

    /** Deepest nesting of objects read back (the filter's depth: nested {@code readObject} calls). */
    static final int MAX_DEPTH = 64;

    /** Most objects and back-references read back in one copy. */
    static final long MAX_REFERENCES = 1_000_000;

    /**
     * Returns {@code value} if it is immutable, else a copy of it made through serialization.
     *
     * @param value the value to copy, never null
     * @return {@code value} itself or its copy, never null
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is not {@link Serializable}, holds something that is not, is
     *     nested too deeply or is too large, or if serializing or deserializing it fails (the cause says why)
     */
    public static Object copy(Object value) {
        Objects.requireNonNull(value, "value");
        if (Immutability.isImmutable(value)) {
            return value;
        }
        if (!(value instanceof Serializable)) {
            throw new IllegalArgumentException(
                    "cannot copy a value of type " + value.getClass().getName()
                            + " with Copier.serializing(): it does not implement java.io.Serializable. Give the cache another"
                            + " Copier (a copy method)");
        }
        WrittenClasses written = new WrittenClasses();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (RecordingOutputStream out = new RecordingOutputStream(bytes, written)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            // Its message is the name of the class.
            throw new IllegalArgumentException(
                    "cannot copy a value of type " + value.getClass().getName() + " with Copier.serializing(): it holds"
                            + " a value of type " + e.getMessage() + ", which does not implement java.io.Serializable",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot copy a value of type " + value.getClass().getName() + " with Copier.serializing(): writing"
                            + " it failed: " + e,
                    e);
        }
        if (written.ambiguousName != null) {
            // Reading back would have to pick one of the two classes for both.
            throw new IllegalArgumentException(
                    "cannot copy a value of type " + value.getClass().getName()
                            + " with Copier.serializing(): it holds instances of two different classes named "
                            + written.ambiguousName + " (from different class loaders)");
        }
        FilteredInputStream in = null;
        try {
            in = new FilteredInputStream(bytes.toByteArray(), written);
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            String why = in != null && in.rejection != null ? in.rejection : "reading it back failed: " + e;
            throw new IllegalArgumentException(
                    "cannot copy a value of type " + value.getClass().getName() + " with Copier.serializing(): " + why,
                    e);
        }
    }

    /** The classes one copy wrote, by name: the only classes its reading side may resolve. */
    static final class WrittenClasses {
        private final Map<String, Class<?>> byName = new HashMap<>();
        private final Map<List<String>, Class<?>> proxiesByInterfaces = new HashMap<>();

        /** A name written for two different classes (from two class loaders), or null. */
        private String ambiguousName;

        void add(Class<?> type) {
            Class<?> previous = byName.putIfAbsent(type.getName(), type);
            if (previous != null && previous != type) {
                ambiguousName = type.getName();
            }
        }

        void addProxy(Class<?> proxy) {
            List<String> interfaces = new ArrayList<>();
            for (Class<?> implemented : proxy.getInterfaces()) {
                interfaces.add(implemented.getName());
            }
            proxiesByInterfaces.putIfAbsent(List.copyOf(interfaces), proxy);
        }
    }

    /** Records every class whose descriptor it writes, superclasses and array classes included. */
    private static final class RecordingOutputStream extends ObjectOutputStream {
        private final WrittenClasses written;

        RecordingOutputStream(OutputStream out, WrittenClasses written) throws IOException {
            super(out);
            this.written = written;
        }

        @Override
        protected void annotateClass(Class<?> type) {
            written.add(type);
        }

        @Override
        protected void annotateProxyClass(Class<?> proxy) {
            written.addProxy(proxy);
        }
    }

    /** Reads back what a {@link RecordingOutputStream} wrote, resolving only the classes it wrote. */
    static final class FilteredInputStream extends ObjectInputStream {
        private final WrittenClasses written;

        /** Why the filter rejected the stream, or null. */
        private String rejection;

        FilteredInputStream(byte[] bytes, WrittenClasses written) throws IOException {
            super(new ByteArrayInputStream(bytes));
            this.written = written;
            setObjectInputFilter(this::check);
        }

        private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
            if (info.depth() > MAX_DEPTH) {
                rejection = "it is nested more than " + MAX_DEPTH + " objects deep";
            } else if (info.references() > MAX_REFERENCES) {
                rejection = "it holds more than " + MAX_REFERENCES + " objects";
            } else {
                return ObjectInputFilter.Status.ALLOWED;
            }
            return ObjectInputFilter.Status.REJECTED;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass descriptor) throws ClassNotFoundException {
            Class<?> type = written.byName.get(descriptor.getName());
            if (type == null) {
                throw new ClassNotFoundException(descriptor.getName() + " was not written by this copier");
            }
            return type;
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws ClassNotFoundException {
            Class<?> proxy = written.proxiesByInterfaces.get(List.of(interfaces));
            if (proxy == null) {
                throw new ClassNotFoundException(
                        "no proxy for " + String.join(", ", interfaces) + " was written by this copier");
            }
            return proxy;
        }
    }
}
