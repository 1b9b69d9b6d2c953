package dev.cachet.spi;

/**
 * Turns values into bytes for a {@link RemoteStore} and back. The bytes a codec reads back may come from another
 * process, another version of the application, or an attacker with access to the store: decoding must never
 * instantiate a type the codec was not told about.
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <V> the type of values
 */
public interface ValueCodec<V> {

    /** Returns a short, stable identifier of the format, stored with each value so a foreign value is detected. */
    String id();

    /**
     * Encodes {@code value}.
     *
     * @throws IllegalArgumentException if the value cannot be encoded
     */
    byte[] encode(V value);

    /**
     * Decodes bytes this codec's {@link #encode} produced.
     *
     * @throws IllegalArgumentException if the bytes are not a valid encoding
     */
    V decode(byte[] bytes);
}
