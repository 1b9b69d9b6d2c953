package dev.cachet.benchmarks;

import dev.cachet.benchmarks.environment.MachineInfo;
import dev.cachet.benchmarks.environment.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the whole ratio report and writes {@code RESULTS.md}, {@code results.csv} and {@code results.png} into the
 * directory named by the system property {@code cachet.results.dir} (the working directory by default). Meant to be
 * started by {@code benchmarks/run.sh}; takes about 8½ minutes on 2 cores.
 *
 * <p>Order: the plain harnesses first (P3 hit ratios, P4 loads per expiry, P5 loads per expiry across worker JVMs on
 * a redis-server of its own, P8 heap per entry in forked JVMs), then JMH (P1, P2, P6 and P7 on 1 and 2 threads, then
 * P9 under the GC profiler), each JMH benchmark in its own forked JVM; the Redis benchmarks start their own
 * redis-server per fork. Needs {@code redis-server} on the {@code PATH}.
 */
public final class BenchmarkSuite {
    /** Threads that race for the hot key in P4. */
    public static final int P4_THREADS = 64;

    /** Rounds of P4. */
    public static final int P4_ROUNDS = 50;

    /**
     * Times each JMH throughput configuration runs, one fork each, all benchmarks in turn: the forks of one benchmark
     * are spread over the run, so a slow spell of the machine weighs on Cachet and its baselines alike.
     */
    public static final int JMH_ROUNDS = 3;

    private BenchmarkSuite() {}

    /**
     * Runs the suite.
     *
     * @param args ignored
     */
    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        MachineInfo machine = MachineInfo.current();
        String loadAtStart = MachineInfo.loadAverage();
        Path out = Path.of(System.getProperty("cachet.results.dir", "."))
                .toAbsolutePath()
                .normalize();
        Path raw = out.resolve("target");
        Files.createDirectories(raw);
        System.out.println("Cachet ratio report on " + machine.oneLine());

        Optional<Path> tracesDir = Traces.directory();
        System.out.println(
                "[P3] hit ratios; traces: " + tracesDir.map(Path::toString).orElse("not found"));
        List<HitRatioHarness.Result> hitRatios =
                HitRatioHarness.run(tracesDir, HitRatioHarness.TRACES, HitRatioHarness.ZIPF);
        hitRatios.forEach(r -> System.out.println("      " + r));
        List<SuiteResults.Sanity> sanity = sanityChecks(tracesDir);

        System.out.println("[P4] loads per expiry, " + P4_THREADS + " threads × " + P4_ROUNDS + " rounds");
        LoadsPerExpiryHarness.Result loads = LoadsPerExpiryHarness.run(P4_THREADS, P4_ROUNDS);
        System.out.printf(
                "      Cachet %.2f, ConcurrentHashMap %.2f loads per round%n", loads.cachetMean(), loads.mapMean());

        if (!RedisServerProcess.available()) {
            throw new IllegalStateException(
                    RedisServerProcess.EXECUTABLE
                            + " was not found on the PATH: the Redis figures P5-P7 need it (e.g. apt-get install redis-server)");
        }
        System.out.println("[P5] loads per expiry across processes, " + CrossProcessStampede.PROCESSES + " JVMs × "
                + CrossProcessStampede.THREADS + " threads × " + CrossProcessStampede.ROUNDS
                + " expiries, lock on and off");
        CrossProcessStampede.Result stampede;
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            stampede = CrossProcessStampede.run(
                    redis.uri(),
                    CrossProcessStampede.PROCESSES,
                    CrossProcessStampede.THREADS,
                    CrossProcessStampede.ROUNDS,
                    CrossProcessStampede.PERIOD);
        }
        System.out.printf(
                "      locked %.2f %s, unlocked %.2f %s loads per expiry%n",
                stampede.lockedMean(), stampede.locked(), stampede.unlockedMean(), stampede.unlocked());

        System.out.println("[P8] heap per entry, one fresh JVM per variant");
        HeapPerEntryHarness.Measurement heapCachet =
                HeapPerEntryHarness.measureInFork(HeapPerEntryHarness.Variant.CACHET, HeapPerEntryHarness.ENTRIES);
        HeapPerEntryHarness.Measurement heapCaffeine =
                HeapPerEntryHarness.measureInFork(HeapPerEntryHarness.Variant.CAFFEINE, HeapPerEntryHarness.ENTRIES);
        System.out.println("      " + heapCachet + "\n      " + heapCaffeine);

        List<Map<String, JmhRuns.Samples>> oneThreadRounds = new ArrayList<>();
        List<Map<String, JmhRuns.Samples>> twoThreadRounds = new ArrayList<>();
        for (int round = 1; round <= JMH_ROUNDS; round++) {
            System.out.println("[P1, P2, P6, P7] JMH throughput, 1 thread, round " + round + " of " + JMH_ROUNDS);
            oneThreadRounds.add(
                    JmhRuns.run(JmhRuns.throughput(1, raw.resolve("jmh-1-thread-round-" + round + ".json"))));
            System.out.println("[P1, P2, P6, P7] JMH throughput, 2 threads, round " + round + " of " + JMH_ROUNDS);
            twoThreadRounds.add(
                    JmhRuns.run(JmhRuns.throughput(2, raw.resolve("jmh-2-threads-round-" + round + ".json"))));
        }
        Map<String, JmhRuns.Score> oneThread = JmhRuns.scores(JmhRuns.merge(oneThreadRounds));
        Map<String, JmhRuns.Score> twoThreads = JmhRuns.scores(JmhRuns.merge(twoThreadRounds));
        System.out.println("[P9] JMH allocation, -prof gc, 1 thread");
        Map<String, JmhRuns.Score> allocation =
                JmhRuns.scores(JmhRuns.run(JmhRuns.allocation(raw.resolve("jmh-gc.json"))));

        SuiteResults results = new SuiteResults(
                machine,
                oneThread,
                twoThreads,
                allocation,
                hitRatios,
                sanity,
                tracesDir.map(Path::toString).orElse("(not found: traces skipped)"),
                loads,
                stampede,
                heapCachet,
                heapCaffeine,
                loadAtStart + " at start, " + MachineInfo.loadAverage() + " at end",
                Duration.ofNanos(System.nanoTime() - started));
        ResultsReport.writeMarkdown(results, out.resolve("RESULTS.md"));
        ResultsReport.writeCsv(results, out.resolve("results.csv"));
        ResultsChart.write(results, out.resolve("results.png"));

        long missed = results.figures().stream().filter(f -> !f.met()).count();
        System.out.println("Wrote " + out.resolve("RESULTS.md") + ", results.csv and results.png in "
                + results.elapsed().toSeconds() + " s; " + missed + " of "
                + results.figures().size()
                + " targets missed");
    }

    /** Replays the two trace sizes that Caffeine's simulator published figures for. */
    private static List<SuiteResults.Sanity> sanityChecks(Optional<Path> tracesDir) {
        List<SuiteResults.Sanity> checks = new ArrayList<>();
        if (tracesDir.isEmpty()) {
            return checks;
        }
        Path multi2 = tracesDir.get().resolve("multi2.trace.gz");
        Path gli = tracesDir.get().resolve("gli.trace.gz");
        if (Files.isRegularFile(multi2)) {
            checks.add(new SuiteResults.Sanity(
                    HitRatioHarness.measure("multi2", Traces.read(multi2), 512), 36.37, 48.86, 53.85));
        }
        if (Files.isRegularFile(gli)) {
            checks.add(
                    new SuiteResults.Sanity(HitRatioHarness.measure("gli", Traces.read(gli), 512), 0.98, 33.82, 35.13));
        }
        return checks;
    }
}
