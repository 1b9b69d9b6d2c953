package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One message of a {@link RedisInvalidationChannel}, and its format on the wire: UTF-8 text,
 *
 * <pre>
 * 1:&lt;origin&gt;:k:&lt;escaped key&gt;    the key changed
 * 1:&lt;origin&gt;:a                  every key changed
 * </pre>
 *
 * <p>{@code 1} is the format's version; {@code <origin>} is the sender's id, 32 hex digits drawn at random once per
 * {@link RedisTier} ({@link #newOriginId()}); the key, never the value, is escaped as in {@link
 * KeyLayout#escape(String)} (so that a key with an unpaired surrogate survives UTF-8 exactly) and may contain colons,
 * as it runs to the end.
 *
 * @param origin the sender's origin id
 * @param key the key that changed, or empty for every key
 */
record InvalidationMessage(String origin, Optional<String> key) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final String VERSION = "1";
    private static final char KEY_TYPE = 'k';
    private static final char ALL_TYPE = 'a';

    InvalidationMessage {
        requireNonNull(origin, "origin");
        requireNonNull(key, "key");
    }

    /** Returns a new random origin id: 32 hex digits. */
    static String newOriginId() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return HEX.formatHex(random);
    }

    /** Returns the message from {@code origin} that {@code key} changed, encoded. */
    static String encodeKey(String origin, String key) {
        return VERSION + ':' + origin + ':' + KEY_TYPE + ':' + KeyLayout.escape(key);
    }

    /** Returns the message from {@code origin} that every key changed, encoded. */
    static String encodeAll(String origin) {
        return VERSION + ':' + origin + ':' + ALL_TYPE;
    }

    /**
     * Parses a message.
     *
     * @throws IllegalArgumentException if it is not in this format
     */
    static InvalidationMessage decode(String message) {
        int versionEnd = message.indexOf(':');
        if (versionEnd < 0 || !message.substring(0, versionEnd).equals(VERSION)) {
            throw new IllegalArgumentException("not version " + VERSION);
        }
        int originEnd = message.indexOf(':', versionEnd + 1);
        if (originEnd <= versionEnd + 1 || originEnd + 1 >= message.length()) {
            throw new IllegalArgumentException("no origin and type");
        }
        String sender = message.substring(versionEnd + 1, originEnd);
        char type = message.charAt(originEnd + 1);
        int rest = originEnd + 2;
        if (type == ALL_TYPE && rest == message.length()) {
            return new InvalidationMessage(sender, Optional.empty());
        }
        if (type == KEY_TYPE && rest < message.length() && message.charAt(rest) == ':') {
            return new InvalidationMessage(sender, Optional.of(unescape(message.substring(rest + 1))));
        }
        throw new IllegalArgumentException("unknown type");
    }

    /**
     * Reverses {@link KeyLayout#escape(String)}.
     *
     * @throws IllegalArgumentException if {@code text} has a {@code %} that escaping cannot have written
     */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                out.append(c);
            } else if (text.startsWith("25", i + 1)) {
                out.append('%');
                i += 2;
            } else if (text.startsWith("7B", i + 1)) {
                out.append('{');
                i += 2;
            } else if (text.startsWith("7D", i + 1)) {
                out.append('}');
                i += 2;
            } else if (text.startsWith("u", i + 1) && i + 6 <= text.length() && isHex(text, i + 2, i + 6)) {
                out.append((char) HexFormat.fromHexDigits(text, i + 2, i + 6));
                i += 5;
            } else {
                throw new IllegalArgumentException("bad escape at index " + i + " of the key");
            }
        }
        return out.toString();
    }

    private static boolean isHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
