package dev.cachet.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.internal.remote.MixedKeys.Alert;
import dev.cachet.internal.remote.MixedKeys.Colour;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class DefaultKeyEncoderTest {
    private static final long SEED = 42_2026L;

    @Test
    void documentedForms() {
        assertThat(DefaultKeyEncoder.encode("AAPL")).isEqualTo("s:AAPL");
        assertThat(DefaultKeyEncoder.encode(42)).isEqualTo("i:42");
        assertThat(DefaultKeyEncoder.encode(42L)).isEqualTo("l:42");
        assertThat(DefaultKeyEncoder.encode((short) 42)).isEqualTo("sh:42");
        assertThat(DefaultKeyEncoder.encode((byte) -42)).isEqualTo("by:-42");
        assertThat(DefaultKeyEncoder.encode(BigInteger.valueOf(42))).isEqualTo("bi:42");
        assertThat(DefaultKeyEncoder.encode(new BigDecimal("1.50"))).isEqualTo("bd:1.50");
        assertThat(DefaultKeyEncoder.encode(new BigDecimal("1E+3"))).isEqualTo("bd:1E+3");
        assertThat(DefaultKeyEncoder.encode(0.5)).isEqualTo("d:0.5");
        assertThat(DefaultKeyEncoder.encode(42.0)).isEqualTo("d:42");
        assertThat(DefaultKeyEncoder.encode(0.1))
                .isEqualTo("d:0.1000000000000000055511151231257827021181583404541015625");
        assertThat(DefaultKeyEncoder.encode(0.5f)).isEqualTo("f:0.5");
        assertThat(DefaultKeyEncoder.encode(true)).isEqualTo("b:true");
        assertThat(DefaultKeyEncoder.encode('x')).isEqualTo("c:x");
        assertThat(DefaultKeyEncoder.encode(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")))
                .isEqualTo("u:123e4567-e89b-12d3-a456-426614174000");
        assertThat(DefaultKeyEncoder.encode(Colour.RED)).isEqualTo("e:dev.cachet.internal.remote.MixedKeys$Colour:RED");
    }

    @Test
    void specialFloatingPointValuesAreKeysOfTheirOwn() {
        assertThat(DefaultKeyEncoder.encode(0.0)).isEqualTo("d:0");
        assertThat(DefaultKeyEncoder.encode(-0.0)).isEqualTo("d:-0");
        assertThat(DefaultKeyEncoder.encode(-0.0f)).isEqualTo("f:-0");
        assertThat(DefaultKeyEncoder.encode(Double.NaN)).isEqualTo("d:NaN");
        // Double.equals holds every NaN equal, so they are one key.
        assertThat(DefaultKeyEncoder.encode(Double.longBitsToDouble(0x7ff8_0000_0000_0001L)))
                .isEqualTo("d:NaN");
        assertThat(DefaultKeyEncoder.encode(Double.POSITIVE_INFINITY)).isEqualTo("d:Infinity");
        assertThat(DefaultKeyEncoder.encode(Float.NEGATIVE_INFINITY)).isEqualTo("f:-Infinity");
    }

    /** An enum whose constants override toString, as many do: the encoder must not rely on it. */
    enum Shouting {
        A {
            @Override
            public String toString() {
                return "same";
            }
        },
        B {
            @Override
            public String toString() {
                return "same";
            }
        }
    }

    @Test
    void enumsAreEncodedByDeclaringClassAndNameNeverByToString() {
        assertThat(DefaultKeyEncoder.encode(Shouting.A))
                .isEqualTo("e:" + Shouting.class.getName() + ":A")
                .isNotEqualTo(DefaultKeyEncoder.encode(Shouting.B));
        assertThat(DefaultKeyEncoder.encode(Colour.RED)).isNotEqualTo(DefaultKeyEncoder.encode(Alert.RED));
    }

    /** A subclass that prints like another number. */
    @SuppressWarnings("serial")
    static final class LookAlike extends BigInteger {
        LookAlike() {
            super("7");
        }

        @Override
        public String toString() {
            return "8";
        }
    }

    record Composite(String a, int b) {}

    @Test
    void typesWithoutAnInjectiveStringFormAreRefusedNamingTheSetting() {
        for (Object key : List.of(new AtomicLong(1), new LookAlike(), new Composite("a", 1), List.of("a"))) {
            assertThatThrownBy(() -> DefaultKeyEncoder.encode(key))
                    .as("%s", key.getClass())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("keys of type " + key.getClass().getName() + " have no default string form for the"
                            + " remote tier: set RemoteConfig.custom().keyEncoder(...)");
        }
    }

    /** Property-style: among many distinct keys of mixed types, no two share an encoding. */
    @Test
    void distinctKeysHaveDistinctEncodings() {
        Random random = new Random(SEED);
        List<Object> keys = MixedKeys.distinct(random, 20_000);
        for (int i = 0; i < 20_000; i++) {
            keys.add(Double.longBitsToDouble(random.nextLong()));
            keys.add(Float.intBitsToFloat(random.nextInt()));
            keys.add(random.nextLong());
            keys.add(BigDecimal.valueOf(random.nextInt(2_000) - 1_000, random.nextInt(7) - 3));
            keys.add(fullUnicodeString(random));
        }
        Map<String, Object> owners = new HashMap<>();
        for (Object key : keys) {
            String encoded = DefaultKeyEncoder.encode(key);
            Object previous = owners.putIfAbsent(encoded, key);
            if (previous != null) {
                assertThat(previous)
                        .as(
                                "seed %d: %s %s and %s %s both encode to %s",
                                SEED, previous.getClass(), previous, key.getClass(), key, encoded)
                        .isEqualTo(key);
            }
        }
        assertThat(owners.size()).as("seed %d: distinct encodings", SEED).isGreaterThan(100_000);
    }

    private static String fullUnicodeString(Random random) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(4);
        for (int i = 0; i < length; i++) {
            out.append((char) random.nextInt(Character.MAX_VALUE + 1)); // lone surrogates included
        }
        return out.toString();
    }

    /** Knows the enum classes of the tests' keys, as a near cache knows those it encoded constants of. */
    private static final Function<String, @Nullable Class<?>> KNOWN_ENUMS = name -> {
        for (Class<?> type : List.of(Colour.class, Alert.class, Shouting.class)) {
            if (type.getName().equals(name)) {
                return type;
            }
        }
        return null;
    };

    private static void assertRoundTrip(Object key) {
        String encoded = DefaultKeyEncoder.encode(key);
        Object decoded = DefaultKeyEncoder.decode(encoded, KNOWN_ENUMS);
        assertThat(decoded)
                .as("%s %s, encoded %s", key.getClass(), key, encoded)
                .isEqualTo(key);
        assertThat(decoded.getClass()).as("%s, encoded %s", key, encoded).isEqualTo(key.getClass());
    }

    @Test
    void decodeInvertsEncodeForEveryTypeAndItsEdges() {
        List<Object> keys = List.of(
                "",
                "AAPL",
                ":",
                "s:",
                "i:1",
                "e:" + Colour.class.getName() + ":RED",
                "\uD800", // a lone high surrogate
                "\uDC00x\uD83D\uDE00", // a lone low surrogate, then a pair
                "\0\n",
                Integer.MIN_VALUE,
                Integer.MAX_VALUE,
                0,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                Short.MIN_VALUE,
                Short.MAX_VALUE,
                Byte.MIN_VALUE,
                Byte.MAX_VALUE,
                BigInteger.ZERO,
                BigInteger.ONE.shiftLeft(200).negate(),
                new BigDecimal("1.50"),
                new BigDecimal("1.5"),
                new BigDecimal("1E+3"),
                new BigDecimal("-0"),
                new BigDecimal("0E-10"),
                new BigDecimal("0E+10"),
                new BigDecimal("1E-10"),
                new BigDecimal("-123456789012345678901234567890.000"),
                0.0,
                -0.0,
                0.1,
                -0.5,
                Double.NaN,
                Double.longBitsToDouble(0x7ff8_0000_0000_0001L), // another NaN: equal to Double.NaN
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE,
                Double.MIN_NORMAL,
                Double.MAX_VALUE,
                -Double.MAX_VALUE,
                0.0f,
                -0.0f,
                0.1f,
                Float.NaN,
                Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE,
                Float.MAX_VALUE,
                true,
                false,
                'x',
                ':',
                '\0',
                '\uD800',
                '\uDFFF',
                '\uFFFF',
                new UUID(0, 0),
                new UUID(-1, -1),
                UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                Colour.RED,
                Alert.RED,
                Alert.GREEN,
                Shouting.A, // a constant with a body of its own: its class is a subclass of the enum
                Shouting.B);
        keys.forEach(DefaultKeyEncoderTest::assertRoundTrip);
    }

    /** Property-style, over the keys of {@link #distinctKeysHaveDistinctEncodings}: every one decodes to itself. */
    @Test
    void decodeInvertsEncodeForManyKeys() {
        Random random = new Random(SEED);
        for (Object key : MixedKeys.distinct(random, 20_000)) {
            assertRoundTrip(key);
        }
        // Fewer of these: a random double's exact decimal runs to hundreds of digits, each written and parsed.
        for (int i = 0; i < 4_000; i++) {
            assertRoundTrip(Double.longBitsToDouble(random.nextLong()));
            assertRoundTrip(Float.intBitsToFloat(random.nextInt()));
            assertRoundTrip(random.nextLong());
            assertRoundTrip(new BigDecimal(new BigInteger(80, random), random.nextInt(41) - 20));
            assertRoundTrip(new UUID(random.nextLong(), random.nextLong()));
            assertRoundTrip((char) random.nextInt(Character.MAX_VALUE + 1));
            assertRoundTrip(fullUnicodeString(random));
        }
    }

    @Test
    void anEnumConstantDecodesOnlyWithItsClassKnownAndNeverLoadsOne() {
        String red = DefaultKeyEncoder.encode(Colour.RED);
        assertThat(DefaultKeyEncoder.decode(red, name -> null))
                .as("a class the caller never encoded")
                .isNull();
        assertThat(DefaultKeyEncoder.decode(red, name -> String.class))
                .as("a class that is no enum")
                .isNull();
        assertThat(DefaultKeyEncoder.decode(red, name -> Alert.class))
                .as("another enum's RED encodes otherwise")
                .isNull();
        assertThat(DefaultKeyEncoder.decode("e:" + Colour.class.getName() + ":BLUE", KNOWN_ENUMS))
                .as("no such constant")
                .isNull();
        List<String> asked = new java.util.ArrayList<>();
        assertThat(DefaultKeyEncoder.decode("e:java.lang.Thread$State:NEW", name -> {
                    asked.add(name);
                    return null;
                }))
                .as("a JDK enum the caller never encoded")
                .isNull();
        assertThat(asked).containsExactly("java.lang.Thread$State");
    }

    @Test
    void stringsThatEncodeNoKeyDecodeToNothing() {
        List<String> foreign = List.of(
                "",
                "s",
                "AAPL",
                "S:AAPL",
                "zz:1",
                ":1",
                "i:",
                "i:x",
                "i:+1",
                "i:01",
                "i:-0",
                "i: 1",
                "i:2147483648",
                "l:1.0",
                "l:9223372036854775808",
                "sh:40000",
                "by:128",
                "d:",
                "d:0.1",
                "d:1e3",
                "d:1E+3",
                "d:-0.0",
                "d:0.0",
                "d:nan",
                "d:+Infinity",
                "d:1E+400",
                "d:1E-400",
                "f:0.1",
                "f:1E+39",
                "f:0.1000000000000000055511151231257827021181583404541015625",
                "bi:",
                "bi:+1",
                "bi:01",
                "bi:1.0",
                "bd:",
                "bd:1e3",
                "bd:+1",
                "bd:.5",
                "bd:1E-2147483649",
                "b:",
                "b:TRUE",
                "b:1",
                "c:",
                "c:ab",
                "c:\uD83D\uDE00",
                "u:",
                "u:1-1-1-1-1",
                "u:123E4567-E89B-12D3-A456-426614174000",
                "u:not-a-uuid",
                "e:",
                "e:RED",
                "e:" + Colour.class.getName() + ":",
                "e::RED",
                "e:" + Colour.class.getName() + ":red");
        for (String encoded : foreign) {
            assertThat(DefaultKeyEncoder.decode(encoded, KNOWN_ENUMS))
                    .as("%s", encoded)
                    .isNull();
        }
        assertThat(DefaultKeyEncoder.decode("s:", KNOWN_ENUMS)).isEqualTo("");
        assertThat(DefaultKeyEncoder.decode("s:i:1", KNOWN_ENUMS)).isEqualTo("i:1");
    }
}
