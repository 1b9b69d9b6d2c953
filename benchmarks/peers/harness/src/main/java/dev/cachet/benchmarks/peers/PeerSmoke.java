package dev.cachet.benchmarks.peers;

import dev.cachet.benchmarks.environment.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
     * @param stampede P12 in one JVM with two caches of {@value #STAMPEDE_THREADS} threads each: the round after an
     *     expiry (loads, wrong values and exceptions summed; time the slower's), or null for a near-tier variant
     * @param staleness P13 with two caches in one JVM over {@value #STALE_WRITES} writes, or null for a Redis-tier
     *     variant
     * @param outage P15 with {@value #OUTAGE_THREADS} threads and a short outage
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
            double heapPerEntry,
            Stampede.Round stampede,
            Staleness.ReaderResult staleness,
            Outage.Result outage) {}

    /** The TTL of the smoke run's P12: its rounds of a few threads are short, and it waits for the TTL twice. */
    static final Duration STAMPEDE_TTL = Duration.ofSeconds(1);

    /** Threads per cache in the smoke run's P12. */
    static final int STAMPEDE_THREADS = 4;

    /** Writes in the smoke run's P13. */
    static final int STALE_WRITES = 200;

    /** Threads in the smoke run's P15. */
    static final int OUTAGE_THREADS = 4;

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
                    heap,
                    v.tier() == Variant.Tier.REDIS ? stampede(peer, v, host, port) : null,
                    v.tier() == Variant.Tier.NEAR ? staleness(peer, v, host, port) : null,
                    outage(peer, v)));
        }
        return outcomes;
    }

    /** A cold round, then one just after the expiry, on two caches at once; returns the second, summed. */
    private static Stampede.Round stampede(Peer peer, Variant v, String host, int port) throws InterruptedException {
        ExecutorService both = Executors.newFixedThreadPool(2);
        try (PeerCache a = peer.open(v.id(), host, port, STAMPEDE_TTL);
                PeerCache b = peer.open(v.id(), host, port, STAMPEDE_TTL);
                Stampede first = new Stampede(a, STAMPEDE_THREADS);
                Stampede second = new Stampede(b, STAMPEDE_THREADS)) {
            List<Stampede.Round> rounds = List.of();
            for (int round = 0; round < 2; round++) {
                Future<Stampede.Round> x = both.submit(() -> first.round("smoke-p12"));
                Future<Stampede.Round> y = both.submit(() -> second.round("smoke-p12"));
                rounds = List.of(x.get(), y.get());
                Thread.sleep(STAMPEDE_TTL.toMillis() + 250);
            }
            return new Stampede.Round(
                    rounds.get(0).loads() + rounds.get(1).loads(),
                    rounds.get(0).wrong() + rounds.get(1).wrong(),
                    rounds.get(0).exceptions() + rounds.get(1).exceptions(),
                    Math.max(rounds.get(0).nanos(), rounds.get(1).nanos()));
        } catch (ExecutionException e) {
            throw new IllegalStateException("smoke P12 of " + v.id() + " failed", e.getCause());
        } finally {
            both.shutdownNow();
        }
    }

    /** A writer cache and a reader cache in this JVM, the reader on a thread of its own, over a loopback link. */
    private static Staleness.ReaderResult staleness(Peer peer, Variant v, String host, int port)
            throws InterruptedException {
        ExecutorService readerThread = Executors.newSingleThreadExecutor();
        try (PeerCache writer = peer.open(v.id(), host, port);
                PeerCache reader = peer.open(v.id(), host, port);
                Link.Listener listener = new Link.Listener()) {
            Staleness.prepareWriter(writer);
            Staleness.prepareReader(reader);
            Future<Staleness.ReaderResult> reads = readerThread.submit(() -> {
                try (Link link = listener.accept(1).get(0)) {
                    return Staleness.read(reader, link);
                }
            });
            try (Link link = Link.connect(listener.port())) {
                Staleness.write(writer, link, STALE_WRITES);
            }
            return reads.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("smoke P13 of " + v.id() + " failed", e.getCause());
        } finally {
            readerThread.shutdownNow();
        }
    }

    /** A short outage of a redis-server of the variant's own. */
    private static Outage.Result outage(Peer peer, Variant v) throws InterruptedException {
        try (RedisServerProcess redis = RedisServerProcess.start();
                PeerCache cache = peer.open(v.id(), "127.0.0.1", redis.port())) {
            Workload.fill(cache, v.label());
            Outage outage = new Outage(cache, OUTAGE_THREADS, Outage.Order.IN_TURN);
            outage.start();
            Thread.sleep(200);
            outage.killed();
            redis.kill();
            Thread.sleep(300);
            redis.restart();
            outage.restarted();
            Thread.sleep(700);
            return outage.stop(Duration.ofSeconds(20));
        }
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
