package dev.cachet.spring.autoconfigure;

import java.util.regex.Pattern;

/** Redis URIs as messages may show them: without a password. Stateless. */
final class RedisUris {
    // Everything up to the last '@': a password may itself hold '/', '@', '#', '?' or ':', so no shorter match is safe.
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", Pattern.DOTALL);

    private RedisUris() {}

    /** Returns {@code uri} with any user info replaced by {@code ***}. */
    static String redact(String uri) {
        return USER_INFO.matcher(uri).replaceFirst("$1***@");
    }
}
