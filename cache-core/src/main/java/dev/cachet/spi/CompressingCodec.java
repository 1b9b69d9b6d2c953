package dev.cachet.spi;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ValueCodec} that may compress what it encodes. Cachet encodes a value with {@link #encode}, then asks
 * {@link #compress} whether to store it compressed; a compressed payload is marked as such in the stored value's
 * envelope, and {@link #decompress} restores it before {@link #decode}. So one cache may hold small values as they are
 * and large ones compressed, and a process without compression reads the former and leaves the latter alone (as it
 * does a value of another codec).
 *
 * <p>The {@link #id() id} is that of the uncompressed format: turning compression on keeps existing values readable.
 * The compressed format is this codec's own: every process that shares a cache must decompress what the others
 * compress.
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <V> the type of values
 */
public interface CompressingCodec<V> extends ValueCodec<V> {

    /**
     * Returns the compressed form of {@code encoded} (bytes {@link #encode} produced), or {@code null} when they are
     * better stored as they are: too short to gain, or not smaller once compressed.
     */
    byte @Nullable [] compress(byte[] encoded);

    /**
     * Restores bytes {@link #compress} produced, refusing any whose uncompressed form would exceed {@code maxBytes}
     * before allocating room for it: the bytes may come from an attacker (a compression bomb).
     *
     * @throws IllegalArgumentException if the bytes are not of this codec's compressed format, or would decompress to
     *     more than {@code maxBytes}
     */
    byte[] decompress(byte[] compressed, int maxBytes);
}
