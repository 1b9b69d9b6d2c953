package dev.cachet.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where one cache's entries live in Redis. Every key of cache {@code name} under prefix {@code p} is
 *
 * <pre>
 * p:&lt;bytes&gt;:&lt;escaped name&gt;:&#123;&lt;escaped key&gt;&#125;          the value
 * p:&lt;bytes&gt;:&lt;escaped name&gt;:&#123;&lt;escaped key&gt;&#125;:lock     the loader lock
 * p:&lt;bytes&gt;:&lt;escaped name&gt;:&#123;&lt;escaped key&gt;&#125;:fence    the fencing counter
 * p:&lt;bytes&gt;:&lt;escaped name&gt;:fence                          the cache's fence (see {@link #cacheFenceKey()})
 * </pre>
 *
 * <p>where {@code <bytes>} is the UTF-8 length of the escaped name, and the key is the cache's encoded key (by default
 * tagged with its type, such as {@code s:42} or {@code i:42}: see {@code RemoteConfig.keyEncoder()}). Escaping
 * replaces {@code %} by {@code %25}, <code>&#123;</code> by {@code %7B}, <code>&#125;</code> by {@code %7D} and an
 * unpaired surrogate by {@code %u} and its four upper-case hex digits, so escaping is injective and its output has no
 * braces. Hence:
 *
 * <ul>
 *   <li>the first <code>&#123;</code> of a key ends its namespace (the prefix allows no brace, see {@link
 *       RedisTierConfig}), and the length makes the namespace unambiguous as well: cache {@code a} key {@code b:c} is
 *       <code>p:1:a:&#123;b:c&#125;</code>, cache {@code a:b} key {@code c} is <code>p:3:a:b:&#123;c&#125;</code>;
 *   <li>the braces are Redis Cluster's hash tag, so a value, its lock and its fence share a slot and one Lua script
 *       may touch all three;
 *   <li>an escaped key whose UTF-8 form is longer than {@code maxKeyLength} bytes is replaced by {@code
 *       %sha256:<64 hex digits>} of that form; the empty key is written {@code %}. Neither can come out of escaping,
 *       where every {@code %} is followed by {@code 25}, {@code 7B}, {@code 7D} or {@code u} and hex digits, so they
 *       collide with no other key (up to SHA-256 collisions).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class KeyLayout {
    /** Marks a key replaced by its hash. */
    static final String HASHED_KEY_MARK = "%sha256:";

    /** The length of a hashed key: the mark and 64 hex digits. */
    static final int HASHED_KEY_LENGTH = HASHED_KEY_MARK.length() + 64;

    private static final String EMPTY_KEY = "%";
    private static final String LOCK_SUFFIX = ":lock";

    /** Ends every fence key: its value key is the fence key without it. */
    static final String FENCE_SUFFIX = ":fence";

    private static final HexFormat HEX = HexFormat.of();
    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    private final String namespace;
    private final int maxKeyLength;

    private KeyLayout(String namespace, int maxKeyLength) {
        this.namespace = namespace;
        this.maxKeyLength = maxKeyLength;
    }

    /**
     * Returns the layout of cache {@code cacheName} under {@code prefix}.
     *
     * @param prefix a prefix valid for {@link RedisTierConfig#keyPrefix()}
     * @param maxKeyLength the length in UTF-8 bytes above which an escaped key is hashed
     */
    static KeyLayout of(String prefix, String cacheName, int maxKeyLength) {
        String escapedName = escape(cacheName);
        int length = escapedName.getBytes(StandardCharsets.UTF_8).length;
        return new KeyLayout(prefix + ':' + length + ':' + escapedName + ':', maxKeyLength);
    }

    /** Returns the part every key of this cache starts with, up to and excluding the hash tag's opening brace. */
    String namespace() {
        return namespace;
    }

    /** Returns the Redis key of the value of {@code key}. */
    String valueKey(String key) {
        return namespace + '{' + tag(key) + '}';
    }

    /** Returns the Redis key of the loader lock of {@code key}; it shares the value key's slot. */
    String lockKey(String key) {
        return valueKey(key) + LOCK_SUFFIX;
    }

    /** Returns the Redis key of the fencing counter of {@code key}; it shares the value key's slot. */
    String fenceKey(String key) {
        return valueKey(key) + FENCE_SUFFIX;
    }

    /**
     * Returns the Redis key of the cache's own fence, which {@code invalidateAll()} changes: a bulk read hands out the
     * cache's fence as the lease of a key that has no fence of its own, so that a clear in between refuses its write.
     * It has no brace, so it can never equal a value, lock or fence key, and {@link #keyPattern()} does not match it.
     */
    String cacheFenceKey() {
        return namespace + "fence";
    }

    /**
     * Returns the pub/sub channel of this cache's invalidations: the namespace followed by {@code invalidations}, such
     * as {@code cachet:5:users:invalidations}. It has no brace, so it can never equal a value, lock or fence key.
     */
    String invalidationChannel() {
        return namespace + "invalidations";
    }

    /**
     * Returns the SCAN MATCH pattern of this cache's value keys, and of no other key: the namespace with its glob
     * metacharacters escaped, then <code>&#123;*&#125;</code>. Lock and fence keys end in a letter, so they do not
     * match.
     */
    String valueKeyPattern() {
        return globEscape(namespace + '{') + "*}";
    }

    /**
     * Returns the SCAN MATCH pattern of every key of this cache (values, locks and fences), and of no key of another
     * cache: the namespace with its glob metacharacters escaped, then <code>&#123;*</code>. What follows the closing
     * brace tells them apart, since an escaped key has no brace: nothing for a value, {@code :lock} or {@code :fence}.
     */
    String keyPattern() {
        return globEscape(namespace + '{') + "*";
    }

    /** Returns the text between the braces: the escaped key, or its hash when too long. */
    private String tag(String key) {
        if (key.isEmpty()) {
            return EMPTY_KEY;
        }
        String escaped = escape(key);
        byte[] utf8 = escaped.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= maxKeyLength) {
            return escaped;
        }
        return HASHED_KEY_MARK + HEX.formatHex(sha256(utf8));
    }

    /**
     * Escapes {@code %}, the braces and unpaired surrogates (which UTF-8 cannot carry, so two keys differing only there
     * would otherwise meet). Injective; the output is well-formed UTF-16 and has no braces.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                out.append("%25");
            } else if (c == '{') {
                out.append("%7B");
            } else if (c == '}') {
                out.append("%7D");
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                out.append("%u").append(UPPER_HEX.toHexDigits(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Escapes the characters Redis glob patterns give a meaning to: {@code * ? [ ] \}. */
    static String globEscape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "KeyLayout[" + namespace + ']';
    }
}
