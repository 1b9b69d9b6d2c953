package dev.cachet.benchmarks.peers;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The one-line form of a result that a peer's JVM sends the driver (a P12 round, P13's reads and puts, P15's outcome):
 * a tag, then the record's components in declaration order, separated by tabs; a component that is itself a record is
 * written as its components joined by {@code /}. Components are {@code int}, {@code long}, {@code double} or such a
 * record of them. One codec for every result, so that a result names only its tag and a new component needs no
 * parser. Stateless and thread-safe.
 */
final class ResultLine {
    private ResultLine() {}

    /** Returns {@code tag} and the components of {@code result}, separated by tabs. */
    static String of(String tag, Record result) {
        StringJoiner line = new StringJoiner("\t").add(tag);
        for (RecordComponent component : result.getClass().getRecordComponents()) {
            Object value = valueOf(component, result);
            line.add(value instanceof Record nested ? joined(nested) : String.valueOf(value));
        }
        return line.toString();
    }

    /**
     * Returns the {@code type} that {@code fields}, a line of {@link #of} split at tabs (its tag first), holds.
     *
     * @throws IllegalArgumentException if the fields do not match the record's components
     */
    static <R extends Record> R parse(Class<R> type, String[] fields) {
        return parse(type, Arrays.copyOfRange(fields, 1, fields.length), String.join("\t", fields));
    }

    private static String joined(Record nested) {
        StringJoiner parts = new StringJoiner("/");
        for (RecordComponent component : nested.getClass().getRecordComponents()) {
            parts.add(String.valueOf(valueOf(component, nested)));
        }
        return parts.toString();
    }

    private static <R> R parse(Class<R> type, String[] fields, String line) {
        RecordComponent[] components = type.getRecordComponents();
        if (fields.length != components.length) {
            throw new IllegalArgumentException("a " + type.getSimpleName() + " has " + components.length
                    + " components, the line '" + line + "' " + fields.length);
        }
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(types[i], fields[i], line);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getName() + " of '" + line + "'", e);
        }
    }

    private static Object value(Class<?> type, String text, String line) {
        if (type == int.class) {
            return Integer.parseInt(text);
        }
        if (type == long.class) {
            return Long.parseLong(text);
        }
        if (type == double.class) {
            return Double.parseDouble(text);
        }
        if (type.isRecord()) {
            return parse(type, text.split("/", -1), line);
        }
        throw new IllegalArgumentException("a result's component cannot be a " + type.getName());
    }

    private static Object valueOf(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + record, e);
        }
    }
}
