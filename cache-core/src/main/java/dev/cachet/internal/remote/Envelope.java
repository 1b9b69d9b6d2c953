package dev.cachet.internal.remote;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The frame around every value Cachet stores remotely: magic, format version, flags, codec id, how long the value took
 * to compute and when it expires (for early recompute), then the codec's bytes. A value without the frame, from
 * another codec or another format version is recognised instead of being decoded into nonsense: {@link #parse} tells
 * the values a process must leave alone (a newer format version, a flag it does not know, another codec: see {@link
 * ForeignEnvelopeException}) from those it may replace (no frame, a version older than 1, truncated).
 *
 * <p>Layout of version 3, written since refresh-ahead (big-endian): {@code CA 5E} · version (1 byte) · flags (1 byte)
 * · codec id length (1 byte) · codec id (UTF-8) · compute time in ms (8 bytes) · expiry in epoch ms (8 bytes) · write
 * time in epoch ms (8 bytes) · payload. Flag bit 0 marks a cached {@code null} (see {@link #isNullMarker()}), whose
 * payload is empty; the other bits are free for later features, and a reader that finds one it does not know leaves
 * the value alone. Versions 1 and 2, which older processes write, are still read, so that a rolling deploy keeps
 * sharing their values: version 1 has no flags byte (read as flags 0), and neither has a write time (read as {@link
 * #UNKNOWN_WRITE_TIME}, which makes the value due for refresh at once).
 *
 * @param codecId the codec that made the payload
 * @param computeMillis how long the load took (XFetch's δ)
 * @param expiresAtMillis when the value expires, in epoch milliseconds
 * @param payload the codec's bytes; empty for a null marker
 * @param flags the flag bits, {@link #NULL_MARKER} or 0
 * @param writtenAtMillis when the value was written, in epoch milliseconds (refresh-ahead's age); {@link
 *     #UNKNOWN_WRITE_TIME} for an envelope of a version before 3
 */
@SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the payload is never mutated
public record Envelope(
        String codecId, long computeMillis, long expiresAtMillis, byte[] payload, int flags, long writtenAtMillis) {
    static final byte MAGIC_0 = (byte) 0xCA;
    static final byte MAGIC_1 = (byte) 0x5E;
    static final byte VERSION = 3;
    /** The first version with a flags byte; earlier ones are read as flags 0. */
    static final byte FLAGS_SINCE = 2;
    /** The first version with a write time; earlier ones are read as {@link #UNKNOWN_WRITE_TIME}. */
    static final byte WRITE_TIME_SINCE = 3;
    /** The write time of an envelope that has none: the epoch, so that its value is as old as can be. */
    public static final long UNKNOWN_WRITE_TIME = 0;
    /** Flag bit 0: the envelope stands for a cached {@code null}, not a value. */
    public static final int NULL_MARKER = 0x01;
    /** The flag bits this version understands. */
    private static final int KNOWN_FLAGS = NULL_MARKER;

    /**
     * Checks the flags.
     *
     * @throws IllegalArgumentException if {@code flags} holds a bit this version does not know
     */
    public Envelope {
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown envelope flags 0x" + Integer.toHexString(flags));
        }
    }

    /** An envelope of a value, without a write time. */
    public Envelope(String codecId, long computeMillis, long expiresAtMillis, byte[] payload, int flags) {
        this(codecId, computeMillis, expiresAtMillis, payload, flags, UNKNOWN_WRITE_TIME);
    }

    /** An envelope of a value, without flags or a write time. */
    public Envelope(String codecId, long computeMillis, long expiresAtMillis, byte[] payload) {
        this(codecId, computeMillis, expiresAtMillis, payload, 0);
    }

    /** Returns the envelope of a cached {@code null}: no payload, the {@link #NULL_MARKER} flag. */
    public static Envelope nullMarker(String codecId, long computeMillis, long expiresAtMillis, long writtenAtMillis) {
        return new Envelope(codecId, computeMillis, expiresAtMillis, new byte[0], NULL_MARKER, writtenAtMillis);
    }

    /** Returns whether this envelope stands for a cached {@code null}: its payload is no value to decode. */
    public boolean isNullMarker() {
        return (flags & NULL_MARKER) != 0;
    }

    public byte[] toBytes() {
        byte[] id = codecId.getBytes(StandardCharsets.UTF_8);
        if (id.length > 255) {
            throw new IllegalArgumentException("codec id longer than 255 bytes: " + codecId);
        }
        return ByteBuffer.allocate(2 + 1 + 1 + 1 + id.length + 8 + 8 + 8 + payload.length)
                .put(MAGIC_0)
                .put(MAGIC_1)
                .put(VERSION)
                .put((byte) flags)
                .put((byte) id.length)
                .put(id)
                .putLong(computeMillis)
                .putLong(expiresAtMillis)
                .putLong(writtenAtMillis)
                .put(payload)
                .array();
    }

    /**
     * Reads an envelope written for {@code expectedCodecId}, of this format version or an earlier one down to 1.
     *
     * @throws ForeignEnvelopeException if the bytes are an envelope of a newer format version, with a flag this version
     *     does not know, or of another codec
     * @throws IllegalArgumentException if the bytes are not an envelope, or one of a version older than 1, saying why
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
        if (version < 1) {
            throw new IllegalArgumentException(
                    "envelope version " + version + ", older than this process's " + VERSION);
        }
        int flags = 0;
        if (version >= FLAGS_SINCE) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("truncated envelope of " + bytes.length + " bytes");
            }
            flags = Byte.toUnsignedInt(in.get());
            if ((flags & ~KNOWN_FLAGS) != 0) {
                // A later feature's bit (compression, say) written by a newer process: not ours to decode or replace.
                throw new ForeignEnvelopeException(
                        "envelope flags 0x" + Integer.toHexString(flags) + " hold a bit this process does not know");
            }
        }
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("truncated envelope of " + bytes.length + " bytes");
        }
        int idLength = Byte.toUnsignedInt(in.get());
        int stamps = version >= WRITE_TIME_SINCE ? 24 : 16;
        if (in.remaining() < idLength + stamps) {
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
        long writtenAtMillis = version >= WRITE_TIME_SINCE ? in.getLong() : UNKNOWN_WRITE_TIME;
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new Envelope(codecId, computeMillis, expiresAtMillis, payload, flags, writtenAtMillis);
    }

    /**
     * A well-formed envelope this process must leave alone: of a newer format version, with a flag it does not know,
     * or written by another codec. During a rolling deploy each version of the application reads the other's values
     * so; if each deleted or replaced what it cannot read, two versions would undo each other's values in a loop.
     * Codec ids have no order (unlike format versions, where the newer one replaces the older), so a value of another
     * codec is left to expire.
     */
    public static final class ForeignEnvelopeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ForeignEnvelopeException(String message) {
            super(message);
        }
    }
}
