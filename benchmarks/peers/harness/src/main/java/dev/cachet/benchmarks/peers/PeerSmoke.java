package dev.cachet.benchmarks.peers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The peers' smoke run for CI: every variant of a peer, tiny, in-process, through the same code as the real run. Each
 * peer module's test calls {@link #run} and asserts on what it returns; no timings are asserted.
 */
public final class PeerSmoke {
    /** Calls per command count in the smoke run. */
    static final int SMOKE_CALLS = 10;

    private PeerSmoke() {}

    /**
     * What one variant did.
     *
     * @param variant the variant
     * @param reads the value each of the {@value Workload#KEYS} keys read back after the fill, by key
     * @param loads loader calls during those reads (hits expected: 0)
     * @param getAll what {@code getAll} of the first {@value Workload#GET_ALL_KEYS} keys returned
     * @param commandsPerHit Redis commands per hit the client sent ({@code MONITOR})
     * @param commandsPerGetAll Redis commands per {@code getAll} the client sent
     * @param allCommandsPerGetAll Redis commands per {@code getAll} the server ran ({@code INFO commandstats})
     * @param jmhScore hits per second of one 100 ms JMH iteration, in-process
     * @param heapPerEntry a near tier's bytes per entry over 200 entries, or NaN for a Redis-tier variant
     */
    public record Outcome(
            Variant variant,
            Map<String, String> reads,
            long loads,
            Map<String, String> getAll,
            double commandsPerHit,
            double commandsPerGetAll,
            double allCommandsPerGetAll,
            double jmhScore,
            double heapPerEntry) {}

    /** Runs every variant of {@code peer} against the Redis server at {@code host:port}. */
    public static List<Outcome> run(Peer peer, String host, int port) throws InterruptedException, RunnerException {
        List<Outcome> outcomes = new ArrayList<>();
        RedisCommandStats stats = new RedisCommandStats(host, port);
        for (Variant v : peer.variants()) {
            stats.flushAll();
            Map<String, String> reads = new LinkedHashMap<>();
            Map<String, String> getAll;
            double[] commands;
            Workload.CountingLoader loader = new Workload.CountingLoader();
            try (PeerCache cache = peer.open(v.id(), host, port)) {
                Workload.fill(cache, v.label());
                for (String key : Workload.keys(Workload.KEYS)) {
                    reads.put(key, cache.get(key, loader));
                }
                getAll = cache.getAll(Workload.keys(Workload.GET_ALL_KEYS));
                commands = PeerWorker.commands(cache, host, port, v.id(), SMOKE_CALLS);
            }
            double heap = v.tier() == Variant.Tier.NEAR
                    ? PeerWorker.heapPerNearEntry(peer, host, port, v.id(), 200)[0]
                    : Double.NaN;
            outcomes.add(new Outcome(
                    v,
                    reads,
                    loader.calls(),
                    getAll,
                    commands[1],
                    commands[3],
                    commands[2],
                    jmhSmoke(v, host, port),
                    heap));
        }
        return outcomes;
    }

    private static double jmhSmoke(Variant v, String host, int port) throws RunnerException {
        // Other JMH runs on the machine (a benchmark in another checkout) hold JMH's lock; a smoke run times nothing.
        System.setProperty("jmh.ignoreLock", "true");
        RunResult result = new Runner(new OptionsBuilder()
                        .include(PeerBenchmark.class.getName() + "\\.hit$")
                        .param("variant", v.id())
                        .param("host", host)
                        .param("port", Integer.toString(port))
                        .forks(0)
                        .warmupIterations(0)
                        .measurementIterations(1)
                        .measurementTime(TimeValue.milliseconds(100))
                        .shouldFailOnError(true)
                        .build())
                .runSingle();
        return result.getPrimaryResult().getScore();
    }
}
