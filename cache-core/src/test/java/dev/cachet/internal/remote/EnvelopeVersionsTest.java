package dev.cachet.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Envelope format version 3 (the write time) and the older versions it still reads. */
@Timeout(10)
class EnvelopeVersionsTest {
    private static final String CODEC = "utf8";
    private static final byte[] PAYLOAD = "value".getBytes(StandardCharsets.UTF_8);

    @Test
    void version3CarriesTheWriteTimeAfterTheExpiry() {
        byte[] bytes = new Envelope(CODEC, 7, 2_000, PAYLOAD, 0, 1_000).toBytes();

        assertThat(bytes[2]).as("version").isEqualTo((byte) 3);
        ByteBuffer in = ByteBuffer.wrap(bytes, 5 + CODEC.length(), 24);
        assertThat(in.getLong()).as("compute time").isEqualTo(7);
        assertThat(in.getLong()).as("expiry").isEqualTo(2_000);
        assertThat(in.getLong()).as("write time").isEqualTo(1_000);
        Envelope parsed = Envelope.parse(bytes, CODEC);
        assertThat(parsed.writtenAtMillis()).isEqualTo(1_000);
        assertThat(parsed.expiresAtMillis()).isEqualTo(2_000);
        assertThat(parsed.computeMillis()).isEqualTo(7);
        assertThat(parsed.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void aNullMarkerKeepsItsFlagAndWriteTime() {
        Envelope parsed =
                Envelope.parse(Envelope.nullMarker(CODEC, 0, 2_000, 1_500).toBytes(), CODEC);

        assertThat(parsed.isNullMarker()).isTrue();
        assertThat(parsed.writtenAtMillis()).isEqualTo(1_500);
        assertThat(parsed.payload()).isEmpty();
    }

    @Test
    void version2IsReadWithAnUnknownWriteTime() {
        byte[] id = CODEC.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = ByteBuffer.allocate(5 + id.length + 16 + PAYLOAD.length)
                .put((byte) 0xCA)
                .put((byte) 0x5E)
                .put((byte) 2)
                .put((byte) Envelope.NULL_MARKER)
                .put((byte) id.length)
                .put(id)
                .putLong(3)
                .putLong(9_000)
                .put(PAYLOAD)
                .array();

        Envelope parsed = Envelope.parse(bytes, CODEC);

        assertThat(parsed.writtenAtMillis()).isEqualTo(Envelope.UNKNOWN_WRITE_TIME);
        assertThat(parsed.expiresAtMillis()).isEqualTo(9_000);
        assertThat(parsed.isNullMarker()).isTrue();
        assertThat(parsed.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void version1IsReadWithoutFlagsOrWriteTime() {
        byte[] id = CODEC.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = ByteBuffer.allocate(4 + id.length + 16 + PAYLOAD.length)
                .put((byte) 0xCA)
                .put((byte) 0x5E)
                .put((byte) 1)
                .put((byte) id.length)
                .put(id)
                .putLong(3)
                .putLong(9_000)
                .put(PAYLOAD)
                .array();

        Envelope parsed = Envelope.parse(bytes, CODEC);

        assertThat(parsed.writtenAtMillis()).isEqualTo(Envelope.UNKNOWN_WRITE_TIME);
        assertThat(parsed.flags()).isZero();
        assertThat(parsed.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void aVersion3EnvelopeCutInsideItsStampsIsTruncated() {
        byte[] bytes = new Envelope(CODEC, 7, 2_000, new byte[0], 0, 1_000).toBytes();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 4);

        assertThatThrownBy(() -> Envelope.parse(cut, CODEC))
                .isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(Envelope.ForeignEnvelopeException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void aNewerVersionIsLeftAlone() {
        byte[] bytes = new Envelope(CODEC, 7, 2_000, PAYLOAD, 0, 1_000).toBytes();
        bytes[2] = 4;

        assertThatThrownBy(() -> Envelope.parse(bytes, CODEC))
                .isInstanceOf(Envelope.ForeignEnvelopeException.class)
                .hasMessage("envelope version 4, newer than this process's 3");
    }
}
