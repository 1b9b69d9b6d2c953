package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.redis.RedisSentinel;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** The store contract on a primary under Redis Sentinel, plus what only {@link RedisTier#sentinel} does. */
@RedisTest
class SentinelRedisStoreTest extends RemoteStoreContract {
    private static final RedisTierConfig CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();

    private static RedisSentinel sentinel;
    private static RedisTier tier;

    @BeforeAll
    static void connect(RedisSentinel shared) {
        sentinel = shared;
        tier = SentinelTiers.connect(shared, CONFIG);
    }

    @AfterAll
    static void disconnect() {
        if (tier != null) {
            tier.close();
        }
    }

    @Override
    RedisTier tier() {
        return tier;
    }

    @Override
    Map<String, Long> ttlOfEveryKey() {
        try (Jedis jedis = primary()) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis);
        }
    }

    @Override
    long pttl(String key) {
        try (Jedis jedis = primary()) {
            return jedis.pttl(key);
        }
    }

    @Override
    void deleteKey(String key) {
        try (Jedis jedis = primary()) {
            jedis.del(key);
        }
    }

    private static Jedis primary() {
        return new Jedis(sentinel.primaryAddress(), sentinel.clientConfig());
    }

    @Test
    void writesGoToThePrimaryNamedBySentinelAndReachTheReplica() {
        RemoteStore store = tier.store("where");
        store.put("k", utf8("v"), Duration.ofMinutes(1));

        try (Jedis jedis = primary()) {
            assertThat(jedis.get("cachet:5:where:{k}")).isEqualTo("v");
            assertThat(jedis.waitReplicas(1, 5_000)).isEqualTo(1);
        }
        HostAndPort replica = sentinel.dataNodes().stream()
                .map(node -> new HostAndPort(node.host(), node.port()))
                .filter(node -> !node.equals(sentinel.primaryAddress()))
                .findFirst()
                .orElseThrow();
        try (Jedis jedis = new Jedis(replica, sentinel.clientConfig())) {
            assertThat(jedis.get("cachet:5:where:{k}")).isEqualTo("v");
        }
    }

    @Test
    void describesTheSentinelsAndTheMasterNameWithoutCredentials() {
        String sentinels = sentinel.sentinels().stream()
                .map(HostAndPort::toString)
                .sorted()
                .collect(Collectors.joining(","));
        assertThat(tier.describe()).isEqualTo("redis-sentinel://" + sentinels + "/" + sentinel.masterName());
        assertThat(tier.toString()).doesNotContain(sentinel.password()).doesNotContain(sentinel.sentinelPassword());
    }

    @Test
    void checksItsArguments() {
        Set<HostAndPort> sentinels = sentinel.sentinels();
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTier.sentinel(null, sentinels, CONFIG))
                .withMessage("masterName");
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTier.sentinel("m", null, CONFIG))
                .withMessage("sentinels");
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTier.sentinel("m", sentinels, null))
                .withMessage("config");
        Set<HostAndPort> withNull = new HashSet<>();
        withNull.add(null);
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTier.sentinel("m", withNull, CONFIG))
                .withMessage("sentinels element");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisTier.sentinel(" ", sentinels, CONFIG))
                .withMessage("masterName must not be blank, was ' '");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisTier.sentinel("m", Set.of(), CONFIG))
                .withMessage("sentinels must name at least one Sentinel, was empty");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisTier.sentinel(
                        "m", sentinels, RedisTierConfig.builder().user("u").build()))
                .withMessage("user 'u' needs a password in the config");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisTier.sentinel(
                        "m",
                        sentinels,
                        RedisTierConfig.builder().sentinelUser("w").build()))
                .withMessage("sentinelUser 'w' needs a sentinelPassword in the config");
    }

    @Test
    void anUnknownMasterNameFailsAtOnceNamingIt() {
        RedisTierConfig config = SentinelTiers.withCredentials(sentinel, CONFIG);
        assertThatThrownBy(() -> RedisTier.sentinel("no-such-primary", sentinel.sentinels(), config))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("'no-such-primary'")
                .hasMessageContaining("not monitored");
    }

    @Test
    void wrongSentinelCredentialsFailWithoutShowingThePassword() {
        RedisTierConfig config = new RedisTierConfig(
                "cachet",
                CONFIG.connectTimeout(),
                CONFIG.socketTimeout(),
                CONFIG.maxConnections(),
                CONFIG.maxKeyLength(),
                java.util.Optional.of(sentinel.user()),
                java.util.Optional.of(sentinel.password()),
                false,
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                java.util.Optional.of(sentinel.sentinelUser()),
                java.util.Optional.of("wrong-s3ntinel-password"),
                CONFIG.heartbeatTimeout());
        assertThatThrownBy(() -> RedisTier.sentinel(sentinel.masterName(), sentinel.sentinels(), config))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining(sentinel.masterName())
                .hasMessageNotContaining("wrong-s3ntinel-password");
    }

    @Test
    void theDataNodesAskForTheirOwnUser() {
        RedisTierConfig sentinelOnly = RedisTierConfig.builder()
                .sentinelUser(sentinel.sentinelUser())
                .sentinelPassword(sentinel.sentinelPassword())
                .build();
        try (RedisTier anonymous = RedisTier.sentinel(sentinel.masterName(), sentinel.sentinels(), sentinelOnly)) {
            assertThatThrownBy(() -> anonymous.store("anonymous").get("k"))
                    .isInstanceOf(CacheUnavailableException.class)
                    .hasMessageContaining("NOPERM");
        }
    }
}
