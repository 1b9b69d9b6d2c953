package dev.cachet.internal.remote;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

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
 * AtomicLong}, are refused: their string forms need not tell keys apart.
 *
 * <p>{@link #decode} inverts {@link #encode}: a near tier keyed by the caller's keys turns the strings in invalidation
 * messages back into keys with it. Stateless and thread-safe.
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

    /**
     * Returns the key whose {@link #encode} is {@code encoded}, equal to the key encoded and of the same class, or null
     * if there is none: an unknown tag, a malformed value, a form {@code encode} never writes (such as {@code i:+1} or
     * {@code d:0.1}), or an enum constant of a class that {@code enumClasses} does not know. Decoding never loads a
     * class: the caller names the enum classes it encoded constants of, so that a string from another process cannot
     * make this one load or initialise anything.
     *
     * @param enumClasses returns the enum class of a binary name, or null for a name the caller never encoded
     */
    public static @Nullable Object decode(String encoded, Function<String, ? extends @Nullable Class<?>> enumClasses) {
        int colon = encoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String value = encoded.substring(colon + 1);
        if (colon == 1 && encoded.charAt(0) == 's') {
            return value; // the one form that is the value itself: nothing to check
        }
        Object key;
        try {
            key = parse(encoded.substring(0, colon), value, enumClasses);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
        // Parsing is lenient (i:+1, i:01, d:0.1, upper-case UUIDs, ...): a key counts only if it encodes back to the
        // very string, so that decoding is exactly the inverse of encode and never names a key for a foreign string.
        return key != null && encode(key).equals(encoded) ? key : null;
    }

    private static @Nullable Object parse(
            String tag, String value, Function<String, ? extends @Nullable Class<?>> enumClasses) {
        return switch (tag) {
            case "i" -> Integer.valueOf(value);
            case "l" -> Long.valueOf(value);
            case "sh" -> Short.valueOf(value);
            case "by" -> Byte.valueOf(value);
            case "d" -> parseDouble(value);
            case "f" -> parseFloat(value);
            case "bi" -> new BigInteger(value);
            case "bd" -> new BigDecimal(value);
            case "b" -> value.equals("true") ? Boolean.TRUE : value.equals("false") ? Boolean.FALSE : null;
            case "c" -> value.length() == 1 ? Character.valueOf(value.charAt(0)) : null;
            case "u" -> parseUuid(value);
            case "e" -> parseEnum(value, enumClasses);
            default -> null;
        };
    }

    /** The inverse of {@link #exactDecimal}: its special forms, else the decimal, which is exact for what it wrote. */
    private static Double parseDouble(String value) {
        return switch (value) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            case "-0" -> -0.0;
            default -> new BigDecimal(value).doubleValue();
        };
    }

    private static Float parseFloat(String value) {
        return switch (value) {
            case "NaN" -> Float.NaN;
            case "Infinity" -> Float.POSITIVE_INFINITY;
            case "-Infinity" -> Float.NEGATIVE_INFINITY;
            case "-0" -> -0.0f;
            default -> new BigDecimal(value).floatValue();
        };
    }

    private static @Nullable UUID parseUuid(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Parses {@code Class:NAME}. The constant's name follows the last colon: a Java identifier holds none, while a
     * binary name may (the JVM allows it); a wrong split only fails the round-trip check.
     */
    private static @Nullable Object parseEnum(
            String value, Function<String, ? extends @Nullable Class<?>> enumClasses) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        Class<?> type = enumClasses.apply(value.substring(0, colon));
        if (type == null || !type.isEnum()) {
            return null;
        }
        return constant(type, value.substring(colon + 1));
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // type is an enum class, checked above
    private static @Nullable Object constant(Class<?> type, String name) {
        try {
            return Enum.valueOf((Class) type, name);
        } catch (IllegalArgumentException e) {
            return null;
        }
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
