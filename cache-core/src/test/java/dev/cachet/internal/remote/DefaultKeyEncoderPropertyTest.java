package dev.cachet.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.PropertyTimeout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The default key encoder is injective across types: two keys get the same string exactly when they are equal. Keys
 * are drawn to look alike: the string {@code "1"}, the integer {@code 1}, the long {@code 1L}, {@code 1.0} and {@code
 * 1.00}, {@code 0.0} and {@code -0.0}, NaN, two enums' {@code RED}, and strings that spell another type's encoding
 * ({@code "i:1"}, {@code "e:...:RED"}).
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
}
