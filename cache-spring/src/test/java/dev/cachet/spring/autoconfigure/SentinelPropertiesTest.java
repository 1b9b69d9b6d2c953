package dev.cachet.spring.autoconfigure;

import static dev.cachet.spring.autoconfigure.Contexts.UNREACHABLE_REDIS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.redis.RedisTier;
import dev.cachet.testing.redis.RedisSentinel;
import dev.cachet.testing.redis.RedisTest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** {@code cachet.redis.sentinel.*}: a primary under Redis Sentinel, checked as the other Redis settings are. */
@RedisTest
@Timeout(60)
class SentinelPropertiesTest {

    @Test
    void connectsThroughTheSentinelsWithTheirOwnUserAndTheDataNodesUser(RedisSentinel sentinel) {
        Contexts.runner()
                .withPropertyValues(properties(sentinel))
                .withPropertyValues(
                        "cachet.caches.prices.tier=remote",
                        "cachet.caches.prices.expire-after-write=1m",
                        "cachet.caches.prices.codec=string")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RedisTier.class);
                    RedisTier tier = context.getBean(RedisTier.class);
                    assertThat(tier.describe()).startsWith("redis-sentinel://").endsWith("/" + sentinel.masterName());
                    assertThat(tier.config().sentinelUser()).contains(sentinel.sentinelUser());
                    @SuppressWarnings("unchecked")
                    Cache<String, String> prices = (Cache<String, String>)
                            context.getBean(CacheRegistry.class).find("prices").orElseThrow();
                    prices.put("k", "v");
                    try (Jedis primary = new Jedis(sentinel.primaryAddress(), sentinel.clientConfig())) {
                        assertThat(primary.exists("cachet:6:prices:{s:k}")).isTrue();
                    }
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "cachet.redis.sentinel.nodes=127.0.0.1:26379 | cachet.redis.sentinel.master | must name the primary",
                "cachet.redis.sentinel.master=mymaster | cachet.redis.sentinel.nodes | at least one Sentinel",
                "cachet.redis.sentinel.master=mymaster,cachet.redis.sentinel.nodes[0]=127.0.0.1:26379,"
                        + "cachet.redis.sentinel.nodes[1]=no-port | cachet.redis.sentinel.nodes[1] | host:port",
                "cachet.redis.sentinel.master=mymaster,cachet.redis.sentinel.nodes[0]=h:99999"
                        + " | cachet.redis.sentinel.nodes[0] | between 1 and 65535",
                "cachet.redis.sentinel.master=mymaster,cachet.redis.sentinel.nodes[0]=h:1,"
                        + "cachet.redis.sentinel.user=watcher | cachet.redis.sentinel.user | needs a sentinelPassword",
                "cachet.redis.sentinel.master=mymaster,cachet.redis.sentinel.nodes[0]=h:1,"
                        + "cachet.redis.sentinel.password= | cachet.redis.sentinel.password | must not be empty",
                "cachet.redis.sentinel.master=mymaster,cachet.redis.sentinel.nodes[0]=h:1,cachet.redis.url="
                        + UNREACHABLE_REDIS
                        + " | cachet.redis.sentinel.master | cannot be combined with cachet.redis.url",
                "cachet.redis.sentinel.nodes[0]=h:1,cachet.redis.cluster.nodes[0]=h:2"
                        + " | cachet.redis.sentinel.nodes | cannot be combined with cachet.redis.cluster.nodes",
            })
    void failsTheStartupNamingTheWrongProperty(String settings, String property, String reason) {
        Contexts.runner()
                .withPropertyValues(settings.split(","))
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure ->
                                assertThat(Contexts.messages(failure)).contains(property, reason)));
    }

    @Test
    void anUnknownMasterFailsTheStartupNamingItWithoutShowingPasswords(RedisSentinel sentinel) {
        List<String> settings = new ArrayList<>(List.of(properties(sentinel)));
        settings.removeIf(setting -> setting.startsWith("cachet.redis.sentinel.master="));
        settings.add("cachet.redis.sentinel.master=no-such-primary");
        Contexts.runner()
                .withPropertyValues(settings.toArray(new String[0]))
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.redis.sentinel.nodes", "'no-such-primary'")
                                .doesNotContain(sentinel.password())
                                .doesNotContain(sentinel.sentinelPassword())));
    }

    @Test
    void theSentinelPasswordStaysOutOfThePropertiesToString() {
        CachetProperties.Sentinel sentinel =
                new CachetProperties.Sentinel("mymaster", List.of("h:1"), "watcher", "s3ntinel");
        assertThat(sentinel.toString()).contains("watcher", "<set>").doesNotContain("s3ntinel");
    }

    private static String[] properties(RedisSentinel sentinel) {
        List<String> settings = new ArrayList<>();
        settings.add("cachet.redis.sentinel.master=" + sentinel.masterName());
        List<HostAndPort> nodes = new ArrayList<>(sentinel.sentinels());
        for (int i = 0; i < nodes.size(); i++) {
            settings.add("cachet.redis.sentinel.nodes[" + i + "]=" + nodes.get(i));
        }
        settings.add("cachet.redis.sentinel.user=" + sentinel.sentinelUser());
        settings.add("cachet.redis.sentinel.password=" + sentinel.sentinelPassword());
        settings.add("cachet.redis.user=" + sentinel.user());
        settings.add("cachet.redis.password=" + sentinel.password());
        return settings.stream().collect(Collectors.toList()).toArray(new String[0]);
    }
}
