package dev.cachet.internal.remote;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/** Generates keys of every type the default key encoder accepts, for property-style tests of its injectivity. */
public final class MixedKeys {
    /** An enum with constants named like {@link Alert}'s. */
    public enum Colour {
        RED,
        GREEN
    }

    /** An enum with constants named like {@link Colour}'s. */
    public enum Alert {
        RED,
        GREEN
    }

    private MixedKeys() {}

    /** Returns {@code count} keys, distinct by {@code equals}, of every type the default encoder accepts. */
    public static List<Object> distinct(Random random, int count) {
        Set<Object> keys = new LinkedHashSet<>(List.of(
                "1",
                1,
                1L,
                (short) 1,
                (byte) 1,
                1.0,
                1.0f,
                '1',
                BigInteger.ONE,
                BigDecimal.ONE,
                new BigDecimal("1.0"),
                new BigDecimal("1.00"),
                new BigDecimal("1E+1"),
                BigDecimal.TEN,
                "true",
                true,
                "false",
                false,
                0.0,
                -0.0,
                0.0f,
                -0.0f,
                Double.NaN,
                Float.NaN,
                "",
                ":",
                "s:",
                "s:1",
                "i:1",
                "l:1",
                "e:" + Colour.class.getName() + ":RED",
                "RED",
                Colour.RED,
                Alert.RED,
                Colour.GREEN,
                Alert.GREEN,
                "\uD800",
                "?",
                "%",
                "{1}",
                new UUID(0, 1),
                "00000000-0000-0000-0000-000000000001",
                'a',
                "a"));
        while (keys.size() < count) {
            keys.add(randomKey(random));
        }
        return new ArrayList<>(keys);
    }

    private static Object randomKey(Random random) {
        int small = random.nextInt(20) - 10;
        return switch (random.nextInt(14)) {
            case 0 -> Integer.toString(small);
            case 1 -> small;
            case 2 -> (long) small;
            case 3 -> (short) small;
            case 4 -> (byte) small;
            case 5 -> small / 4.0;
            case 6 -> small / 4.0f;
            case 7 -> (char) ('0' + random.nextInt(75));
            case 8 -> BigInteger.valueOf(small);
            case 9 -> BigDecimal.valueOf(small, random.nextInt(3));
            case 10 -> random.nextBoolean();
            case 11 -> new UUID(0, random.nextInt(4));
            case 12 -> random.nextBoolean() ? Colour.values()[random.nextInt(2)] : Alert.values()[random.nextInt(2)];
            default -> randomString(random);
        };
    }

    /** A short string over an alphabet that can spell numbers, booleans, tags, separators and escapes. */
    private static String randomString(Random random) {
        String alphabet = "01-.:eEsilbu%{}truefalsRED";
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(6);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
