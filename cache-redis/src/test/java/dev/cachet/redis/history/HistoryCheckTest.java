package dev.cachet.redis.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.FaultProxy;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history checker in CI: a short seeded run of {@link HistorySettings#WORKERS} worker JVMs against a Redis behind a
 * {@link FaultProxy}, with kills, stops, dropped subscriptions, blackholes, resets and latency, held to the
 * consistency contract by {@link HistoryChecker}, acknowledged invalidation included. {@code scripts/history-check.sh} runs a long one.
 *
 * <p>System properties: {@code history.seed} (default {@value #DEFAULT_SEED}), {@code history.seconds} (default
 * {@value #DEFAULT_SECONDS}), {@code history.report} (default {@code target/history-report.md}), {@code history.dir}
 * (where the workers' history files and logs are kept; by default a temporary directory, deleted after the test). The
 * report is printed and written to that file; the seed is its first line.
 */
@RedisTest
class HistoryCheckTest {
    private static final long DEFAULT_SEED = 1;
    private static final long DEFAULT_SECONDS = 25;

    @Test
    @Timeout(value = 75, unit = TimeUnit.SECONDS) // worker JVMs start in about 5 s, then the run, then the check
    void theRedisTierKeepsTheConsistencyContractUnderFaults(
            @Dedicated("cache") RedisServer cache, @Dedicated("database") RedisServer database, @TempDir Path temp)
            throws IOException, InterruptedException {
        long seed = Long.getLong("history.seed", DEFAULT_SEED);
        Duration length = Duration.ofSeconds(Long.getLong("history.seconds", DEFAULT_SECONDS));
        Path reportFile = Path.of(System.getProperty("history.report", "target/history-report.md"));
        Path dir = System.getProperty("history.dir") == null
                ? temp
                : Files.createDirectories(Path.of(System.getProperty("history.dir")));
        System.out.println("history check: seed " + seed + ", " + length.toSeconds() + " s");

        HistoryReport report;
        try (FaultProxy proxy = FaultProxy.start(cache.host(), cache.port())) {
            History history =
                    new HistoryRun(proxy, cache.host(), cache.port(), database.uri(), seed, length, dir).run();
            report = HistoryChecker.check(history);
        }
        String text = report.render();
        System.out.println(text);
        Files.createDirectories(reportFile.toAbsolutePath().getParent());
        Files.writeString(reportFile, text, StandardCharsets.UTF_8);

        assertThat(report.history().problems()).as(text).isEmpty();
        assertThat(report.history().ops()).as(text).isNotEmpty();
        // RecordingTier must see the store calls of put and invalidate; if a change routes them through other
        // RemoteStore methods, every write would look unconfirmed and check (a) would go blind.
        long writes = report.history().ops().stream().filter(Op::isWrite).count();
        long confirmed = report.history().ops().stream()
                .filter(op -> op.isWrite() && op.confirmed())
                .count();
        assertThat(confirmed).as("confirmed writes of %d; %s", writes, text).isGreaterThan(writes / 2);
        // Check (e) holds reads to acknowledged writes only: if a change made every write of the acknowledged cache
        // time
        // out (or RecordingTier stopped seeing publishAcknowledged), it would go blind.
        long ackWrites = report.history().ops().stream()
                .filter(op -> op.isWrite() && op.tier().equals(HistorySettings.NEAR_ACK))
                .count();
        long acknowledged = report.history().ops().stream()
                .filter(op -> op.isWrite() && op.tier().equals(HistorySettings.NEAR_ACK))
                .filter(op -> op.confirmed() && op.acknowledged())
                .count();
        assertThat(acknowledged)
                .as("acknowledged and confirmed writes of %d to %s; %s", ackWrites, HistorySettings.NEAR_ACK, text)
                .isGreaterThan(ackWrites / 4);
        assertThat(report.violations()).as(text).isEmpty();
    }
}
