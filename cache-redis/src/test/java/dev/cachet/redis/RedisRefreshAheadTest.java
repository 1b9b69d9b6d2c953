package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.LoadingCache;
import dev.cachet.RemoteConfig;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Refresh-ahead ({@code refreshAfterWrite}) on real Redis: between caches of one JVM on a fake ticker, and across two
 * JVMs in real time, where the loads of each refresh round are counted: exactly one per round, for a remote and for a
 * near cache. The loads per round of both runs are printed after the class (in the surefire report's output file).
 */
@RedisTest
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisRefreshAheadTest {
    private static final int WORKERS = 2;
    private static final int THREADS = 4;
    private static final Duration RUN = Duration.ofSeconds(6);
    private static final Map<String, List<Long>> LOADS_PER_ROUND = Collections.synchronizedMap(new TreeMap<>());

    private final String prefix = "refresh-" + UUID.randomUUID();
    private final List<RedisTier> tiers = new ArrayList<>();
    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger loads = new AtomicInteger();
    private final Function<String, String> loader = key -> key + "-v" + loads.incrementAndGet();

    @AfterEach
    void closeTiers() {
        tiers.forEach(RedisTier::close);
    }

    private Cache<String, String> process(RedisServer redis, boolean near) {
        RedisTier tier = RedisNullCachingTest.tier(redis.uri(), prefix);
        tiers.add(tier);
        var builder = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(1))
                .ticker(ticker)
                .executor(Runnable::run) // the refresh runs in the read that found the value due
                .remote(
                        tier,
                        Codec.string(),
                        RemoteConfig.custom().clock(ticker.clock()).build());
        return near ? builder.nearCache(100, Duration.ofMinutes(2)).build() : builder.build();
    }

    @Test
    void oneProcessRefreshesAndEveryProcessSeesTheNewValue(RedisServer redis) {
        Cache<String, String> a = process(redis, false);
        Cache<String, String> b = process(redis, false);
        assertThat(a.get("k", loader)).isEqualTo("k-v1");
        assertThat(b.get("k", loader)).isEqualTo("k-v1");
        ticker.advance(Duration.ofMinutes(1));

        assertThat(b.get("k", loader)).as("the old value, then the refresh").isEqualTo("k-v1");

        assertThat(a.get("k", loader)).isEqualTo("k-v2");
        assertThat(b.get("k", loader)).isEqualTo("k-v2");
        assertThat(loads).hasValue(2);
        assertThat(b.remoteStats().orElseThrow().refreshes()).isEqualTo(1);
    }

    @Test
    void aRefreshDropsTheNearCopiesOfEveryProcess(RedisServer redis) {
        Cache<String, String> a = process(redis, true);
        Cache<String, String> b = process(redis, true);
        assertThat(a.get("k", loader)).isEqualTo("k-v1");
        assertThat(b.get("k", loader)).isEqualTo("k-v1");
        ticker.advance(Duration.ofSeconds(30));
        a.get("k", loader);
        assertThat(a.nearStats().orElseThrow().hits()).as("fresh: a near hit").isEqualTo(1);
        ticker.advance(Duration.ofSeconds(30));

        assertThat(a.get("k", loader))
                .as("due: read from Redis, then refreshed")
                .isEqualTo("k-v1");

        assertThat(a.get("k", loader)).isEqualTo("k-v2");
        await().atMost(5, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(b.nearStats().orElseThrow().invalidationsReceived())
                        .isEqualTo(1));
        assertThat(b.get("k", loader)).isEqualTo("k-v2");
        assertThat(loads).hasValue(2);
    }

    @Test
    void aLoadingCacheOverRedisRefreshesWithItsLoader(RedisServer redis) {
        RedisTier tier = RedisNullCachingTest.tier(redis.uri(), prefix);
        tiers.add(tier);
        LoadingCache<String, String> cache = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(1))
                .ticker(ticker)
                .executor(Runnable::run)
                .remote(
                        tier,
                        Codec.string(),
                        RemoteConfig.custom().clock(ticker.clock()).build())
                .build(loader);
        assertThat(cache.get("k")).isEqualTo("k-v1");
        ticker.advance(Duration.ofMinutes(1));
        assertThat(cache.get("k")).isEqualTo("k-v1");
        assertThat(cache.get("k")).isEqualTo("k-v2");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // two JVMs start
    void acrossTwoJvmsEachRefreshRoundLoadsOnceOnARemoteCache(RedisServer redis)
            throws IOException, InterruptedException {
        acrossJvms(redis, "remote");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // two JVMs start
    void acrossTwoJvmsEachRefreshRoundLoadsOnceOnANearCache(RedisServer redis)
            throws IOException, InterruptedException {
        acrossJvms(redis, "near");
    }

    /**
     * Runs {@value #WORKERS} worker JVMs of {@value #THREADS} threads reading one key for {@link #RUN}, refreshed every
     * {@link RefreshAheadWorker#REFRESH}, and counts the loads of each round: loads that start within half a refresh
     * interval of the round's first belong to it (a round's loads begin within one read of its refresh point, and
     * rounds are a refresh interval plus a load apart). The first round is the initial miss.
     */
    private void acrossJvms(RedisServer redis, String kind) throws IOException, InterruptedException {
        List<Process> workers = new ArrayList<>();
        try (Jedis jedis = new Jedis(URI.create(redis.uri()))) {
            for (int i = 0; i < WORKERS; i++) {
                workers.add(startWorker(redis.uri(), kind, "w" + i));
            }
            long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < WORKERS; i++) {
                String ready = RefreshAheadWorker.readyKey(prefix, "w" + i);
                while (jedis.get(ready) == null) {
                    assertThat(System.nanoTime() - readyBy)
                            .as("worker w%d ready in time", i)
                            .isNegative();
                    assertThat(workers.get(i).isAlive())
                            .as("worker w%d alive", i)
                            .isTrue();
                    TimeUnit.MILLISECONDS.sleep(20); // waiting for another JVM to start, not for the cache
                }
            }
            jedis.set(RefreshAheadWorker.goKey(prefix), Long.toString(System.currentTimeMillis() + RUN.toMillis()));
            List<String> results = new ArrayList<>();
            for (Process worker : workers) {
                results.add(result(worker));
            }
            List<Long> starts = jedis.lrange(RefreshAheadWorker.logKey(prefix), 0, -1).stream()
                    .map(entry -> Long.parseLong(entry.substring(0, entry.indexOf(':'))))
                    .sorted()
                    .toList();
            List<Long> perRound = loadsPerRound(starts);
            LOADS_PER_ROUND.put(kind, perRound);
            String said = String.join(System.lineSeparator(), results);

            assertThat(perRound)
                    .as("loads per round (%s), the first the initial miss; the workers said:%n%s", kind, said)
                    .hasSizeGreaterThanOrEqualTo(4)
                    .containsOnly(1L);
            assertThat(results)
                    .as("every process saw the values of the refreshes, up to the last but one")
                    .allSatisfy(result -> assertThat(result).contains("v" + (starts.size() - 1)));
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
    }

    private static List<Long> loadsPerRound(List<Long> starts) {
        List<Long> rounds = new ArrayList<>();
        long roundStart = Long.MIN_VALUE;
        for (long start : starts) {
            if (rounds.isEmpty() || start - roundStart > RefreshAheadWorker.REFRESH.toMillis() / 2) {
                rounds.add(1L);
                roundStart = start;
            } else {
                rounds.set(rounds.size() - 1, rounds.get(rounds.size() - 1) + 1);
            }
        }
        return rounds;
    }

    private Process startWorker(String uri, String kind, String id) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(Stream.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .filter(part -> !part.isEmpty())
                .collect(Collectors.joining(File.pathSeparator)));
        command.add(RefreshAheadWorker.class.getName());
        command.addAll(List.of(uri, prefix, kind, id, Integer.toString(THREADS)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String result(Process worker) throws IOException, InterruptedException {
        String output = new String(worker.getInputStream().readAllBytes(), UTF_8);
        boolean ended = worker.waitFor(60, TimeUnit.SECONDS);
        assertThat(ended).as("the worker ended; it said:%n%s", output).isTrue();
        assertThat(worker.exitValue())
                .as("the worker's exit code; it said:%n%s", output)
                .isZero();
        return output.lines()
                .filter(line -> line.startsWith(RefreshAheadWorker.RESULT))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the worker printed no result:\n" + output));
    }

    @AfterAll
    static void printLoadsPerRound() {
        if (!LOADS_PER_ROUND.isEmpty()) {
            System.out.println("Loads per refresh round across " + WORKERS + " JVMs x " + THREADS
                    + " threads (first: the initial miss): " + LOADS_PER_ROUND);
        }
    }
}
