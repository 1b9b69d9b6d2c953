package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's cross-process test of {@code staleIfError} (TTL {@value #TTL_MILLIS} ms, grace {@value #GRACE_MILLIS}
 * ms): process A (this JVM) writes; process B ({@link StaleIfErrorWorker}, a JVM of its own) reads the value into its
 * near tier; the value expires and the source fails: B's remote-only cache serves the expired value Redis still holds.
 * Then Redis is killed: B's and A's near tiers serve their expired copies and count them, until the grace ends, after
 * which both get the loader's exception. The figures are printed (in the surefire report's output file).
 */
@RedisTest
@Timeout(value = 90, unit = TimeUnit.SECONDS) // a worker JVM and the TTL plus the grace: about 10 s on an idle machine
class StaleIfErrorAcrossProcessesTest {
    static final long TTL_MILLIS = 2_000;
    static final long GRACE_MILLIS = 5_000;
    private static final Duration AWAIT = Duration.ofSeconds(20);

    /** Connects to Redis with short timeouts, so that calls to a killed server fail fast; used by the worker too. */
    static RedisTier tier(String uri) {
        return RedisTier.connect(
                uri,
                RedisTierConfig.builder()
                        .connectTimeout(Duration.ofMillis(300))
                        .socketTimeout(Duration.ofMillis(300))
                        .build());
    }

    static Cache<String, String> near(RedisTier tier, String prefix, CacheRegistry registry) {
        return Cachet.builder(prefix + "-near")
                .registry(registry)
                .expireAfterWrite(Duration.ofMillis(TTL_MILLIS))
                .staleIfError(Duration.ofMillis(GRACE_MILLIS))
                .remote(tier, Codec.string())
                .nearCache(100, Duration.ofMinutes(1))
                .build();
    }

    static Cache<String, String> remote(RedisTier tier, String prefix, CacheRegistry registry) {
        return Cachet.builder(prefix + "-remote")
                .registry(registry)
                .expireAfterWrite(Duration.ofMillis(TTL_MILLIS))
                .staleIfError(Duration.ofMillis(GRACE_MILLIS))
                .remote(tier, Codec.string())
                .build();
    }

    @Test
    void bothProcessesServeTheExpiredValueWhileRedisIsDownAndTheSourceFailsUntilTheGraceEnds(
            @Dedicated RedisServer redis) throws Exception {
        String prefix = "stale-" + UUID.randomUUID();
        try (RedisTier tier = tier(redis.uri());
                Worker b = Worker.start(redis.uri(), prefix)) {
            Cache<String, String> nearA = near(tier, prefix, CacheRegistry.create());
            Cache<String, String> remoteA = remote(tier, prefix, CacheRegistry.create());
            // B's first calls load its Lua scripts and code paths: made before the write, so that its read comes
            // well within the TTL even on a loaded machine.
            assertThat(b.get("near", "warm-up")).startsWith("error=IllegalStateException");
            assertThat(b.get("remote", "warm-up")).startsWith("error=IllegalStateException");
            long written = System.nanoTime();
            nearA.put("k", "v1");
            remoteA.put("k", "v1");
            // A's message about its write must reach B before B reads: arriving after, it would drop B's copy.
            await().atMost(AWAIT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .alias("B hears A's invalidation")
                    .until(() -> b.heard().equals("invalidations=1"));
            assertThat(b.get("near", "k"))
                    .as("B reads A's value into its near tier before it expires")
                    .isEqualTo("value=v1 staleServed=0 loads=2");
            long filledMillis = millisSince(written);

            await().atMost(AWAIT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .alias("the value expires")
                    .until(() -> remoteA.getIfPresent("k") == null);
            String fromRedis = b.get("remote", "k");
            long expiredMillis = millisSince(written);
            assertThat(fromRedis)
                    .as("B's remote-only cache: Redis still holds the expired value and serves it")
                    .isEqualTo("value=v1 staleServed=1 loads=3");

            redis.kill();
            long killedMillis = millisSince(written);
            assertThat(b.get("near", "k"))
                    .as("B, Redis down, source down: its near copy")
                    .isEqualTo("value=v1 staleServed=1 loads=4");
            assertThat(nearA.get("k", StaleIfErrorAcrossProcessesTest::failing))
                    .as("A, Redis down, source down: its near copy")
                    .isEqualTo("v1");
            assertThat(nearA.stats().staleServedCount()).isEqualTo(1);
            assertThat(b.get("remote", "k"))
                    .as("B's remote-only cache has no copy to serve with Redis down")
                    .startsWith("error=IllegalStateException");

            List<String> staleAnswers = new ArrayList<>();
            String last = b.get("near", "k");
            while (last.startsWith("value=v1")) {
                staleAnswers.add(last);
                assertThat(millisSince(written))
                        .as("B served its copy within TTL + grace + a margin: %s", last)
                        .isLessThan(TTL_MILLIS + GRACE_MILLIS + AWAIT.toMillis());
                last = b.get("near", "k");
            }
            long graceEndedMillis = millisSince(written);
            assertThat(last).as("after the grace, the loader's exception").startsWith("error=IllegalStateException");
            assertThat(graceEndedMillis)
                    .as("not before TTL + grace (less rounding)")
                    .isGreaterThanOrEqualTo(TTL_MILLIS + GRACE_MILLIS - 50);
            await().atMost(AWAIT).alias("A's grace ends too").until(() -> {
                try {
                    nearA.get("k", StaleIfErrorAcrossProcessesTest::failing);
                    return false;
                } catch (IllegalStateException e) {
                    return true;
                }
            });
            System.out.printf(
                    "stale-if-error across processes: TTL %d ms, grace %d ms; B filled its near tier at %d ms, read the"
                            + " expired value from Redis at %d ms, Redis killed at %d ms; B then served its near copy"
                            + " %d more times, last %s; first exception at %d ms; A served %d stale values%n",
                    TTL_MILLIS,
                    GRACE_MILLIS,
                    filledMillis,
                    expiredMillis,
                    killedMillis,
                    staleAnswers.size() + 1,
                    staleAnswers.isEmpty() ? "-" : staleAnswers.get(staleAnswers.size() - 1),
                    graceEndedMillis,
                    nearA.stats().staleServedCount());
        }
    }

    private static String failing(String key) {
        throw new IllegalStateException("source down for " + key);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** Process B: a {@link StaleIfErrorWorker} JVM, spoken to over its standard input and output. */
    private static final class Worker implements AutoCloseable {
        private final Process process;
        private final PrintStream commands;
        private final BufferedReader answers;
        private final StringBuilder said = new StringBuilder();

        private Worker(Process process) {
            this.process = process;
            this.commands = new PrintStream(process.getOutputStream(), true, UTF_8);
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        }

        static Worker start(String uri, String prefix) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx128m");
            command.add("-XX:TieredStopAtLevel=1");
            command.add("-cp");
            command.add(Stream.of(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                    .filter(part -> !part.isEmpty())
                    .collect(Collectors.joining(File.pathSeparator)));
            command.add(StaleIfErrorWorker.class.getName());
            command.add(uri);
            command.add(prefix);
            Worker worker = new Worker(
                    new ProcessBuilder(command).redirectErrorStream(true).start());
            worker.awaitLine(StaleIfErrorWorker.READY);
            return worker;
        }

        /** Asks B to read {@code key} from its near or remote cache and returns its answer without the prefix. */
        String get(String cache, String key) throws IOException {
            commands.println("get " + cache + " " + key);
            return awaitLine(StaleIfErrorWorker.RESULT)
                    .substring(StaleIfErrorWorker.RESULT.length())
                    .strip();
        }

        /** Asks B how many invalidation messages its near cache received, as {@code invalidations=<n>}. */
        String heard() throws IOException {
            commands.println("heard");
            return awaitLine(StaleIfErrorWorker.RESULT)
                    .substring(StaleIfErrorWorker.RESULT.length())
                    .strip();
        }

        /** Returns the next line starting with {@code prefix}, skipping the worker's log lines. */
        private String awaitLine(String prefix) throws IOException {
            for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                said.append(line).append(System.lineSeparator());
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new AssertionError(
                    "the worker ended without a line starting with '" + prefix + "'; it said:\n" + said);
        }

        @Override
        public void close() throws InterruptedException {
            commands.println("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
