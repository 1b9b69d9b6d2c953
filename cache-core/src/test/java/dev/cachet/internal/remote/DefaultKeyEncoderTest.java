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
}
