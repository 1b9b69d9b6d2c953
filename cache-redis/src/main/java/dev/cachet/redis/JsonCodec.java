package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.invoke.MethodType;

/**
 * {@link Codec#json}: Jackson bound to one concrete type. The payload never names a class: default typing is refused,
 * and the mapper's {@link NoClassNameTypeIds} validator turns down class-name type ids of {@code @JsonTypeInfo}.
 *
 * @param <T> the type of values
 */
final class JsonCodec<T> implements Codec<T> {
    /** Cachet's mapper: tolerant of new properties, strict about type ids. Thread-safe once built. */
    private static final ObjectMapper DEFAULT_MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .polymorphicTypeValidator(NoClassNameTypeIds.INSTANCE)
            .build();

    private final Class<T> type;
    private final Class<?> boxedType;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    private JsonCodec(Class<T> type, ObjectMapper mapper) {
        this.type = type;
        this.boxedType = type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
        // Bound to the wrapper of a primitive, JSON null reads as null (refused below) instead of as 0.
        this.reader = mapper.readerFor(boxedType).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.writer = mapper.writerFor(boxedType);
    }

    static <T> JsonCodec<T> of(Class<T> type) {
        requireNonNull(type, "type");
        return new JsonCodec<>(type, DEFAULT_MAPPER);
    }

    static <T> JsonCodec<T> of(Class<T> type, ObjectMapper mapper) {
        requireNonNull(type, "type");
        requireNonNull(mapper, "mapper");
        JavaType javaType = mapper.constructType(type);
        if (mapper.getDeserializationConfig().getDefaultTyper(javaType) != null
                || mapper.getSerializationConfig().getDefaultTyper(javaType) != null) {
            throw new IllegalArgumentException("mapper " + mapper.getClass().getName()
                    + " has default typing activated, which lets a payload choose the class to instantiate;"
                    + " use a mapper without it (Codec.json binds to " + type.getName() + " anyway)");
        }
        ObjectMapper copy;
        try {
            copy = mapper.copy();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(
                    "mapper " + mapper.getClass().getName() + " cannot be copied: " + e.getMessage(), e);
        }
        copy.setPolymorphicTypeValidator(NoClassNameTypeIds.INSTANCE);
        return new JsonCodec<>(type, copy);
    }

    @Override
    public String id() {
        return "json";
    }

    @Override
    public byte[] encode(T value) {
        requireNonNull(value, "value");
        if (!boxedType.isInstance(value)) {
            throw new IllegalArgumentException(
                    "value of type " + value.getClass().getName() + " is not a " + type.getName());
        }
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot encode a " + value.getClass().getName() + " as JSON (bound to " + type.getName() + "): "
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
            throw new IllegalArgumentException("bytes are not JSON of a " + type.getName() + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("bytes are JSON null, not a " + type.getName());
        }
        return value;
    }

    @Override
    public String toString() {
        return "Codec.json(" + type.getName() + ")";
    }
}
