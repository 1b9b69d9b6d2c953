package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/**
 * {@link Codec#javaSerialization}: Java serialisation read through an {@link ObjectInputFilter} the caller chose, and
 * checked to be one object of the bound type with nothing after it.
 *
 * @param <T> the type of values
 */
final class JavaSerializationCodec<T> implements Codec<T> {
    private final Class<T> type;
    private final ObjectInputFilter filter;

    JavaSerializationCodec(Class<T> type, ObjectInputFilter filter) {
        this.type = type;
        this.filter = filter;
    }

    @Override
    public String id() {
        return "jser";
    }

    @Override
    public byte[] encode(T value) {
        requireNonNull(value, "value");
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(
                    "value of type " + value.getClass().getName() + " is not a " + type.getName());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot serialise a " + value.getClass().getName() + " (bound to " + type.getName() + "): " + e, e);
        }
        return bytes.toByteArray();
    }

    @Override
    public T decode(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        Object value;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            value = in.readObject();
            if (in.read() != -1) {
                throw new IllegalArgumentException("bytes hold more than one " + type.getName());
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException("bytes are not a serialised " + type.getName() + ": " + e, e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            // A class's own readObject may throw anything on corrupt input; it is still a bad encoding.
            throw new IllegalArgumentException("bytes are not a serialised " + type.getName() + ": " + e, e);
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("bytes hold a "
                    + (value == null ? "null" : value.getClass().getName()) + ", not a " + type.getName());
        }
        return type.cast(value);
    }

    @Override
    public String toString() {
        return "Codec.javaSerialization(" + type.getName() + ", " + filter + ")";
    }

    /**
     * Returns {@code filter} with every class it leaves undecided rejected: Java 21's {@code
     * ObjectInputFilter.rejectUndecidedClass}, which Java 17 lacks. Without it, a pattern filter that does not end in
     * {@code !*} allows every class it does not mention, and with it every gadget.
     */
    static ObjectInputFilter rejectUndecidedClass(ObjectInputFilter filter) {
        return filter instanceof RejectUndecidedClass ? filter : new RejectUndecidedClass(filter);
    }

    /** See {@link #rejectUndecidedClass(ObjectInputFilter)}. */
    private record RejectUndecidedClass(ObjectInputFilter filter) implements ObjectInputFilter {
        @Override
        public Status checkInput(FilterInfo info) {
            Status status = filter.checkInput(info);
            Class<?> serialClass = info.serialClass();
            if (status != Status.UNDECIDED || serialClass == null) {
                return status; // decided, or a check of the limits alone
            }
            Class<?> component = serialClass;
            while (component.isArray()) {
                component = component.getComponentType();
            }
            // As in Java 21: a primitive array makes no object that could run code.
            return component.isPrimitive() ? Status.UNDECIDED : Status.REJECTED;
        }

        @Override
        public String toString() {
            return "rejectUndecidedClass(" + filter + ")";
        }
    }
}
