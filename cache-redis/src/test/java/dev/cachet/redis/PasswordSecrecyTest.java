package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.CacheUnavailableException;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No part of a password reaches a message or a {@code toString()}, whatever characters it holds: the URI's user
 * information is split off at its last {@code @} before {@link java.net.URI} sees the rest, so that {@code /}, {@code
 * #} or {@code ?} in a password cannot turn it into a path, fragment or query that a message repeats.
 */
class PasswordSecrecyTest {
    private static final RedisTierConfig FAST = RedisTierConfig.builder()
            .connectTimeout(Duration.ofMillis(200))
            .socketTimeout(Duration.ofMillis(200))
            .build();

    /** Raw user information as written in the URI, and the user and password it stands for. */
    static Stream<Arguments> passwords() {
        return Stream.of(
                Arguments.of(":abc/SECRET", null, "abc/SECRET"),
                Arguments.of(":Zq@Wx@Vy", null, "Zq@Wx@Vy"),
                Arguments.of(":Hj#Kl9", null, "Hj#Kl9"),
                Arguments.of(":Mn?Bv=7", null, "Mn?Bv=7"),
                Arguments.of(":4Rt%25Yu", null, "4Rt%Yu"),
                Arguments.of(":Gf:Dd:Ss", null, "Gf:Dd:Ss"),
                Arguments.of("app:Qw/@#?%3A:Er", "app", "Qw/@#?::Er"),
                Arguments.of("app%40ops:Tz/Xc", "app@ops", "Tz/Xc"),
                Arguments.of("app:Plk9Jh", "app", "Plk9Jh"));
    }

    @ParameterizedTest
    @MethodSource("passwords")
    void theUserInformationIsParsedWhateverThePasswordHolds(String userInfo, @Nullable String user, String password) {
        for (String scheme : List.of("redis", "rediss")) {
            ConnectionSettings settings =
                    ConnectionSettings.parse(scheme + "://" + userInfo + "@cache.internal:6380/3", FAST);

            assertThat(settings.user()).isEqualTo(Optional.ofNullable(user));
            assertThat(settings.password()).contains(password);
            assertThat(settings.hostAndPort().getHost()).isEqualTo("cache.internal");
            assertThat(settings.hostAndPort().getPort()).isEqualTo(6380);
            assertThat(settings.database()).isEqualTo(3);
            assertThat(settings.tls()).isEqualTo(scheme.equals("rediss"));
            assertNoPart(userInfo, password, settings.toString(), settings.describe());
        }
    }

    @ParameterizedTest
    @MethodSource("passwords")
    void aBadUriNeverShowsThePassword(String userInfo, @Nullable String user, String password) {
        List<String> badUris = List.of(
                "redis://" + userInfo + "@cache.internal:6380/notadb",
                "redis://" + userInfo + "@cache.internal:6380/3?q=1",
                "redis://" + userInfo + "@cache.internal:6380#frag",
                "redis://" + userInfo + "@:6380",
                "redis://" + userInfo + "@cache internal:6380",
                "redis://" + userInfo + "@cache.internal:port",
                "http://" + userInfo + "@cache.internal:6380",
                "redis://" + userInfo + "%zz@cache.internal:6380",
                "redis://" + userInfo + "@");
        for (String uri : badUris) {
            Throwable thrown = catchAll(() -> RedisTier.connect(uri, FAST));

            assertThat(thrown).as(uri).isInstanceOf(IllegalArgumentException.class);
            assertNoPart(userInfo, password, messages(thrown));
        }
    }

    @ParameterizedTest
    @MethodSource("passwords")
    void aFailingConnectNeverShowsThePassword(String userInfo, @Nullable String user, String password)
            throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (RedisTier tier = RedisTier.connect("redis://" + userInfo + "@127.0.0.1:" + closedPort, FAST)) {
            Throwable thrown = catchAll(() -> tier.store("secrets").get("k"));

            assertThat(thrown).isInstanceOf(CacheUnavailableException.class);
            assertNoPart(userInfo, password, messages(thrown));
            assertNoPart(
                    userInfo,
                    password,
                    tier.toString(),
                    tier.describe(),
                    tier.store("secrets").toString());
        }
    }

    private static Throwable catchAll(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("nothing thrown");
    }

    /** Returns the message and {@code toString()} of the throwable and of every cause and suppressed one. */
    private static String[] messages(Throwable thrown) {
        List<String> out = new ArrayList<>();
        List<Throwable> pending = new ArrayList<>(List.of(thrown));
        while (!pending.isEmpty()) {
            Throwable t = pending.remove(pending.size() - 1);
            out.add(String.valueOf(t.getMessage()));
            out.add(t.toString());
            if (t.getCause() != null && t.getCause() != t) {
                pending.add(t.getCause());
            }
            pending.addAll(List.of(t.getSuppressed()));
        }
        return out.toArray(new String[0]);
    }

    /** Asserts that no text holds any 3-character substring of the password, decoded or as written. */
    private static void assertNoPart(String userInfo, String password, String... texts) {
        String written = userInfo.substring(userInfo.indexOf(':') + 1);
        for (String secret : List.of(password, written)) {
            for (int i = 0; i + 3 <= secret.length(); i++) {
                String part = secret.substring(i, i + 3);
                for (String text : texts) {
                    assertThat(text).as("a text holding part of the password").doesNotContain(part);
                }
            }
        }
    }
}
