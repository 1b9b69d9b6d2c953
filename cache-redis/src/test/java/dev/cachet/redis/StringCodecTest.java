package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Codec#string()}: strict UTF-8 both ways. Its fast paths (the JDK's lenient String constructor and {@code
 * getBytes}) must agree with the strict JDK coders on every input: the same text, or the same rejection.
 */
@Timeout(30)
class StringCodecTest {
    private static final Codec<String> CODEC = Codec.string();

    @Test
    void textOfEveryWidthRoundTrips() {
        for (String text : List.of("", "plain ascii", "café", "日本語", "emoji 😀 pair", "\uFFFD itself", "\u0000nul")) {
            byte[] encoded = CODEC.encode(text);
            assertThat(encoded).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
            assertThat(CODEC.decode(encoded)).as(text).isEqualTo(text);
        }
    }

    @Test
    void malformedUtf8IsRejectedNeverReplaced() {
        for (String hex : List.of("ff", "c3", "e6 97", "c0 80", "ed a0 80", "f4 90 80 80", "61 80 62", "ef bf bd ff")) {
            byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
            assertThatThrownBy(() -> CODEC.decode(bytes))
                    .as(hex)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bytes are not valid UTF-8");
        }
    }

    @Test
    void anUnpairedSurrogateIsRejectedNeverReplaced() {
        for (String text : List.of("\uD800", "a\uDC00b", "\uDE00\uD83D")) {
            assertThatThrownBy(() -> CODEC.encode(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("string is not valid UTF-16");
        }
    }

    @Test
    void randomBytesDecodeExactlyAsTheStrictDecoderDoes() {
        SplittableRandom random = new SplittableRandom(20261203);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(12)];
            for (int j = 0; j < bytes.length; j++) {
                // Mostly bytes that start or continue multi-byte sequences, so that malformed and valid both occur.
                bytes[j] = (byte) (random.nextInt(4) == 0 ? random.nextInt(0x80) : 0x80 + random.nextInt(0x80));
            }
            String expected = strictlyDecoded(bytes);
            if (expected == null) {
                rejected++;
                assertThatThrownBy(() -> CODEC.decode(bytes))
                        .as(HexFormat.of().formatHex(bytes))
                        .isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(CODEC.decode(bytes))
                        .as(HexFormat.of().formatHex(bytes))
                        .isEqualTo(expected);
            }
        }
        assertThat(rejected).as("both kinds were tried").isBetween(1_000, 19_000);
    }

    @Test
    void randomStringsEncodeExactlyAsTheStrictEncoderDoes() {
        SplittableRandom random = new SplittableRandom(20261204);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            char[] chars = new char[random.nextInt(8)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = switch (random.nextInt(4)) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> (char) (0xD800 + random.nextInt(0x800)); // a surrogate, paired or not
                    default -> (char) random.nextInt(0x10000);
                };
            }
            String text = new String(chars);
            byte[] expected = strictlyEncoded(text);
            if (expected == null) {
                rejected++;
                assertThatThrownBy(() -> CODEC.encode(text)).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(CODEC.encode(text)).isEqualTo(expected);
            }
        }
        assertThat(rejected).as("both kinds were tried").isBetween(1_000, 19_000);
    }

    private static String strictlyDecoded(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] strictlyEncoded(String text) {
        try {
            ByteBuffer buffer = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
