package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.redis.StampedeWorker.Mode;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Issue 3's acceptance test for the cross-process load lock: {@value #PROCESSES} JVMs of {@value #THREADS} threads
 * each ask for one key through {@value #ROUNDS} expiries (see {@link StampedeWorker}), and the loader, which counts
 * its runs in Redis, runs exactly once per expiry. With the lock off the same run shows the stampede: every process
 * loads on every expiry. The loads per round of both runs are printed as a table after the class (in the surefire
 * report's output file).
 */
@RedisTest
class StampedeAcrossProcessesTest {
    private static final int PROCESSES = 4;
    private static final int THREADS = 16;
    private static final int ROUNDS = 20;
    private static final Duration PERIOD = Duration.ofMillis(400);
    /** How long the JVMs may take to start and warm up. */
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    /** Time from the last worker's readiness to round 0, for the start instant to reach them all. */
    private static final Duration START_DELAY = Duration.ofSeconds(1);
    /** How long past the last round a worker may take before it is killed. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static final Map<Mode, List<Long>> LOADS_PER_ROUND = Collections.synchronizedMap(new EnumMap<>(Mode.class));

    /** What the workers of one run did: their exit codes, their output, and the loads Redis counted per round. */
    private record Run(List<Integer> exitCodes, String output, List<Long> loads) {
        long total() {
            return loads.stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void theLoaderRunsOncePerExpiryAcrossProcesses(RedisServer redis, @TempDir Path logs) throws Exception {
        Run run = run(redis, Mode.LOCKED, logs);

        assertThat(run.exitCodes())
                .as("worker exit codes; they said:%n%s", run.output())
                .containsOnly(0);
        assertThat(run.loads())
                .as("loads per round with the lock, one per expiry expected; the workers said:%n%s", run.output())
                .hasSize(ROUNDS)
                .containsOnly(1L);
    }

    @Test
    void withoutTheLockEveryProcessLoadsOnEveryExpiry(RedisServer redis, @TempDir Path logs) throws Exception {
        Run run = run(redis, Mode.UNLOCKED, logs);

        assertThat(run.exitCodes())
                .as("worker exit codes; they said:%n%s", run.output())
                .containsOnly(0);
        assertThat(run.loads())
                .as("loads per round without the lock; the workers said:%n%s", run.output())
                .hasSize(ROUNDS)
                .doesNotContain(0L);
        // Each process loads once a round through its own single flight, so about PROCESSES loads a round; it takes
        // most processes starting a round LOAD_TIME late, round after round, to fall to half of that.
        assertThat(run.total())
                .as(
                        "total loads without the lock (%d processes, %d rounds): %s; the workers said:%n%s",
                        PROCESSES, ROUNDS, run.loads(), run.output())
                .isGreaterThanOrEqualTo(2L * ROUNDS);
    }

    @AfterAll
    static void printLoadsPerRound() {
        if (LOADS_PER_ROUND.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                "Loads per round: %d processes x %d threads, one key expiring every %d ms, load time %d ms%n",
                PROCESSES, THREADS, PERIOD.toMillis(), StampedeWorker.LOAD_TIME.toMillis()));
        table.append("round");
        LOADS_PER_ROUND.keySet().forEach(mode -> table.append(String.format(" %9s", mode.argument())));
        table.append(System.lineSeparator());
        for (int round = 0; round < ROUNDS; round++) {
            table.append(String.format("%5d", round));
            for (List<Long> loads : LOADS_PER_ROUND.values()) {
                table.append(String.format(" %9d", loads.get(round)));
            }
            table.append(System.lineSeparator());
        }
        table.append("total");
        LOADS_PER_ROUND
                .values()
                .forEach(loads -> table.append(String.format(
                        " %9d", loads.stream().mapToLong(Long::longValue).sum())));
        System.out.println(table);
    }

    /** Clears the counters, runs the workers in {@code mode} and reads what they counted. */
    private static Run run(RedisServer redis, Mode mode, Path logs) throws IOException, InterruptedException {
        try (RedisClient jedis = RedisClient.create(URI.create(redis.uri()))) {
            for (int round = 0; round < ROUNDS; round++) {
                jedis.del(StampedeWorker.LOADS_KEY_PREFIX + round);
            }

            List<Process> workers = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            List<Integer> exitCodes = new ArrayList<>();
            try {
                for (int i = 0; i < PROCESSES; i++) {
                    Path output = logs.resolve(mode.argument() + "-worker-" + i + ".log");
                    outputs.add(output);
                    workers.add(new ProcessBuilder(workerCommand(redis.uri(), mode))
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start());
                }
                long readyDeadline = System.currentTimeMillis() + STARTUP_LIMIT.toMillis();
                for (int i = 0; i < PROCESSES; i++) {
                    awaitReady(workers.get(i), outputs.get(i), readyDeadline);
                }
                long start = System.currentTimeMillis() + START_DELAY.toMillis();
                for (Process worker : workers) {
                    sendStart(worker, start);
                }
                long deadline = start + ROUNDS * PERIOD.toMillis() + GRACE.toMillis();
                for (Process worker : workers) {
                    long left = Math.max(1, deadline - System.currentTimeMillis());
                    exitCodes.add(worker.waitFor(left, TimeUnit.MILLISECONDS) ? worker.exitValue() : null);
                }
            } finally {
                workers.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
            }

            List<Long> loads = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                String count = jedis.get(StampedeWorker.LOADS_KEY_PREFIX + round);
                loads.add(count == null ? 0 : Long.parseLong(count));
            }
            LOADS_PER_ROUND.put(mode, List.copyOf(loads));
            StringBuilder output = new StringBuilder();
            for (int i = 0; i < outputs.size(); i++) {
                output.append("--- worker ")
                        .append(i)
                        .append(", exit code ")
                        .append(exitCodes.get(i) == null ? "none (killed at the deadline)" : exitCodes.get(i))
                        .append(" ---")
                        .append(System.lineSeparator())
                        .append(Files.readString(outputs.get(i), UTF_8));
            }
            System.out.println(output);
            return new Run(Collections.unmodifiableList(exitCodes), output.toString(), List.copyOf(loads));
        }
    }

    /** Waits until {@code worker} has printed {@link StampedeWorker#READY}, has exited, or the deadline has passed. */
    private static void awaitReady(Process worker, Path output, long deadline)
            throws IOException, InterruptedException {
        while (!Files.readString(output, UTF_8).contains(StampedeWorker.READY)
                && worker.isAlive()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Sends the start instant to a worker; one that has died meanwhile is left to report its exit code. */
    private static void sendStart(Process worker, long startMillis) {
        try (Writer stdin = new OutputStreamWriter(worker.getOutputStream(), UTF_8)) {
            stdin.write(startMillis + System.lineSeparator());
        } catch (IOException e) {
            // The worker has exited; its exit code and output tell why.
        }
    }

    /** The command that starts one worker JVM on this JVM's class path (surefire's, without the JaCoCo agent). */
    private static List<String> workerCommand(String uri, Mode mode) {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                StampedeWorker.class.getName(),
                uri,
                mode.argument(),
                Integer.toString(THREADS),
                Integer.toString(ROUNDS),
                Long.toString(PERIOD.toMillis()));
    }
}
