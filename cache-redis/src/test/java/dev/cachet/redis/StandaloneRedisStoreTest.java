package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** The store contract on the shared standalone server, plus what only the standalone factories do. */
@RedisTest
class StandaloneRedisStoreTest extends RemoteStoreContract {
    private static final RedisTierConfig CONFIG =
            RedisTierConfig.builder().socketTimeout(Duration.ofSeconds(2)).build();

    private static RedisServer redis;
    private static RedisTier tier;

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
        tier = RedisTier.connect(redis.uri(), CONFIG);
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
        try (Jedis jedis = connect()) {
            return ttlOfEveryKey(jedis);
        }
    }

    @Override
    long pttl(String key) {
        try (Jedis jedis = connect()) {
            return jedis.pttl(key);
        }
    }

    @Override
    void deleteKey(String key) {
        try (Jedis jedis = connect()) {
            jedis.del(key);
        }
    }

    private static Jedis connect() {
        return new Jedis(URI.create(redis.uri()));
    }

    /** Returns the PTTL of every key {@code jedis} sees, skipping keys that expire while it looks. */
    static Map<String, Long> ttlOfEveryKey(Jedis jedis) {
        Map<String, Long> ttls = new HashMap<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanResult<String> page;
        do {
            page = jedis.scan(cursor, new ScanParams().count(1_000));
            for (String key : page.getResult()) {
                long ttl = jedis.pttl(key);
                if (ttl != -2) {
                    ttls.put(key, ttl);
                }
            }
            cursor = page.getCursor();
        } while (!page.isCompleteIteration());
        return ttls;
    }

    @Test
    void describesTheServerWithoutCredentials() {
        String plain = "redis://" + redis.host() + ":" + redis.port();
        assertThat(tier.describe()).isEqualTo(plain);
        assertThat(tier.toString()).isEqualTo("RedisTier[" + plain + "]");
        assertThat(tier.config()).isEqualTo(CONFIG);
    }

    @Test
    void aClosedTiersStoresFail() {
        RedisTier closing = RedisTier.connect(redis.uri());
        RemoteStore store = closing.store("closing");
        store.put("k", utf8("v"), Duration.ofMinutes(1));

        closing.close();
        closing.close(); // idempotent

        assertThatThrownBy(() -> store.get("k"))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("get")
                .hasMessageContaining("'closing'")
                .hasMessageContaining("closed");
    }

    @Test
    void aCallerOwnedClientStaysOpen() {
        try (RedisClient client = RedisClient.create(URI.create(redis.uri()))) {
            RedisTier borrowed = RedisTier.using(
                    client, RedisTierConfig.builder().keyPrefix("borrowed").build());
            RemoteStore store = borrowed.store("owned");
            store.put("k", utf8("v"), Duration.ofMinutes(1));
            assertThat(borrowed.describe()).isEqualTo("redis via caller-owned RedisClient");

            borrowed.close();

            assertThat(client.get("borrowed:5:owned:{k}")).isEqualTo("v");
            assertThatThrownBy(() -> store.get("k")).isInstanceOf(CacheUnavailableException.class);
        }
    }

    @Test
    void tiersWithOtherPrefixesShareAServerWithoutMeeting() {
        try (RedisTier other = RedisTier.connect(
                redis.uri(), RedisTierConfig.builder().keyPrefix("other").build())) {
            RemoteStore mine = tier.store("shared-name");
            RemoteStore theirs = other.store("shared-name");
            mine.put("k", utf8("mine"), Duration.ofMinutes(1));
            theirs.put("k", utf8("theirs"), Duration.ofMinutes(1));

            theirs.deleteAll();

            assertThat(mine.get("k").map(RemoteStoreContract::text)).contains("mine");
            assertThat(theirs.get("k")).isEmpty();
        }
    }
}
