package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@link Codec#json}: Jackson bound to one type, a class or a generic type ({@code List<Quote>}). The payload never names a class: default typing is refused,
 * and the mapper's {@link NoClassNameTypeIds} validator turns down class-name type ids of {@code @JsonTypeInfo}.
 *
 * @param <T> the type of values
 */
final class JsonCodec<T> implements Codec<T> {
    /** The id of a codec bound to a plain class: what {@link Codec#json(Class)} always wrote. */
    static final String PLAIN_ID = "json";
    /** Envelope codec ids are at most 255 bytes of UTF-8; a longer canonical type name is hashed. */
    private static final int MAX_ID_BYTES = 255;

    /** Cachet's mapper: tolerant of new properties, strict about type ids. Thread-safe once built. */
    private static final ObjectMapper DEFAULT_MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .polymorphicTypeValidator(NoClassNameTypeIds.INSTANCE)
            .build();

    private final String typeName;
    private final Class<?> boxedType;
    private final String id;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    private JsonCodec(String typeName, JavaType boxedType, String id, ObjectMapper mapper) {
        this.typeName = typeName;
        this.boxedType = boxedType.getRawClass();
        this.id = id;
        this.reader = mapper.readerFor(boxedType).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.writer = mapper.writerFor(boxedType);
    }

    static <T> JsonCodec<T> of(Class<T> type) {
        requireNonNull(type, "type");
        return ofClass(type, DEFAULT_MAPPER);
    }

    static <T> JsonCodec<T> of(Class<T> type, ObjectMapper mapper) {
        requireNonNull(type, "type");
        requireNonNull(mapper, "mapper");
        return ofClass(type, safeCopy(mapper, mapper.constructType(type), type.getName()));
    }

    static <T> JsonCodec<T> of(TypeReference<T> type) {
        requireNonNull(type, "type");
        return ofType(DEFAULT_MAPPER.getTypeFactory().constructType(type), DEFAULT_MAPPER);
    }

    static <T> JsonCodec<T> of(TypeReference<T> type, ObjectMapper mapper) {
        requireNonNull(type, "type");
        requireNonNull(mapper, "mapper");
        JavaType javaType = mapper.getTypeFactory().constructType(type);
        return ofType(javaType, safeCopy(mapper, javaType, javaType.toCanonical()));
    }

    static <T> JsonCodec<T> of(JavaType type) {
        requireNonNull(type, "type");
        return ofType(type, DEFAULT_MAPPER);
    }

    static <T> JsonCodec<T> of(JavaType type, ObjectMapper mapper) {
        requireNonNull(type, "type");
        requireNonNull(mapper, "mapper");
        return ofType(type, safeCopy(mapper, type, type.toCanonical()));
    }

    private static <T> JsonCodec<T> ofClass(Class<T> type, ObjectMapper mapper) {
        // Bound to the wrapper of a primitive, JSON null reads as null (refused below) instead of as 0.
        Class<?> boxed = type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
        return new JsonCodec<>(type.getName(), mapper.constructType(boxed), PLAIN_ID, mapper);
    }

    private static <T> JsonCodec<T> ofType(JavaType type, ObjectMapper mapper) {
        if (type.isPrimitive()) {
            return ofClass(type.getRawClass(), mapper).unchecked();
        }
        return new JsonCodec<>(type.toCanonical(), type, idOf(type, mapper), mapper);
    }

    @SuppressWarnings("unchecked") // the caller's TypeReference or JavaType stands for T
    private <U> JsonCodec<U> unchecked() {
        return (JsonCodec<U>) this;
    }

    /** Returns a copy of {@code mapper} that refuses class-name type ids, or throws if it has default typing. */
    private static ObjectMapper safeCopy(ObjectMapper mapper, JavaType type, String typeName) {
        if (mapper.getDeserializationConfig().getDefaultTyper(type) != null
                || mapper.getSerializationConfig().getDefaultTyper(type) != null) {
            throw new IllegalArgumentException("mapper " + mapper.getClass().getName()
                    + " has default typing activated, which lets a payload choose the class to instantiate;"
                    + " use a mapper without it (Codec.json binds to " + typeName + " anyway)");
        }
        ObjectMapper copy;
        try {
            copy = mapper.copy();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(
                    "mapper " + mapper.getClass().getName() + " cannot be copied: " + e.getMessage(), e);
        }
        copy.setPolymorphicTypeValidator(NoClassNameTypeIds.INSTANCE);
        return copy;
    }

    /**
     * Returns the codec id of values bound to {@code type}: {@code json} for a type that says no more than its class
     * (so values written by {@link Codec#json(Class)} stay readable), else {@code json:} and the canonical type
     * ({@code json:java.util.List<com.example.Quote>}), so that caches of different generic types never decode each
     * other's values; hashed ({@code json:sha256:...}) when longer than an envelope's id allows.
     */
    static String idOf(JavaType type, ObjectMapper mapper) {
        if (type.equals(mapper.getTypeFactory().constructType(type.getRawClass()))) {
            return PLAIN_ID;
        }
        String canonical = type.toCanonical();
        String id = PLAIN_ID + ":" + canonical;
        if (id.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES) {
            return id;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return PLAIN_ID + ":sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] encode(T value) {
        requireNonNull(value, "value");
        // Only the class is checked: a List's elements are Jackson's to serialise (or to refuse).
        if (!boxedType.isInstance(value)) {
            throw new IllegalArgumentException(
                    "value of type " + value.getClass().getName() + " is not a " + typeName);
        }
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot encode a " + value.getClass().getName() + " as JSON (bound to " + typeName + "): "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    @Override
    public T decode(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        T value;
        try {
            value = reader.readValue(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("bytes are not JSON of a " + typeName + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("bytes are JSON null, not a " + typeName);
        }
        return value;
    }

    @Override
    public String toString() {
        return "Codec.json(" + typeName + ")";
    }
}
