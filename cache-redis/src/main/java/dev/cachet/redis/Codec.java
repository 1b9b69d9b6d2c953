package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachet.spi.ValueCodec;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.util.Set;

/**
 * A {@link ValueCodec} with the common formats as factories. Every codec here is immutable and thread-safe, rejects a
 * null value or byte array with a {@link NullPointerException}, and decodes only what its own {@link #encode}
 * produces: anything else, including bytes that would decode to a wrong value or a type it was not told about,
 * throws {@link IllegalArgumentException}.
 *
 * @param <V> the type of values
 */
public interface Codec<V> extends ValueCodec<V> {

    /** Returns the codec of strings as UTF-8, id {@code str}. Malformed UTF-8 and unpaired surrogates are rejected. */
    static Codec<String> string() {
        return StringCodec.INSTANCE;
    }

    /** Returns the codec of byte arrays as themselves, id {@code bytes}; it copies the array both ways. */
    static Codec<byte[]> bytes() {
        return BytesCodec.INSTANCE;
    }

    /**
     * Returns the codec of longs as ASCII decimal text ({@code -42}), id {@code i64}. Decoding accepts only the text
     * {@link Long#toString(long)} produces: no sign {@code +}, leading zeros or spaces.
     */
    static Codec<Long> longs() {
        return DecimalCodec.LONGS;
    }

    /**
     * Returns the codec of integers as ASCII decimal text ({@code -42}), id {@code i32}. Decoding accepts only the
     * text {@link Integer#toString(int)} produces.
     */
    static Codec<Integer> integers() {
        return DecimalCodec.INTEGERS;
    }

    /**
     * Returns the codec of doubles as ASCII decimal text, id {@code f64}: {@link Double#toString(double)}, which
     * round-trips every value exactly, including {@code -0.0}, {@code NaN} and the infinities. Decoding accepts only
     * text that method produces, so a stray {@code "1.5d"} or {@code " 1.5"} is rejected.
     */
    static Codec<Double> doubles() {
        return DecimalCodec.DOUBLES;
    }

    /**
     * Returns the JSON codec of {@code type} (id {@code json}) with Cachet's mapper: Jackson defaults, unknown
     * properties ignored (so that a reader older than the writer still decodes), no default typing, and class-name
     * type ids (from {@code @JsonTypeInfo(use = CLASS)}) refused, so a payload never chooses what class is made.
     * Decoding always binds to {@code type}; JSON {@code null} and trailing content are rejected.
     *
     * @throws NullPointerException if {@code type} is null
     */
    static <T> Codec<T> json(Class<T> type) {
        return JsonCodec.of(type);
    }

    /**
     * Returns the JSON codec of {@code type} (id {@code json}) with a copy of {@code mapper} that refuses class-name
     * type ids: a payload never chooses what class is made. Later changes to {@code mapper} do not affect the codec.
     * Decoding always binds to {@code type}; JSON {@code null} and trailing content are rejected.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code mapper} has default typing activated (which lets a payload name the
     *     class to instantiate, the root of Jackson deserialisation gadgets), or cannot be copied
     */
    static <T> Codec<T> json(Class<T> type, ObjectMapper mapper) {
        return JsonCodec.of(type, mapper);
    }

    /**
     * Returns the JSON codec of a generic type, {@code Codec.json(new TypeReference<List<Quote>>() {})}, with Cachet's
     * mapper (see {@link #json(Class)}): decoding binds to the whole type, so the list holds {@code Quote}s, not maps.
     * The id is {@code json} for a type that says no more than its class (values of {@link #json(Class)} stay
     * readable), else {@code json:} and Jackson's canonical name of the type ({@code
     * json:java.util.List<com.example.Quote>}, or {@code json:sha256:} and its hash when longer than 255 bytes), so
     * that caches of different types never decode each other's values. Encoding checks the value's class only (a
     * {@code List}), not its elements.
     *
     * @throws NullPointerException if {@code type} is null
     */
    static <T> Codec<T> json(TypeReference<T> type) {
        return JsonCodec.of(type);
    }

    /**
     * Returns the JSON codec of a generic type as {@link #json(TypeReference)} does, with a copy of {@code mapper} as
     * {@link #json(Class, ObjectMapper)} makes it; the type is resolved by {@code mapper}'s type factory.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code mapper} has default typing activated, or cannot be copied
     */
    static <T> Codec<T> json(TypeReference<T> type, ObjectMapper mapper) {
        return JsonCodec.of(type, mapper);
    }

    /**
     * Returns the JSON codec of a Jackson {@link JavaType}, as {@link #json(TypeReference)} does; for types known at
     * run time only, {@code TypeFactory.defaultInstance().constructFromCanonical("java.util.List<com.example.Quote>")}.
     * The caller states what {@code T} is: nothing checks it against {@code type}.
     *
     * @throws NullPointerException if {@code type} is null
     */
    static <T> Codec<T> json(JavaType type) {
        return JsonCodec.of(type);
    }

    /**
     * Returns the JSON codec of a Jackson {@link JavaType} with a copy of {@code mapper}, as {@link #json(Class,
     * ObjectMapper)} makes it.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code mapper} has default typing activated, or cannot be copied
     */
    static <T> Codec<T> json(JavaType type, ObjectMapper mapper) {
        return JsonCodec.of(type, mapper);
    }

    /**
     * Returns {@code codec} with LZ4 compression of the values that encode to 1 KiB or more: see {@link
     * #compressed(ValueCodec, int)}.
     *
     * @throws NullPointerException if {@code codec} is null
     * @throws IllegalArgumentException if {@code codec} compresses already
     */
    static <V> Codec<V> compressed(ValueCodec<V> codec) {
        return Lz4Codec.of(codec, Lz4Codec.DEFAULT_THRESHOLD_BYTES);
    }

    /**
     * Returns {@code codec} with LZ4 compression (the LZ4 block format, after the uncompressed length) of the values
     * that encode to {@code thresholdBytes} or more; those that do not shrink are stored as they are. The id is {@code
     * codec}'s, and the stored value's envelope marks the compressed ones: turning compression on keeps existing values
     * readable, and a process without it leaves compressed values alone (as another codec's) instead of deleting them.
     * {@code maxValueBytes} bounds the uncompressed size, on write and on read: a value that declares or would
     * decompress to more is a counted miss (a decode failure), never a large allocation.
     *
     * @throws NullPointerException if {@code codec} is null
     * @throws IllegalArgumentException if {@code thresholdBytes} is negative, or {@code codec} compresses already
     */
    static <V> Codec<V> compressed(ValueCodec<V> codec, int thresholdBytes) {
        return Lz4Codec.of(codec, thresholdBytes);
    }

    /**
     * Returns the Java serialisation codec of {@code type} (id {@code jser}), reading through {@code filter}. Opt-in
     * only, and only with an allow-list: Java deserialisation runs code of every class in the stream, so a class the
     * filter leaves {@link ObjectInputFilter.Status#UNDECIDED UNDECIDED} is rejected, as Java 21's {@code
     * ObjectInputFilter.rejectUndecidedClass} does: a pattern filter need not end in {@code !*}. Primitives and
     * arrays of them stay as the filter decides, so that its limits apply to them. See {@link
     * #javaSerialization(Class, Set, int, long)} for an allow-list built from classes. A decoded object that is not a
     * {@code type} is rejected.
     *
     * @throws NullPointerException if an argument is null
     */
    static <T extends Serializable> Codec<T> javaSerialization(Class<T> type, ObjectInputFilter filter) {
        requireNonNull(type, "type");
        requireNonNull(filter, "filter");
        return new JavaSerializationCodec<>(type, JavaSerializationCodec.rejectUndecidedClass(filter));
    }

    /**
     * Returns the Java serialisation codec of {@code type} (id {@code jser}) reading through an allow-list: {@code
     * type}, the classes in {@code allowed} (exactly these, not their subclasses), their serialisable superclasses
     * (which their stream form includes), {@code String}, the primitives and their wrappers, and arrays of all of
     * these and of {@code Object} (whose elements are filtered one by one). Every other class is rejected before any
     * instance of it is made, as is a stream nested deeper than {@code maxDepth}, longer than {@code maxBytes}, or
     * with an array whose elements would take more than {@code maxBytes} on the heap (its length times 1 to 8 bytes
     * for primitives, 4 for references), checked before the array is allocated. Name every class of the object graph, JDK collections included
     * ({@code java.util.ArrayList}, ...).
     *
     * @throws NullPointerException if an argument or element is null
     * @throws IllegalArgumentException if {@code maxDepth} or {@code maxBytes} is not positive
     */
    static <T extends Serializable> Codec<T> javaSerialization(
            Class<T> type, Set<Class<?>> allowed, int maxDepth, long maxBytes) {
        requireNonNull(type, "type");
        return new JavaSerializationCodec<>(type, AllowlistFilter.of(type, allowed, maxDepth, maxBytes));
    }
}
