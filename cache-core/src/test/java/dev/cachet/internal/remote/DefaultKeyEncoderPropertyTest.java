package dev.cachet.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.PropertyTimeout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;

/**
 * The default key encoder is injective across types: two keys get the same string exactly when they are equal. Keys
 * are drawn to look alike: the string {@code "1"}, the integer {@code 1}, the long {@code 1L}, {@code 1.0} and {@code
 * 1.00}, {@code 0.0} and {@code -0.0}, NaN, two enums' {@code RED}, and strings that spell another type's encoding
 * ({@code "i:1"}, {@code "e:...:RED"}). Decoding inverts encoding: every key's string decodes to an equal key of its
 * class, and a string decodes to a key only if that key encodes to the very string.
 */
@PropertyTimeout(seconds = 60)
class DefaultKeyEncoderPropertyTest {
    private static final int TRIES = 1_000;

    @Provide
    Arbitrary<Object> keys() {
        return Arbitraries.oneOf(List.of(
                Arbitraries.of(
                                "1",
                                "-1",
                                "0",
                                "-0",
                                "0.5",
                                "1.0",
                                "NaN",
                                "true",
                                "x",
                                "RED",
                                "i:1",
                                "s:1",
                                "l:1",
                                "e:" + Colour.class.getName() + ":RED",
                                "",
                                ":",
                                "{",
                                "\0",
                                "\uD800")
                        .map(Object.class::cast),
                Arbitraries.strings().all().ofMaxLength(4).map(Object.class::cast),
                Arbitraries.integers().between(-2, 2).map(Object.class::cast),
                Arbitraries.longs().between(-2, 2).map(Object.class::cast),
                Arbitraries.shorts().between((short) -2, (short) 2).map(Object.class::cast),
                Arbitraries.bytes().between((byte) -2, (byte) 2).map(Object.class::cast),
                Arbitraries.of(0.0, -0.0, 0.5, 1.0, 0.1, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE)
                        .map(Object.class::cast),
                Arbitraries.of(0.0f, -0.0f, 0.5f, 1.0f, 0.1f, Float.NaN, Float.NEGATIVE_INFINITY)
                        .map(Object.class::cast),
                Arbitraries.of(new BigDecimal("1"), new BigDecimal("1.0"), new BigDecimal("1.00"), new BigDecimal("-0"))
                        .map(Object.class::cast),
                Arbitraries.of(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(-1))
                        .map(Object.class::cast),
                Arbitraries.of('1', 'x', '{', '\0', '\uD800').map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.of(new UUID(0, 0), new UUID(0, 1), new UUID(1, 0)).map(Object.class::cast),
                Arbitraries.of(Colour.values()).map(Object.class::cast),
                Arbitraries.of(Shade.values()).map(Object.class::cast)));
    }

    /** One of two enum types with a constant of the same name. */
    enum Colour {
        RED,
        GREEN
    }

    /** The other. */
    enum Shade {
        RED
    }

    @Property(tries = TRIES)
    void twoKeysShareAStringExactlyWhenTheyAreEqual(@ForAll("keys") Object a, @ForAll("keys") Object b) {
        assertThat(DefaultKeyEncoder.encode(a).equals(DefaultKeyEncoder.encode(b)))
                .as(
                        "%s %s and %s %s",
                        a.getClass().getSimpleName(), a, b.getClass().getSimpleName(), b)
                .isEqualTo(a.equals(b));
    }

    /** Every key of every type, drawn over the whole range of each: any double's and float's bits, any scale. */
    @Provide
    Arbitrary<Object> anyKey() {
        return Arbitraries.oneOf(List.of(
                keys(),
                Arbitraries.strings().all().ofMaxLength(8).map(Object.class::cast),
                Arbitraries.integers().map(Object.class::cast),
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.shorts().map(Object.class::cast),
                Arbitraries.bytes().map(Object.class::cast),
                Arbitraries.longs().map(Double::longBitsToDouble).map(Object.class::cast),
                Arbitraries.integers().map(Float::intBitsToFloat).map(Object.class::cast),
                Arbitraries.bigIntegers().map(Object.class::cast),
                Arbitraries.bigIntegers()
                        .flatMap(unscaled ->
                                Arbitraries.integers().between(-400, 400).map(scale -> new BigDecimal(unscaled, scale)))
                        .map(Object.class::cast),
                Arbitraries.chars().all().map(Object.class::cast),
                Arbitraries.longs()
                        .tuple2()
                        .map(bits -> new UUID(bits.get1(), bits.get2()))
                        .map(Object.class::cast)));
    }

    /** The caller knows both enums of these tests, as a near cache knows the classes it encoded constants of. */
    private static final Function<String, @Nullable Class<?>> KNOWN_ENUMS = name -> name.equals(Colour.class.getName())
            ? Colour.class
            : name.equals(Shade.class.getName()) ? Shade.class : null;

    @Property(tries = TRIES)
    void everyKeyDecodesToAnEqualKeyOfItsClass(@ForAll("anyKey") Object key) {
        Object decoded = DefaultKeyEncoder.decode(DefaultKeyEncoder.encode(key), KNOWN_ENUMS);
        assertThat(decoded).as("%s %s", key.getClass().getSimpleName(), key).isEqualTo(key);
        assertThat(decoded.getClass()).isEqualTo(key.getClass());
    }

    /** Strings that look like encodings: a tag, a colon, and text that may spell any type's value, or not quite. */
    @Provide
    Arbitrary<String> encodingLike() {
        Arbitrary<String> tags =
                Arbitraries.of("s", "i", "l", "sh", "by", "d", "f", "bi", "bd", "b", "c", "u", "e", "x");
        Arbitrary<String> values = Arbitraries.oneOf(List.of(
                Arbitraries.strings().withChars("0123456789+-.eEINaf").ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(4),
                anyKey().map(key -> DefaultKeyEncoder.encode(key)
                        .substring(DefaultKeyEncoder.encode(key).indexOf(':') + 1)),
                Arbitraries.of(Colour.class.getName() + ":RED", Colour.class.getName() + ":BLUE", "true", "-0")));
        return Arbitraries.oneOf(List.of(
                tags.flatMap(tag -> values.map(value -> tag + ":" + value)),
                Arbitraries.strings().all().ofMaxLength(6)));
    }

    @Property(tries = TRIES)
    void aStringDecodesOnlyToAKeyThatEncodesToIt(@ForAll("encodingLike") String encoded) {
        Object decoded = DefaultKeyEncoder.decode(encoded, KNOWN_ENUMS);
        if (decoded != null) {
            assertThat(DefaultKeyEncoder.encode(decoded)).isEqualTo(encoded);
        }
    }
}
