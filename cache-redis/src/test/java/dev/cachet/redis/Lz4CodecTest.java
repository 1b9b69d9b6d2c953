package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cachet.spi.CompressingCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Codec#compressed}: LZ4 from a threshold on, decompression bounded by the caller's limit. */
@Timeout(30)
class Lz4CodecTest {
    record Quote(String symbol, long priceCents, String venue) {}

    private static final List<Quote> BOOK = IntStream.range(0, 100)
            .mapToObj(i -> new Quote("SYM" + i, 10_000L + i, i % 2 == 0 ? "NASDAQ" : "NYSE"))
            .toList();

    private static CompressingCodec<String> strings(int threshold) {
        return (CompressingCodec<String>) Codec.compressed(Codec.string(), threshold);
    }

    @Test
    void aLargeValueIsCompressedAndRestored() {
        Codec<List<Quote>> json = Codec.json(new TypeReference<List<Quote>>() {});
        CompressingCodec<List<Quote>> codec = (CompressingCodec<List<Quote>>) Codec.compressed(json);
        byte[] encoded = codec.encode(BOOK);

        byte[] compressed = codec.compress(encoded);

        assertThat(compressed).isNotNull();
        assertThat(compressed.length).isLessThan(encoded.length / 2);
        assertThat(ByteBuffer.wrap(compressed).getInt()).as("length prefix").isEqualTo(encoded.length);
        assertThat(codec.decompress(compressed, encoded.length)).isEqualTo(encoded);
        assertThat(codec.decode(codec.decompress(compressed, 1 << 20))).isEqualTo(BOOK);
    }

    @Test
    void theIdIsTheUncompressedCodecsSoExistingValuesStayReadable() {
        assertThat(Codec.compressed(Codec.string()).id()).isEqualTo("str");
        assertThat(Codec.compressed(Codec.json(new TypeReference<List<Quote>>() {}))
                        .id())
                .isEqualTo("json:java.util.List<" + Quote.class.getName() + ">");
        assertThat(Codec.compressed(Codec.string()).decode(utf8("plain"))).isEqualTo("plain");
    }

    @Test
    void valuesBelowTheThresholdStayAsTheyAre() {
        assertThat(strings(1024).compress(utf8("x".repeat(1023)))).isNull();
        assertThat(strings(1024).compress(utf8("x".repeat(1024)))).isNotNull();
        assertThat(strings(0).compress(new byte[0])).isNull();
        assertThat(((CompressingCodec<String>) Codec.compressed(Codec.string())).compress(utf8("x".repeat(1000))))
                .as("default threshold 1 KiB")
                .isNull();
    }

    @Test
    void incompressibleValuesStayAsTheyAre() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);

        assertThat(((CompressingCodec<byte[]>) Codec.compressed(Codec.bytes(), 0)).compress(random))
                .isNull();
    }

    @Test
    void aHugeDeclaredLengthIsRefusedBeforeAnythingIsAllocated() {
        byte[] bomb =
                ByteBuffer.allocate(5).putInt(Integer.MAX_VALUE).put((byte) 0).array();

        assertThatThrownBy(() -> strings(0).decompress(bomb, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2147483647")
                .hasMessageContaining("1048576");
        byte[] negative = ByteBuffer.allocate(5).putInt(-1).put((byte) 0).array();
        assertThatThrownBy(() -> strings(0).decompress(negative, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRealPayloadThatDecompressesBeyondTheLimitIsRefused() {
        byte[] tenMegabytes = new byte[10 << 20];
        Arrays.fill(tenMegabytes, (byte) 'x');
        byte[] compressed = strings(0).compress(tenMegabytes);
        assertThat(compressed).isNotNull();
        assertThat(compressed.length).isLessThan(64 << 10);

        assertThatThrownBy(() -> strings(0).decompress(compressed, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxValueBytes");
    }

    @Test
    void aBlockThatExpandsBeyondItsDeclaredLengthIsRefused() {
        byte[] big = utf8("y".repeat(100_000));
        byte[] block = LZ4Factory.fastestJavaInstance().fastCompressor().compress(big);
        // Declares 1,000 bytes, within the limit, but the block holds 100,000.
        byte[] lying =
                ByteBuffer.allocate(4 + block.length).putInt(1_000).put(block).array();

        assertThatThrownBy(() -> strings(0).decompress(lying, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LZ4");
    }

    @Test
    void aBlockShorterThanItsDeclaredLengthIsRefused() {
        byte[] block = LZ4Factory.fastestJavaInstance().fastCompressor().compress(utf8("z".repeat(2_000)));
        byte[] lying =
                ByteBuffer.allocate(4 + block.length).putInt(3_000).put(block).array();

        assertThatThrownBy(() -> strings(0).decompress(lying, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void garbageIsRefused() {
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        ByteBuffer.wrap(garbage).putInt(500);

        assertThatThrownBy(() -> strings(0).decompress(garbage, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> strings(0).decompress(new byte[4], 1 << 20))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> strings(0).decompress(new byte[0], 1 << 20))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsAreCheckedWhereTheyAreGiven() {
        assertThatThrownBy(() -> Codec.compressed(Codec.string(), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thresholdBytes")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> Codec.compressed(Codec.compressed(Codec.string())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compresses already");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.compressed(null))
                .withMessage("codec");
        assertThat(Codec.compressed(Codec.string(), 10)).hasToString("Codec.compressed(" + Codec.string() + ", 10)");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
