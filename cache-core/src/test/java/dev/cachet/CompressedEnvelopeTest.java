package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.internal.remote.DefaultKeyEncoder;
import dev.cachet.internal.remote.Envelope;
import dev.cachet.spi.CompressingCodec;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The envelope's compressed flag: set when a {@link CompressingCodec} compresses, decompressed within maxValueBytes on
 * read, and left alone by a process whose codec does not compress.
 */
@Timeout(30)
class CompressedEnvelopeTest {
    private static final int MAX_VALUE_BYTES = 1_000;

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
    private final String rawKey = DefaultKeyEncoder.encode("k");
    private final AtomicInteger loads = new AtomicInteger();

    /**
     * A toy compression: runs of one character as the character and a count, the uncompressed length first. It
     * records the limit each decompression was given.
     */
    static final class RunLengthCodec implements CompressingCodec<String> {
        final List<Integer> limits = new ArrayList<>();

        @Override
        public String id() {
            return Utf8Codec.INSTANCE.id();
        }

        @Override
        public byte[] encode(String value) {
            return Utf8Codec.INSTANCE.encode(value);
        }

        @Override
        public String decode(byte[] bytes) {
            return Utf8Codec.INSTANCE.decode(bytes);
        }

        @Override
        public byte @Nullable [] compress(byte[] encoded) {
            if (encoded.length < 100) {
                return null;
            }
            ByteBuffer out = ByteBuffer.allocate(4 + 5 * encoded.length).putInt(encoded.length);
            for (int i = 0; i < encoded.length; ) {
                int run = 1;
                while (i + run < encoded.length && encoded[i + run] == encoded[i]) {
                    run++;
                }
                out.put(encoded[i]).putInt(run);
                i += run;
            }
            byte[] compressed = new byte[out.position()];
            out.flip().get(compressed);
            return compressed;
        }

        @Override
        public synchronized byte[] decompress(byte[] compressed, int maxBytes) {
            limits.add(maxBytes);
            ByteBuffer in = ByteBuffer.wrap(compressed);
            int length = in.getInt();
            if (length > maxBytes) {
                throw new IllegalArgumentException("declares " + length + " bytes, more than " + maxBytes);
            }
            ByteBuffer out = ByteBuffer.allocate(length);
            while (in.hasRemaining()) {
                byte b = in.get();
                for (int run = in.getInt(); run > 0; run--) {
                    out.put(b);
                }
            }
            return out.array();
        }
    }

    private Cache<String, String> process(ValueCodec<String> codec) {
        return Cachet.builder("docs")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(
                        tier,
                        codec,
                        RemoteConfig.custom().maxValueBytes(MAX_VALUE_BYTES).build())
                .build();
    }

    private Envelope stored() {
        return Envelope.parse(tier.raw("docs", rawKey), Utf8Codec.INSTANCE.id());
    }

    @Test
    void aValueTheCodecCompressesIsStoredCompressedAndReadBack() {
        RunLengthCodec codec = new RunLengthCodec();
        Cache<String, String> writer = process(codec);
        String value = "a".repeat(500);

        writer.put("k", value);

        assertThat(stored().isCompressed()).isTrue();
        assertThat(stored().payload().length).isLessThan(20);
        assertThat(process(codec).getIfPresent("k")).isEqualTo(value);
        assertThat(codec.limits).containsOnly(MAX_VALUE_BYTES);
    }

    @Test
    void aValueTheCodecLeavesUncompressedHasNoFlagAndEveryProcessReadsIt() {
        process(new RunLengthCodec()).put("k", "short");

        assertThat(stored().isCompressed()).isFalse();
        assertThat(stored().payload()).isEqualTo("short".getBytes(StandardCharsets.UTF_8));
        assertThat(process(Utf8Codec.INSTANCE).getIfPresent("k")).isEqualTo("short");
    }

    @Test
    void aCompressingProcessReadsValuesWrittenWithoutCompression() {
        process(Utf8Codec.INSTANCE).put("k", "b".repeat(500));

        assertThat(process(new RunLengthCodec()).getIfPresent("k")).isEqualTo("b".repeat(500));
    }

    @Test
    void aProcessWithoutCompressionLeavesACompressedValueAlone() {
        process(new RunLengthCodec()).put("k", "c".repeat(500));
        byte[] before = tier.raw("docs", rawKey);
        Cache<String, String> plain = process(Utf8Codec.INSTANCE);

        String value = plain.get("k", key -> "loaded-" + loads.incrementAndGet());

        assertThat(value).isEqualTo("loaded-1");
        assertThat(tier.raw("docs", rawKey)).as("neither deleted nor replaced").isEqualTo(before);
        assertThat(plain.remoteStats().orElseThrow().decodeFailures()).isPositive();
        assertThat(process(new RunLengthCodec()).getIfPresent("k")).isEqualTo("c".repeat(500));
    }

    @Test
    void aValueThatWouldDecompressBeyondMaxValueBytesIsACountedMissAndReplaced() {
        RunLengthCodec codec = new RunLengthCodec();
        // 100,000 bytes of 'd' in 9 compressed bytes: a bomb that fits well within the read limit.
        byte[] bomb = new Envelope(
                        Utf8Codec.INSTANCE.id(),
                        1,
                        Long.MAX_VALUE,
                        ByteBuffer.allocate(9)
                                .putInt(100_000)
                                .put((byte) 'd')
                                .putInt(100_000)
                                .array(),
                        Envelope.COMPRESSED)
                .toBytes();
        tier.corrupt("docs", rawKey, bomb);
        Cache<String, String> cache = process(codec);

        String value = cache.get("k", key -> "loaded-" + loads.incrementAndGet());

        assertThat(value).isEqualTo("loaded-1");
        assertThat(cache.remoteStats().orElseThrow().decodeFailures()).isPositive();
        assertThat(codec.limits).contains(MAX_VALUE_BYTES);
        assertThat(stored().payload()).isEqualTo("loaded-1".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theUncompressedLengthCountsAgainstMaxValueBytesOnWrite() {
        Cache<String, String> cache = process(new RunLengthCodec());

        // 2,000 bytes compress to a dozen, but no reader would decompress more than maxValueBytes.
        assertThatThrownBy(() -> cache.put("k", "e".repeat(2_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000 bytes exceeds maxValueBytes 1000");

        assertThat(tier.raw("docs", rawKey)).isNull();
    }

    @Test
    void aCompressedValueServedStaleIsDecompressedBeforeItIsDecoded() {
        RunLengthCodec codec = new RunLengthCodec();
        Cache<String, String> cache = Cachet.builder("docs")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .staleIfError(Duration.ofMinutes(10))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(
                        tier,
                        codec,
                        RemoteConfig.custom()
                                .maxValueBytes(MAX_VALUE_BYTES)
                                .clock(clock.clock())
                                .build())
                .build();
        String value = "f".repeat(500);
        cache.put("k", value);
        assertThat(stored().isCompressed()).isTrue();
        clock.advance(Duration.ofMinutes(6)); // expired, within the grace

        String served = cache.get("k", key -> {
            throw new IllegalStateException("source down");
        });

        assertThat(served).as("the expired value, decompressed").isEqualTo(value);
        assertThat(cache.remoteStats().orElseThrow().staleServed()).isEqualTo(1);
    }
}
