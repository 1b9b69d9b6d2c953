package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

class ConnectionSettingsTest {
    private static final RedisTierConfig DEFAULTS = RedisTierConfig.defaults();

    @Test
    void plainUri() {
        ConnectionSettings settings = ConnectionSettings.parse("redis://127.0.0.1:6380", DEFAULTS);

        assertThat(settings.hostAndPort()).isEqualTo(new HostAndPort("127.0.0.1", 6380));
        assertThat(settings.tls()).isFalse();
        assertThat(settings.database()).isZero();
        assertThat(settings.user()).isEmpty();
        assertThat(settings.password()).isEmpty();
        assertThat(settings.describe()).isEqualTo("redis://127.0.0.1:6380");
    }

    @Test
    void theDefaultPortIs6379() {
        assertThat(ConnectionSettings.parse("redis://cache.internal", DEFAULTS).describe())
                .isEqualTo("redis://cache.internal:6379");
        assertThat(ConnectionSettings.parse("redis://cache.internal/", DEFAULTS).database())
                .isZero();
    }

    @Test
    void credentialsDatabaseAndTls() {
        ConnectionSettings settings =
                ConnectionSettings.parse("rediss://app%3Ausr:p%40ss+w:rd@cache.example.com:6380/2", DEFAULTS);

        assertThat(settings.tls()).isTrue();
        assertThat(settings.user()).contains("app:usr");
        assertThat(settings.password()).contains("p@ss+w:rd");
        assertThat(settings.database()).isEqualTo(2);
        assertThat(settings.describe()).isEqualTo("rediss://cache.example.com:6380/2");
        assertThat(settings.toString()).doesNotContain("p@ss", "p%40ss");
    }

    @Test
    void aPasswordAloneUsesTheDefaultUser() {
        ConnectionSettings settings = ConnectionSettings.parse("redis://:s3cret@localhost", DEFAULTS);

        assertThat(settings.user()).isEmpty();
        assertThat(settings.password()).contains("s3cret");
    }

    @Test
    void theConfigsCredentialsWin() {
        RedisTierConfig config =
                RedisTierConfig.builder().user("ops").password("fromConfig").build();

        ConnectionSettings settings = ConnectionSettings.parse("redis://app:fromUri@localhost", config);

        assertThat(settings.user()).contains("ops");
        assertThat(settings.password()).contains("fromConfig");
    }

    @Test
    void ipv6Hosts() {
        ConnectionSettings settings = ConnectionSettings.parse("redis://[::1]:7000", DEFAULTS);

        assertThat(settings.hostAndPort().getHost()).isEqualTo("::1");
        assertThat(settings.describe()).isEqualTo("redis://[::1]:7000");
    }

    @Test
    void theClientConfigCarriesTimeoutsCredentialsAndTls() {
        RedisTierConfig config = RedisTierConfig.builder()
                .connectTimeout(java.time.Duration.ofMillis(150))
                .socketTimeout(java.time.Duration.ofMillis(250))
                .build();

        JedisClientConfig plain =
                ConnectionSettings.parse("redis://u:p@h/3", config).clientConfig(config);
        JedisClientConfig tls = ConnectionSettings.parse("rediss://h", config).clientConfig(config);

        assertThat(plain.getConnectionTimeoutMillis()).isEqualTo(150);
        assertThat(plain.getSocketTimeoutMillis()).isEqualTo(250);
        assertThat(plain.getUser()).isEqualTo("u");
        assertThat(plain.getPassword()).isEqualTo("p");
        assertThat(plain.getDatabase()).isEqualTo(3);
        assertThat(plain.getSslOptions()).isNull();
        assertThat(tls.getSslOptions()).isNotNull();
        assertThat(tls.getSslOptions().getSslVerifyMode()).isEqualTo(redis.clients.jedis.SslVerifyMode.FULL);
    }

    @Test
    void malformedUrisAreRejectedWithoutShowingThePassword() {
        List<String> bad = List.of(
                "http://:s3cret@localhost",
                "redis://:s3cret@",
                "redis:s3cret",
                "redis://user@localhost",
                "redis://:s3cret@localhost/notanumber",
                "redis://:s3cret@localhost/1/2",
                "redis://:s3cret@localhost?protocol=3",
                "redis://:s3cret@localhost#frag",
                "redis://:s3c ret@localhost",
                "redis://:s3cret%zz@localhost",
                "");
        for (String uri : bad) {
            assertThatThrownBy(() -> ConnectionSettings.parse(uri, DEFAULTS))
                    .as(uri)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("uri ")
                    .message()
                    .doesNotContain("s3cret", "s3c ret");
        }
    }

    @Test
    void nullsAreRejectedNamingTheArgument() {
        assertThatNullPointerException()
                .isThrownBy(() -> ConnectionSettings.parse(null, DEFAULTS))
                .withMessage("uri");
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTier.connect("redis://localhost", null))
                .withMessage("config");
    }

    @Test
    void aUserWithoutAPasswordIsRejected() {
        RedisTierConfig config = RedisTierConfig.builder().user("ops").build();

        assertThatThrownBy(() -> RedisTier.connect("redis://localhost", config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ops' needs a password");
    }
}
