package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.util.JedisClusterCRC16;

class KeyLayoutTest {
    private static final int MAX = 512;

    /** Fragments chosen to collide under a naive layout: separators, braces, escapes, glob characters. */
    private static final List<String> FRAGMENTS = List.of(
            "", "a", "b", ":", "a:b", "1", "1:", "{", "}", "{a}", "%", "%7B", "%25", "*", "?", "[a]", "\\", "é");

    @Test
    void documentedLayout() {
        KeyLayout users = KeyLayout.of("cachet", "users", MAX);

        assertThat(users.valueKey("42")).isEqualTo("cachet:5:users:{42}");
        assertThat(users.lockKey("42")).isEqualTo("cachet:5:users:{42}:lock");
        assertThat(users.fenceKey("42")).isEqualTo("cachet:5:users:{42}:fence");
        assertThat(users.cacheFenceKey()).isEqualTo("cachet:5:users:fence");
        assertThat(users.namespace()).isEqualTo("cachet:5:users:");
        assertThat(users.valueKeyPattern()).isEqualTo("cachet:5:users:{*}");
        assertThat(users.keyPattern()).isEqualTo("cachet:5:users:{*");
    }

    @Test
    void aKeyWithTheSeparatorCannotReachIntoAnotherCache() {
        assertThat(KeyLayout.of("p", "a", MAX).valueKey("b:c")).isEqualTo("p:1:a:{b:c}");
        assertThat(KeyLayout.of("p", "a:b", MAX).valueKey("c")).isEqualTo("p:3:a:b:{c}");
    }

    @Test
    @Timeout(60) // seconds; CPU-bound: 3 s on an idle 2-core machine, 8 s on a busy one
    void noTwoCacheKeyPairsShareARedisKeyOrMatchAnotherCachesPattern() {
        List<String> names = combinations();
        List<String> keys = combinations();
        Map<String, String> owners = new HashMap<>();
        List<KeyLayout> layouts = new ArrayList<>();
        for (String name : names) {
            layouts.add(KeyLayout.of("p", name, MAX));
        }
        for (int n = 0; n < names.size(); n++) {
            KeyLayout layout = layouts.get(n);
            for (String key : keys) {
                String pair = names.get(n) + " / " + key;
                for (String redisKey : List.of(layout.valueKey(key), layout.lockKey(key), layout.fenceKey(key))) {
                    String previous = owners.put(redisKey, pair);
                    assertThat(previous)
                            .as("%s is also the key of %s", redisKey, pair)
                            .isNull();
                }
            }
        }
        // Every value key matches its own cache's value pattern and no other; lock and fence keys match none. Every
        // key of a cache matches its own cache's key pattern (which deleteAll scans) and no other.
        for (int n = 0; n < names.size(); n++) {
            for (String key : List.of("", "k", "{a}:b*")) {
                for (int other = 0; other < names.size(); other++) {
                    String all = layouts.get(other).keyPattern();
                    for (String redisKey : List.of(
                            layouts.get(n).valueKey(key),
                            layouts.get(n).lockKey(key),
                            layouts.get(n).fenceKey(key))) {
                        assertThat(GlobMatcher.matches(all, redisKey))
                                .as("%s against %s", redisKey, all)
                                .isEqualTo(n == other);
                    }
                    String pattern = layouts.get(other).valueKeyPattern();
                    assertThat(GlobMatcher.matches(pattern, layouts.get(n).valueKey(key)))
                            .as("%s against %s", layouts.get(n).valueKey(key), pattern)
                            .isEqualTo(n == other);
                    assertThat(GlobMatcher.matches(pattern, layouts.get(n).lockKey(key)))
                            .isFalse();
                    assertThat(GlobMatcher.matches(pattern, layouts.get(n).fenceKey(key)))
                            .isFalse();
                }
            }
        }
    }

    @Test
    void valueLockAndFenceShareOneNonEmptyHashTag() {
        for (String name : combinations()) {
            KeyLayout layout = KeyLayout.of("cachet", name, MAX);
            for (String key : combinations()) {
                String tag = hashTag(layout.valueKey(key));
                assertThat(tag).as("tag of %s", layout.valueKey(key)).isNotEmpty();
                assertThat(hashTag(layout.lockKey(key))).isEqualTo(tag);
                assertThat(hashTag(layout.fenceKey(key))).isEqualTo(tag);
                assertThat(JedisClusterCRC16.getSlot(layout.lockKey(key)))
                        .isEqualTo(JedisClusterCRC16.getSlot(layout.valueKey(key)))
                        .isEqualTo(JedisClusterCRC16.getSlot(layout.fenceKey(key)));
            }
        }
    }

    @Test
    void bracesPercentAndUnpairedSurrogatesAreEscaped() {
        assertThat(KeyLayout.escape("{a}%b")).isEqualTo("%7Ba%7D%25b");
        assertThat(KeyLayout.escape("\uD800x")).isEqualTo("%uD800x");
        assertThat(KeyLayout.escape("x\uDC00")).isEqualTo("x%uDC00");
        assertThat(KeyLayout.escape("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00"); // a valid pair stays
        assertThat(KeyLayout.escape("plain:key")).isEqualTo("plain:key");

        KeyLayout braces = KeyLayout.of("cachet", "{x}", MAX);
        assertThat(braces.namespace()).isEqualTo("cachet:7:%7Bx%7D:").doesNotContain("{", "}");
        assertThat(braces.valueKey("}{")).isEqualTo("cachet:7:%7Bx%7D:{%7D%7B}");
        assertThat(braces.valueKey("")).isEqualTo("cachet:7:%7Bx%7D:{%}");
    }

    @Test
    void unpairedSurrogatesDoNotMeetTheirUtf8Replacement() {
        KeyLayout layout = KeyLayout.of("p", "c", MAX);

        assertThat(layout.valueKey("\uD800")).isNotEqualTo(layout.valueKey("?"));
        assertThat(layout.valueKey("\uD800")).isNotEqualTo(layout.valueKey("\uDBFF"));
    }

    @Test
    void theLengthCountsUtf8BytesOfTheEscapedName() {
        assertThat(KeyLayout.of("p", "é", MAX).namespace()).isEqualTo("p:2:é:");
        assertThat(KeyLayout.of("p", "%", MAX).namespace()).isEqualTo("p:3:%25:");
    }

    @Test
    void keysLongerThanTheLimitAreStoredAsTheirSha256() {
        KeyLayout layout = KeyLayout.of("p", "c", 100);
        String atLimit = "k".repeat(100);
        String overLimit = "k".repeat(101);

        assertThat(layout.valueKey(atLimit)).isEqualTo("p:1:c:{" + atLimit + "}");
        assertThat(layout.valueKey(overLimit))
                .matches("p:1:c:\\{%sha256:[0-9a-f]{64}}")
                .isEqualTo(layout.valueKey("k".repeat(101)))
                .isNotEqualTo(layout.valueKey("k".repeat(102)));
        // Computed independently: printf 'k%.0s' $(seq 1 101) | sha256sum
        assertThat(layout.valueKey(overLimit))
                .isEqualTo("p:1:c:{%sha256:dec651a2cfdb388ffb5e01b69d4d79971b0a7af493a0865bb40784c545621354}");
        assertThat(layout.lockKey(overLimit)).isEqualTo(layout.valueKey(overLimit) + ":lock");
    }

    @Test
    void theLimitAppliesToTheEscapedUtf8Form() {
        KeyLayout layout = KeyLayout.of("p", "c", 100);

        assertThat(layout.valueKey("{".repeat(33))).isEqualTo("p:1:c:{" + "%7B".repeat(33) + "}"); // 99 bytes
        assertThat(layout.valueKey("{".repeat(34))).contains("%sha256:"); // 102 bytes escaped
        assertThat(layout.valueKey("é".repeat(51))).contains("%sha256:"); // 102 bytes
        assertThat(layout.valueKey("é".repeat(50))).isEqualTo("p:1:c:{" + "é".repeat(50) + "}");
    }

    @Test
    void aUserKeySpellingAHashDoesNotCollideWithAHashedKey() {
        KeyLayout layout = KeyLayout.of("p", "c", 100);
        String longKey = "k".repeat(101);
        String hashed = layout.valueKey(longKey);
        String spelled = hashed.substring(hashed.indexOf('{') + 1, hashed.length() - 1);

        assertThat(layout.valueKey(spelled)).isNotEqualTo(hashed).contains("%25sha256:");
        assertThat(layout.valueKey("%")).isNotEqualTo(layout.valueKey(""));
        assertThat(layout.valueKey("sha256:" + sha256Hex(longKey))).isNotEqualTo(hashed);
    }

    @Test
    void globMetacharactersOfTheNameAreEscapedInThePattern() {
        KeyLayout layout = KeyLayout.of("p", "a*b?[c]\\", MAX);

        assertThat(layout.valueKeyPattern()).isEqualTo("p:8:a\\*b\\?\\[c\\]\\\\:{*}");
        assertThat(GlobMatcher.matches(layout.valueKeyPattern(), layout.valueKey("k")))
                .isTrue();
        assertThat(GlobMatcher.matches(
                        layout.valueKeyPattern(),
                        KeyLayout.of("p", "aXbY[c]\\", MAX).valueKey("k")))
                .isFalse();
        assertThat(GlobMatcher.matches(
                        layout.valueKeyPattern(),
                        KeyLayout.of("p", "a*b?c\\\\", MAX).valueKey("k")))
                .isFalse();
    }

    /** Returns the text Redis Cluster hashes: between the first brace and the next closing one, if non-empty. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = open < 0 ? -1 : key.indexOf('}', open + 1);
        return close < 0 ? "" : key.substring(open + 1, close);
    }

    private static List<String> combinations() {
        List<String> out = new ArrayList<>();
        for (String first : FRAGMENTS) {
            for (String second : FRAGMENTS) {
                String candidate = first + second;
                if (!out.contains(candidate)) {
                    out.add(candidate);
                }
            }
        }
        return out;
    }

    private static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Redis's glob matching (util.c stringmatchlen): {@code * ? [set] [^set] [a-z] \x}. */
    static final class GlobMatcher {
        private GlobMatcher() {}

        static boolean matches(String pattern, String text) {
            return match(pattern, 0, text, 0);
        }

        private static boolean match(String p, int pi, String s, int si) {
            while (pi < p.length()) {
                char c = p.charAt(pi);
                switch (c) {
                    case '*' -> {
                        for (int k = si; k <= s.length(); k++) {
                            if (match(p, pi + 1, s, k)) {
                                return true;
                            }
                        }
                        return false;
                    }
                    case '?' -> {
                        if (si >= s.length()) {
                            return false;
                        }
                        pi++;
                        si++;
                    }
                    case '[' -> {
                        if (si >= s.length()) {
                            return false;
                        }
                        int end = p.indexOf(']', pi + 1);
                        if (end < 0) {
                            end = p.length();
                        }
                        String set = p.substring(pi + 1, end);
                        boolean negate = set.startsWith("^");
                        if (negate) {
                            set = set.substring(1);
                        }
                        boolean found = false;
                        char ch = s.charAt(si);
                        for (int k = 0; k < set.length(); k++) {
                            if (k + 2 < set.length() && set.charAt(k + 1) == '-') {
                                found |= ch >= set.charAt(k) && ch <= set.charAt(k + 2);
                                k += 2;
                            } else {
                                found |= ch == set.charAt(k);
                            }
                        }
                        if (found == negate) {
                            return false;
                        }
                        pi = end + 1;
                        si++;
                    }
                    case '\\' -> {
                        if (pi + 1 < p.length()) {
                            pi++;
                        }
                        if (si >= s.length() || s.charAt(si) != p.charAt(pi)) {
                            return false;
                        }
                        pi++;
                        si++;
                    }
                    default -> {
                        if (si >= s.length() || s.charAt(si) != c) {
                            return false;
                        }
                        pi++;
                        si++;
                    }
                }
            }
            return si == s.length();
        }
    }
}
