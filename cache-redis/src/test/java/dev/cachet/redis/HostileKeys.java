package dev.cachet.redis;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Generators of keys and cache names built to break a key layout: Redis glob characters, Cluster hash-tag braces,
 * Cachet's own separators and escapes, control characters, NUL, unpaired surrogates, and keys long enough to be
 * hashed (or just short of it). Shared by the properties and the fixed corpus of the Cluster test.
 */
final class HostileKeys {
    /** The pieces keys are made of: each one means something to Redis, to Cluster, to the layout or to UTF-8. */
    static final List<String> FRAGMENTS = List.of(
            // Redis glob metacharacters (SCAN MATCH), alone and as a class
            "*",
            "?",
            "[",
            "]",
            "\\",
            "[a-z]",
            "[^a]",
            "\\*",
            // Cluster hash tags
            "{",
            "}",
            "{}",
            "}{",
            "{a}",
            "{{",
            "}}",
            // Cachet's separators, escapes, suffixes and marks
            ":",
            "::",
            "%",
            "%25",
            "%7B",
            "%7D",
            "%u",
            "%uD800",
            "%sha256:",
            ":lock",
            ":fence",
            "invalidations",
            "s:",
            "i:",
            "cachet",
            "cachet:",
            "1:",
            "5:",
            "1:a:",
            // control characters and NUL
            "\n",
            "\r\n",
            "\0",
            "\t",
            // unpaired and paired surrogates, and other non-ASCII text
            "\uD800",
            "\uDC00",
            "\uDBFF",
            "\uDFFF",
            "\uD83D\uDE00",
            "é",
            "\u00A0",
            "\uFFFD",
            // plain text
            "a",
            "b",
            "A",
            "0",
            " ");

    /** The limit above which an escaped key is stored as its hash, in the tier configuration the tests use. */
    static final int MAX_KEY_LENGTH = RedisTierConfig.defaults().maxKeyLength();

    private HostileKeys() {}

    /** Returns keys of up to six pieces: fragments, any short text, or runs around the hashing limit. */
    static Arbitrary<String> keys() {
        return piece().list().ofMaxSize(6).map(pieces -> String.join("", pieces));
    }

    /** Returns distinct keys, one to {@code max} of them. */
    static Arbitrary<List<String>> distinctKeys(int max) {
        return keys().list().ofMinSize(1).ofMaxSize(max).uniqueElements();
    }

    /** Returns cache names: hostile keys that are not blank, as cache names must not be. */
    static Arbitrary<String> names() {
        return keys().filter(name -> !name.isBlank());
    }

    /**
     * Returns keys of every type the default key encoder takes, with values chosen to look alike across types: the
     * string {@code "1"}, the integer {@code 1}, the long {@code 1L}, {@code 1.0} and {@code 1.00} as decimals, two
     * enums' {@code RED} ...
     */
    static Arbitrary<Object> anyKeys() {
        return Arbitraries.oneOf(List.of(
                keys().map(Object.class::cast),
                Arbitraries.of("1", "-1", "0", "-0", "1.0", "0.5", "NaN", "true", "RED", "x", "e:RED")
                        .map(Object.class::cast),
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
                Arbitraries.of('1', 'x', '{', '*', '\0', '\uD800').map(Object.class::cast),
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

    private static Arbitrary<String> piece() {
        return Arbitraries.frequencyOf(List.<Tuple.Tuple2<Integer, Arbitrary<String>>>of(
                Tuple.of(8, Arbitraries.of(FRAGMENTS)),
                // any UTF-16 code unit, surrogates included
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(3)),
                // escaped forms just under, at and over the hashing limit ('%' escapes to three bytes)
                Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(MAX_KEY_LENGTH - 8, MAX_KEY_LENGTH + 2)
                                .map("k"::repeat)),
                Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(MAX_KEY_LENGTH / 3 - 4, MAX_KEY_LENGTH / 3 + 4)
                                .map("{"::repeat)),
                // far over it: the layout stores a hash, the invalidation message the whole key
                Tuple.of(1, Arbitraries.just("x{*}".repeat(5_000)))));
    }
}
