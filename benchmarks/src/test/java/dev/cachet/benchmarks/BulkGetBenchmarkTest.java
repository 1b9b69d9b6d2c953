package dev.cachet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.benchmarks.environment.RedisServerProcess;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link BulkGetBenchmark} runs in-process once, briefly, and its section names every figure. No timing asserted. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BulkGetBenchmarkTest {

    @Test
    void everyVariantRunsAndScores() {
        if (!RedisServerProcess.available()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("redis-server is not on PATH, and CI=true requires it");
            }
            Assumptions.abort("redis-server is not on PATH");
        }

        Map<String, JmhRuns.Score> scores = JmhRuns.scores(JmhRuns.run(BulkGetBenchmark.smokeOptions()));

        assertThat(scores)
                .containsOnlyKeys(
                        "BulkGetBenchmark.cachetRemote",
                        "BulkGetBenchmark.cachetNearCold",
                        "BulkGetBenchmark.jedisMget",
                        "BulkGetBenchmark.redissonBuckets");
        scores.forEach((name, score) -> assertThat(score.score()).as(name).isPositive());
        assertThat(BulkGetBenchmark.section(scores, "machine"))
                .contains("Cachet, Redis tier", "Redisson 3.52.0", "raw Jedis");
    }
}
