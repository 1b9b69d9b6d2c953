package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.spi.CompressingCodec;
import dev.cachet.spi.ValueCodec;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.jspecify.annotations.Nullable;

/**
 * {@link Codec#compressed}: another codec's bytes, LZ4-compressed from a threshold on. The compressed form is the
 * uncompressed length (4 bytes, big-endian) then one LZ4 block; the length is checked against the caller's bound
 * before anything is allocated, and the block is decompressed into exactly that many bytes by the bounds-checking
 * ("safe") decompressor, so a forged length or block fails instead of reading or allocating past it.
 *
 * @param <V> the type of values
 */
final class Lz4Codec<V> implements Codec<V>, CompressingCodec<V> {
    /** The default threshold: below about 1 KiB LZ4 saves little, and a value costs a Redis round trip anyway. */
    static final int DEFAULT_THRESHOLD_BYTES = 1024;

    private static final int LENGTH_PREFIX = Integer.BYTES;
    // The pure-Java implementations: no native library is unpacked to a temporary directory and loaded.
    private static final LZ4Compressor COMPRESSOR =
            LZ4Factory.fastestJavaInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR =
            LZ4Factory.fastestJavaInstance().safeDecompressor();

    private final ValueCodec<V> codec;
    private final int thresholdBytes;

    private Lz4Codec(ValueCodec<V> codec, int thresholdBytes) {
        this.codec = codec;
        this.thresholdBytes = thresholdBytes;
    }

    static <V> Lz4Codec<V> of(ValueCodec<V> codec, int thresholdBytes) {
        requireNonNull(codec, "codec");
        if (codec instanceof CompressingCodec) {
            throw new IllegalArgumentException("codec " + codec + " compresses already; compress it once");
        }
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("thresholdBytes must not be negative, was " + thresholdBytes);
        }
        return new Lz4Codec<>(codec, thresholdBytes);
    }

    /** The id of the uncompressed format: the envelope's compressed flag tells compressed values apart. */
    @Override
    public String id() {
        return codec.id();
    }

    @Override
    public byte[] encode(V value) {
        return codec.encode(value);
    }

    @Override
    public V decode(byte[] bytes) {
        return codec.decode(bytes);
    }

    @Override
    public byte @Nullable [] compress(byte[] encoded) {
        requireNonNull(encoded, "encoded");
        if (encoded.length < thresholdBytes || encoded.length == 0) {
            return null;
        }
        int bound = COMPRESSOR.maxCompressedLength(encoded.length);
        byte[] out = new byte[LENGTH_PREFIX + bound];
        ByteBuffer.wrap(out).putInt(encoded.length);
        int length = COMPRESSOR.compress(encoded, 0, encoded.length, out, LENGTH_PREFIX, bound);
        if (LENGTH_PREFIX + length >= encoded.length) {
            return null; // incompressible (already compressed, random): stored as it is
        }
        byte[] compressed = new byte[LENGTH_PREFIX + length];
        System.arraycopy(out, 0, compressed, 0, compressed.length);
        return compressed;
    }

    @Override
    public byte[] decompress(byte[] compressed, int maxBytes) {
        requireNonNull(compressed, "compressed");
        if (compressed.length <= LENGTH_PREFIX) {
            throw new IllegalArgumentException(
                    "compressed value of " + compressed.length + " bytes has no LZ4 block after its length");
        }
        int length = ByteBuffer.wrap(compressed).getInt();
        if (length <= 0 || length > maxBytes) {
            // Refused before allocating: a five-byte value may declare two gigabytes.
            throw new IllegalArgumentException("compressed value declares " + Integer.toUnsignedString(length)
                    + " bytes uncompressed, outside 1.." + maxBytes + " (maxValueBytes)");
        }
        byte[] out = new byte[length];
        int written;
        try {
            written = DECOMPRESSOR.decompress(
                    compressed, LENGTH_PREFIX, compressed.length - LENGTH_PREFIX, out, 0, length);
        } catch (LZ4Exception e) {
            throw new IllegalArgumentException(
                    "not an LZ4 block of " + length + " bytes (" + compressed.length + " compressed): "
                            + e.getMessage(),
                    e);
        }
        if (written != length) {
            throw new IllegalArgumentException(
                    "LZ4 block decompressed to " + written + " bytes, its length says " + length);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Codec.compressed(" + codec + ", " + thresholdBytes + ")";
    }
}
