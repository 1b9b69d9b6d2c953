package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * {@link Codec#longs()}, {@link Codec#integers()} and {@link Codec#doubles()}: a number as the ASCII text of its
 * {@code toString}, readable in {@code redis-cli}. Decoding accepts that canonical text only, so that no other bytes
 * can pass for a number.
 *
 * @param <V> the boxed number type
 */
final class DecimalCodec<V> implements Codec<V> {
    static final DecimalCodec<Long> LONGS = new DecimalCodec<>("i64", "longs", Long::parseLong);
    static final DecimalCodec<Integer> INTEGERS = new DecimalCodec<>("i32", "integers", Integer::parseInt);
    static final DecimalCodec<Double> DOUBLES = new DecimalCodec<>("f64", "doubles", Double::parseDouble);

    /** Longer than any canonical text of these types; bounds the work spent on garbage. */
    private static final int MAX_LENGTH = 32;

    private final String id;
    private final String factory;
    private final Function<String, V> parser;

    private DecimalCodec(String id, String factory, Function<String, V> parser) {
        this.id = id;
        this.factory = factory;
        this.parser = parser;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] encode(V value) {
        return requireNonNull(value, "value").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public V decode(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "bytes are not a " + id + " value: length " + bytes.length + " outside 1.." + MAX_LENGTH);
        }
        // ISO-8859-1 maps each byte to one char, so a non-ASCII byte cannot match the canonical text below.
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        V value;
        try {
            value = parser.apply(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bytes are not a " + id + " value: '" + text + "'", e);
        }
        if (!value.toString().equals(text)) {
            throw new IllegalArgumentException(
                    "bytes are not a canonical " + id + " value: '" + text + "', expected '" + value + "'");
        }
        return value;
    }

    @Override
    public String toString() {
        return "Codec." + factory + "()";
    }
}
