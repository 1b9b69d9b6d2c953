package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.StampedeHarness;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3's acceptance test for the cross-process load lock: {@value #PROCESSES} JVMs of {@value #THREADS} threads
 * each ask for a cold key in each of {@value #ROUNDS} rounds, as after an expiry (cache-test's {@link StampedeHarness},
 * with caches from {@link RedisStampedeCaches}; a key per round, so that a round late on a loaded machine never
 * hands its value to the next), and the loader runs exactly once per round. With the lock off the same run shows the
 * stampede: every process loads on every expiry. The loads per round of both runs are printed as a table after the
 * class (in the surefire report's output file).
 */
@RedisTest
@Timeout(value = 120, unit = TimeUnit.SECONDS) // worker JVMs and 20 expiries: about 12 s a test on an idle machine
class StampedeAcrossProcessesTest {
    private static final int PROCESSES = 4;
    private static final int THREADS = 16;
    private static final int ROUNDS = 20;
    private static final Duration PERIOD = Duration.ofMillis(400);
    private static final Duration LOAD_TIME = Duration.ofMillis(50);

    private static final Map<String, List<Long>> LOADS_PER_ROUND = Collections.synchronizedMap(new TreeMap<>());

    @Test
    void theLoaderRunsOncePerExpiryAcrossProcesses(RedisServer redis) throws InterruptedException {
        StampedeHarness.Result run = harness(redis).run(true);
        LOADS_PER_ROUND.put("locked", run.loadsPerRound());
        System.out.println(run.output());

        assertThat(run.loadsPerRound())
                .as("loads per round with the lock, one per expiry expected; the workers said:%n%s", run.output())
                .hasSize(ROUNDS)
                .containsOnly(1L);
    }

    @Test
    void withoutTheLockEveryProcessLoadsOnEveryExpiry(RedisServer redis) throws InterruptedException {
        StampedeHarness.Result run = harness(redis).run(false);
        LOADS_PER_ROUND.put("unlocked", run.loadsPerRound());
        System.out.println(run.output());

        assertThat(run.loadsPerRound())
                .as("loads per round without the lock; the workers said:%n%s", run.output())
                .hasSize(ROUNDS)
                .doesNotContain(0L);
        // Each process loads once a round through its own single flight, so about PROCESSES loads a round; it takes
        // most processes starting a round LOAD_TIME late, round after round, to fall to half of that.
        assertThat(run.totalLoads())
                .as(
                        "total loads without the lock (%d processes, %d rounds): %s; the workers said:%n%s",
                        PROCESSES, ROUNDS, run.loadsPerRound(), run.output())
                .isGreaterThanOrEqualTo(2L * ROUNDS);
    }

    @AfterAll
    static void printLoadsPerRound() {
        if (LOADS_PER_ROUND.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                "Loads per round: %d processes x %d threads, a cold key every %d ms, load time %d ms%n",
                PROCESSES, THREADS, PERIOD.toMillis(), LOAD_TIME.toMillis()));
        table.append("round");
        LOADS_PER_ROUND.keySet().forEach(mode -> table.append(String.format(" %9s", mode)));
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

    private static StampedeHarness harness(RedisServer redis) {
        return StampedeHarness.builder(RedisStampedeCaches.class)
                .uri(redis.uri())
                .processes(PROCESSES)
                .threads(THREADS)
                .rounds(ROUNDS)
                .period(PERIOD)
                .loadTime(LOAD_TIME)
                .build();
    }
}
