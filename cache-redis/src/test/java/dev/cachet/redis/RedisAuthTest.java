package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheUnavailableException;
import dev.cachet.Cachet;
import dev.cachet.FailurePolicy;
import dev.cachet.NearStats;
import dev.cachet.RemoteConfig;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** ACL users and passwords come from the URI; a wrong one is a clear failure that never leaks the password. */
@RedisTest
class RedisAuthTest {
    private static RedisServer server;

    @BeforeAll
    static void createUser(@Dedicated RedisServer dedicated) {
        server = dedicated;
        try (Jedis admin = new Jedis(dedicated.host(), dedicated.port())) {
            admin.aclSetUser("alice", "on", ">s3cret", "~*", "&*", "+@all");
            admin.aclSetUser("default", "off"); // only alice may connect from now on
        }
    }

    private static String uri(String userInfo) {
        return "redis://" + userInfo + "@" + server.host() + ":" + server.port();
    }

    private static Cache<String, String> cache(RedisTier tier, FailurePolicy policy) {
        return Cachet.builder("auth")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1))
                .remote(
                        tier,
                        Codec.string(),
                        RemoteConfig.custom().failurePolicy(policy).build())
                .build();
    }

    @Test
    void aUserAndPasswordFromTheUriAuthenticate() {
        try (RedisTier tier = RedisTier.connect(uri("alice:s3cret"))) {
            Cache<String, String> cache = cache(tier, FailurePolicy.FAIL_CLOSED);
            cache.put("k", "v");
            assertThat(cache.getIfPresent("k")).isEqualTo("v");
            assertThat(tier.describe()).doesNotContain("s3cret");
        }
        try (Jedis alice = new Jedis(server.host(), server.port())) {
            alice.auth("alice", "s3cret");
            // The value, and its fence: a put bumps it.
            assertThat(alice.keys("cachet:4:auth:*"))
                    .containsExactlyInAnyOrder("cachet:4:auth:{s:k}", "cachet:4:auth:{s:k}:fence");
        }
    }

    @Test
    void aWrongPasswordFailsClearlyWithoutLeakingIt() {
        try (RedisTier tier = RedisTier.connect(uri("alice:wrong-password"))) {
            Cache<String, String> closed = cache(tier, FailurePolicy.FAIL_CLOSED);
            assertThatThrownBy(() -> closed.getIfPresent("k"))
                    .isInstanceOf(CacheUnavailableException.class)
                    .hasMessageContaining("'auth'")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-password"));
        }
        try (RedisTier tier = RedisTier.connect(uri("alice:wrong-password"))) {
            Cache<String, String> open = cache(tier, FailurePolicy.FAIL_OPEN);
            assertThat(open.get("k", key -> "from-loader")).isEqualTo("from-loader");
            assertThat(open.remoteStats().orElseThrow().errors()).isPositive();
        }
    }

    /**
     * A user who may write but not {@code PUBLISH}: the near cache's writes go through all the same, and each message it
     * could not send is counted (and the first logged as a warning) rather than thrown or dropped unseen.
     */
    @Test
    void aUserWhoMayNotPublishStillWritesAndCountsTheMessagesNotSent() {
        try (Jedis admin = new Jedis(server.host(), server.port())) {
            admin.auth("alice", "s3cret");
            admin.aclSetUser("bob", "on", ">s3cret", "~*", "&*", "+@all", "-publish");
        }
        try (RedisTier asBob = RedisTier.connect(uri("bob:s3cret"));
                RedisTier asAlice = RedisTier.connect(uri("alice:s3cret"))) {
            Cache<String, String> writer = Cachet.builder("auth-near")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(1))
                    .remote(asBob, Codec.string())
                    .nearCache(100, Duration.ofMinutes(1))
                    .build();

            writer.put("k", "v1");

            NearStats near = writer.nearStats().orElseThrow();
            assertThat(near.invalidationsNotSent())
                    .as("the put's ahead message and its own")
                    .isEqualTo(2);
            Cache<String, String> remoteOnly = Cachet.builder("auth-near")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(1))
                    .remote(asAlice, Codec.string())
                    .build();
            assertThat(remoteOnly.getIfPresent("k"))
                    .as("the write went through")
                    .isEqualTo("v1");
            assertThat(writer.remoteStats().orElseThrow().errors())
                    .as("the tier answered every write")
                    .isZero();
        }
    }
}
