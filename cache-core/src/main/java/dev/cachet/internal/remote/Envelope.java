package dev.cachet.internal.remote;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The frame around every value Cachet stores remotely: magic, format version, codec id, how long the value took to
 * compute and when it expires (for early recompute), then the codec's bytes. A value without the frame, from another
 * codec or another format version is recognised instead of being decoded into nonsense: {@link #parse} tells the values
 * a process must leave alone (a newer format version, another codec: see {@link ForeignEnvelopeException}) from those
 * it may replace (no frame, an older version, truncated).
 *
 * <p>Layout (big-endian): {@code CA 5E} · version (1 byte) · codec id length (1 byte) · codec id (UTF-8) · compute
 * time in ms (8 bytes) · expiry in epoch ms (8 bytes) · payload.
 *
 * @param codecId the codec that made the payload
 * @param computeMillis how long the load took (XFetch's δ)
 * @param expiresAtMillis when the value expires, in epoch milliseconds
 * @param payload the codec's bytes
 */
@SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the payload is never mutated
public record Envelope(String codecId, long computeMillis, long expiresAtMillis, byte[] payload) {
    static final byte MAGIC_0 = (byte) 0xCA;
    static final byte MAGIC_1 = (byte) 0x5E;
    static final byte VERSION = 1;

    public byte[] toBytes() {
        byte[] id = codecId.getBytes(StandardCharsets.UTF_8);
        if (id.length > 255) {
            throw new IllegalArgumentException("codec id longer than 255 bytes: " + codecId);
        }
        return ByteBuffer.allocate(2 + 1 + 1 + id.length + 8 + 8 + payload.length)
                .put(MAGIC_0)
                .put(MAGIC_1)
                .put(VERSION)
                .put((byte) id.length)
                .put(id)
                .putLong(computeMillis)
                .putLong(expiresAtMillis)
                .put(payload)
                .array();
    }

    /**
     * Reads an envelope written for {@code expectedCodecId}.
     *
     * @throws ForeignEnvelopeException if the bytes are an envelope of a newer format version or of another codec
     * @throws IllegalArgumentException if the bytes are not an envelope, or one of an older version, saying why
     */
    public static Envelope parse(byte[] bytes, String expectedCodecId) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 4 || in.get() != MAGIC_0 || in.get() != MAGIC_1) {
            throw new IllegalArgumentException("not a Cachet value (no magic bytes)");
        }
        int version = Byte.toUnsignedInt(in.get());
        if (version > VERSION) {
            throw new ForeignEnvelopeException(
                    "envelope version " + version + ", newer than this process's " + VERSION);
        }
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "envelope version " + version + ", older than this process's " + VERSION);
        }
        int idLength = Byte.toUnsignedInt(in.get());
        if (in.remaining() < idLength + 16) {
            throw new IllegalArgumentException("truncated envelope of " + bytes.length + " bytes");
        }
        byte[] id = new byte[idLength];
        in.get(id);
        String codecId = new String(id, StandardCharsets.UTF_8);
        if (!codecId.equals(expectedCodecId)) {
            throw new ForeignEnvelopeException(
                    "value written by codec '" + codecId + "', expected '" + expectedCodecId + "'");
        }
        long computeMillis = in.getLong();
        long expiresAtMillis = in.getLong();
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new Envelope(codecId, computeMillis, expiresAtMillis, payload);
    }

    /**
     * A well-formed envelope this process must leave alone: of a newer format version, or written by another codec.
     * During a rolling deploy each version of the application reads the other's values so; if each deleted or
     * replaced what it cannot read, two versions would undo each other's values in a loop. Codec ids have no order
     * (unlike format versions, where the newer one replaces the older), so a value of another codec is left to expire.
     */
    public static final class ForeignEnvelopeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ForeignEnvelopeException(String message) {
            super(message);
        }
    }
}
