package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * {@code cacheNulls} on real Redis: the null marker's own TTL in Redis, the near tier, and a second JVM that sees the
 * null one process cached without calling its loader.
 */
@RedisTest
class RedisNullCachingTest {
    static final Duration NULL_TTL = Duration.ofSeconds(30);
    static final Duration TTL = Duration.ofMinutes(5);

    private final String prefix = "nulls-" + UUID.randomUUID();
    private final List<RedisTier> tiers = new ArrayList<>();
    private final AtomicInteger loads = new AtomicInteger();

    @AfterEach
    void closeTiers() {
        tiers.forEach(RedisTier::close);
    }

    /** Connects to Redis under {@code prefix}; used by the worker JVM too. */
    static RedisTier tier(String uri, String prefix) {
        return RedisTier.connect(
                uri,
                RedisTierConfig.builder()
                        .keyPrefix(prefix)
                        .connectTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(2))
                        .build());
    }

    static Cache<String, String> remote(RedisTier tier, CacheRegistry registry) {
        return Cachet.builder("nulls-remote")
                .registry(registry)
                .expireAfterWrite(TTL)
                .cacheNulls(NULL_TTL)
                .remote(tier, Codec.string())
                .<String, String>build();
    }

    static Cache<String, String> near(RedisTier tier, CacheRegistry registry) {
        return Cachet.builder("nulls-near")
                .registry(registry)
                .expireAfterWrite(TTL)
                .cacheNulls(NULL_TTL)
                .remote(tier, Codec.string())
                .nearCache(100, Duration.ofMinutes(1))
                .<String, String>build();
    }

    private RedisTier tier(RedisServer redis) {
        RedisTier tier = tier(redis.uri(), prefix);
        tiers.add(tier);
        return tier;
    }

    private @Nullable String nothing(String key) {
        loads.incrementAndGet();
        return null;
    }

    @Test
    void aNullIsWrittenWithItsOwnTtlAndReadBackWithoutLoading(RedisServer redis) {
        Cache<String, String> a = remote(tier(redis), CacheRegistry.create());
        Cache<String, String> b = remote(tier(redis), CacheRegistry.create());
        assertThat(a.get("k", this::nothing)).isNull();
        assertThat(b.get("k", this::nothing)).isNull();
        assertThat(b.getIfPresent("k")).isNull();
        assertThat(loads).hasValue(1);

        Map<String, Long> ttls = ttlsUnderPrefix(redis);
        assertThat(ttls).hasSize(1);
        assertThat(ttls.values())
                .as("the marker's Redis TTL is the null TTL, not expireAfterWrite")
                .allSatisfy(ttl -> assertThat(ttl).isPositive().isLessThanOrEqualTo(NULL_TTL.toMillis()));

        b.put("k", "v");
        assertThat(a.get("k", this::nothing)).isEqualTo("v");
        assertThat(ttlsUnderPrefix(redis).values())
                .allSatisfy(ttl -> assertThat(ttl).isGreaterThan(NULL_TTL.toMillis()));
        a.invalidate("k");
        assertThat(b.get("k", key -> "back")).isEqualTo("back");
    }

    @Test
    void aNearCacheHoldsTheNullAndDropsItWhenAnotherProcessWrites(RedisServer redis) {
        Cache<String, String> a = near(tier(redis), CacheRegistry.create());
        Cache<String, String> b = near(tier(redis), CacheRegistry.create());
        assertThat(a.get("k", this::nothing)).isNull();
        assertThat(b.get("k", this::nothing)).isNull();
        assertThat(b.get("k", this::nothing)).isNull();
        assertThat(b.nearStats().orElseThrow().hits())
                .as("the second read is a near hit")
                .isEqualTo(1);
        assertThat(loads).hasValue(1);

        a.put("k", "v");
        await().atMost(5, TimeUnit.SECONDS).until(() -> "v".equals(b.get("k", this::nothing)));
        assertThat(loads).hasValue(1);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS) // a second JVM starts
    void aSecondProcessSeesTheCachedNullWithoutCallingItsLoader(RedisServer redis)
            throws IOException, InterruptedException {
        RedisTier tier = tier(redis);
        Cache<String, String> remote = remote(tier, CacheRegistry.create());
        Cache<String, String> near = near(tier, CacheRegistry.create());
        for (String key : List.of("a", "b")) {
            assertThat(remote.get(key, this::nothing)).isNull();
            assertThat(near.get(key, this::nothing)).isNull();
        }
        assertThat(loads).as("one load per key and cache in this process").hasValue(4);

        String output = runWorker(redis.uri(), "a", "b");
        String result = output.lines()
                .filter(line -> line.startsWith(NullCachingWorker.RESULT))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the worker printed no result:\n" + output));
        assertThat(result)
                .as("the other process loads nothing: every read is the cached null")
                .isEqualTo(NullCachingWorker.RESULT + " loads=0 reads="
                        + Stream.generate(() -> "null").limit(16).collect(Collectors.joining(" ")));
        assertThat(loads)
                .as("loads per key and cache across both processes: exactly 1")
                .hasValue(4);
    }

    private String runWorker(String uri, String... keys) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(Stream.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .filter(part -> !part.isEmpty())
                .collect(Collectors.joining(File.pathSeparator)));
        command.add(NullCachingWorker.class.getName());
        command.add(uri);
        command.add(prefix);
        command.addAll(List.of(keys));
        Process worker = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            boolean ended = worker.waitFor(60, TimeUnit.SECONDS);
            String output = new String(worker.getInputStream().readAllBytes(), UTF_8);
            assertThat(ended).as("the worker ended; it said:%n%s", output).isTrue();
            assertThat(worker.exitValue())
                    .as("the worker's exit code; it said:%n%s", output)
                    .isZero();
            return output;
        } finally {
            worker.destroyForcibly();
        }
    }

    private Map<String, Long> ttlsUnderPrefix(RedisServer redis) {
        try (Jedis jedis = new Jedis(URI.create(redis.uri()))) {
            return StandaloneRedisStoreTest.ttlOfEveryKey(jedis).entrySet().stream()
                    .filter(entry -> entry.getKey().startsWith(prefix + ":")
                            && entry.getKey().endsWith("}"))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }
}
