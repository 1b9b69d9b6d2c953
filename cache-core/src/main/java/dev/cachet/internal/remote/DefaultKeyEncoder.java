package dev.cachet.internal.remote;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.UUID;

/**
 * The default key encoder of caches over a remote tier: turns a key into the string the tier stores it under, and the
 * near tier and the invalidation messages know it by. The string is a short type tag, a colon, and the value:
 *
 * <pre>
 * String      s:AAPL                  Integer     i:42         Long        l:42
 * Short       sh:42                   Byte        by:42        BigInteger  bi:42
 * Double      d:0.5                   Float       f:0.5        BigDecimal  bd:1.50
 * Boolean     b:true                  Character   c:x          UUID        u:123e4567-e89b-12d3-a456-426614174000
 * enum        e:com.example.Colour:RED   (the declaring class's binary name, then the constant's name)
 * </pre>
 *
 * <p>It is injective: keys that differ by {@code equals} get different strings. Different classes get different tags,
 * and a tag ends at the first colon, so no two classes meet; within a class the value's form is one-to-one. Doubles
 * and floats are written as their exact decimal value ({@code new BigDecimal(double)}, whose text every JDK spells
 * alike, unlike {@code Double.toString}, which changed in JDK 19), with {@code -0}, {@code NaN}, {@code Infinity} and
 * {@code -Infinity} for the values that have none. Enum constants use {@code name()}, never {@code toString()}, which
 * an enum may override.
 *
 * <p>Other types, including subclasses of {@code BigInteger} and {@code BigDecimal} and mutable numbers such as {@code
 * AtomicLong}, are refused: their string forms need not tell keys apart. Stateless and thread-safe.
 */
public final class DefaultKeyEncoder {
    private DefaultKeyEncoder() {}

    /**
     * Returns the string form of {@code key}.
     *
     * @throws IllegalArgumentException if {@code key}'s type has no default string form
     */
    public static String encode(Object key) {
        if (key instanceof String s) {
            return "s:" + s;
        }
        if (key instanceof Integer) {
            return "i:" + key;
        }
        if (key instanceof Long) {
            return "l:" + key;
        }
        if (key instanceof Short) {
            return "sh:" + key;
        }
        if (key instanceof Byte) {
            return "by:" + key;
        }
        if (key instanceof Double d) {
            return "d:" + exactDecimal(d);
        }
        if (key instanceof Float f) {
            return "f:" + exactDecimal(f.doubleValue()); // widening a float to a double is exact
        }
        // Exact classes: a subclass may override toString and make two different keys look alike.
        if (key.getClass() == BigInteger.class) {
            return "bi:" + key;
        }
        if (key.getClass() == BigDecimal.class) {
            return "bd:" + key; // keeps the scale, as equals does: 1.0 and 1.00 are different keys
        }
        if (key instanceof Boolean) {
            return "b:" + key;
        }
        if (key instanceof Character) {
            return "c:" + key;
        }
        if (key instanceof UUID) {
            return "u:" + key;
        }
        if (key instanceof Enum<?> constant) {
            return "e:" + constant.getDeclaringClass().getName() + ':' + constant.name();
        }
        throw new IllegalArgumentException("keys of type " + key.getClass().getName() + " have no default string"
                + " form for the remote tier: set RemoteConfig.custom().keyEncoder(...)");
    }

    private static String exactDecimal(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            // Both zeros are 0 as decimals, but -0.0 and 0.0 are different keys (Double.equals).
            return Double.doubleToRawLongBits(value) == 0 ? "0" : "-0";
        }
        return new BigDecimal(value).toString();
    }
}
