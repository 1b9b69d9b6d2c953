package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simple codecs; JSON and Java serialisation have their own tests. */
class CodecTest {

    @Test
    void idsAreShortAndStable() {
        assertThat(Codec.string().id()).isEqualTo("str");
        assertThat(Codec.bytes().id()).isEqualTo("bytes");
        assertThat(Codec.longs().id()).isEqualTo("i64");
        assertThat(Codec.integers().id()).isEqualTo("i32");
        assertThat(Codec.doubles().id()).isEqualTo("f64");
        assertThat(Codec.json(String.class).id()).isEqualTo("json");
        assertThat(Codec.javaSerialization(String.class, info -> java.io.ObjectInputFilter.Status.REJECTED)
                        .id())
                .isEqualTo("jser");
    }

    @Test
    void stringsRoundTripAsUtf8() {
        for (String value : List.of("", "plain", "ünïcödé", "emoji \uD83D\uDE00", "nul\0byte", "{}%:*")) {
            byte[] bytes = Codec.string().encode(value);
            assertThat(bytes).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
            assertThat(Codec.string().decode(bytes)).isEqualTo(value);
        }
    }

    @Test
    void stringsRejectMalformedUtf8AndUnpairedSurrogates() {
        for (byte[] garbage : List.of(bytes(0xFF), bytes(0xC3, 0x28), bytes(0xE2, 0x82), bytes(0xED, 0xA0, 0x80))) {
            assertThatThrownBy(() -> Codec.string().decode(garbage))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("UTF-8");
        }
        assertThatThrownBy(() -> Codec.string().encode("bad \uD800 surrogate"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesAreCopiedBothWays() {
        byte[] value = {1, 2, 3};
        byte[] encoded = Codec.bytes().encode(value);
        value[0] = 9;
        assertThat(encoded).containsExactly(1, 2, 3);

        byte[] decoded = Codec.bytes().decode(encoded);
        encoded[1] = 9;
        assertThat(decoded).containsExactly(1, 2, 3);
    }

    @Test
    void longsRoundTripAsDecimalText() {
        for (long value : new long[] {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE}) {
            byte[] bytes = Codec.longs().encode(value);
            assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo(Long.toString(value));
            assertThat(Codec.longs().decode(bytes)).isEqualTo(value);
        }
    }

    @Test
    void longsRejectAnythingButCanonicalText() {
        for (String garbage : List.of("", "abc", "+1", "01", "-0", " 1", "1 ", "1.0", "9223372036854775808", "0x10")) {
            assertThatThrownBy(() -> Codec.longs().decode(garbage.getBytes(StandardCharsets.US_ASCII)))
                    .as("'%s'", garbage)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("i64");
        }
        assertThatThrownBy(() -> Codec.longs().decode(bytes(0, 0, 0, 0, 0, 0, 0, 42)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Codec.longs().decode(bytes(0xD9, 0xA1))) // Arabic-Indic digit one
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Codec.longs().decode(new byte[1000])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void integersRoundTripAndRejectOverflow() {
        for (int value : new int[] {0, -7, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThat(Codec.integers().decode(Codec.integers().encode(value))).isEqualTo(value);
        }
        assertThatThrownBy(() -> Codec.integers().decode("2147483648".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("i32");
    }

    @Test
    void doublesRoundTripExactly() {
        double[] values = {
            0.0,
            -0.0,
            0.1,
            -1.5,
            Math.PI,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            1e-300,
            123456789.12345679
        };
        for (double value : values) {
            Double decoded = Codec.doubles().decode(Codec.doubles().encode(value));
            assertThat(Double.doubleToRawLongBits(decoded)).isEqualTo(Double.doubleToRawLongBits(value));
        }
        assertThat(new String(Codec.doubles().encode(1.5), StandardCharsets.US_ASCII))
                .isEqualTo("1.5");
    }

    @Test
    void doublesRejectNonCanonicalText() {
        for (String garbage : List.of("", "1.5d", "1.5f", " 1.5", "1.50", "1", "0x1p3", "nan", "Infinityx", "abc")) {
            assertThatThrownBy(() -> Codec.doubles().decode(garbage.getBytes(StandardCharsets.US_ASCII)))
                    .as("'%s'", garbage)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("f64");
        }
    }

    @Test
    void nullsAreRefusedNamingTheArgument() {
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.string().encode(null))
                .withMessage("value");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.string().decode(null))
                .withMessage("bytes");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.longs().encode(null))
                .withMessage("value");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.bytes().decode(null))
                .withMessage("bytes");
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
