package dev.cachet.benchmarks.peers;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The main of a peer's JVM, started by {@link PeersDriver} with the peer module's class path. Each command prints its
 * results as tab-separated lines that start with an upper-case tag; everything else it prints is for humans.
 *
 * <ul>
 *   <li>{@code list}: {@code LIBRARY}, then per variant a {@code VARIANT} line (id, tier, bulk, label) and its {@code
 *       CONFIG} lines.
 *   <li>{@code jmh HOST PORT VARIANT BENCHMARK THREADS WARMUPS MEASUREMENTS ITERATION_MS GC}: runs {@link
 *       PeerBenchmark}'s {@code hit} or {@code getAll} in one forked JVM; prints {@code SCORE} (score, error, unit,
 *       bytes allocated per call or NaN).
 *   <li>{@code commands HOST PORT VARIANT}: prints {@code COMMANDS}: Redis commands per hit (all, sent) and per {@code getAll} (all, sent).
 *   <li>{@code heap HOST PORT VARIANT ENTRIES}: prints {@code HEAP} (retained bytes per near entry); run it in a JVM of
 *       its own with the serial collector.
 *   <li>{@code stampede HOST PORT VARIANT DRIVER_PORT THREADS}: P12, one of several JVMs; runs a {@link Stampede} round
 *       each time the driver sends {@code ROUND <key>} and answers {@code DONE ...}, until {@code END}.
 *   <li>{@code stale-writer HOST PORT VARIANT DRIVER_PORT WRITES} and {@code stale-reader HOST PORT VARIANT
 *       DRIVER_PORT}: P13's two JVMs (see {@link Staleness}); print {@code PUTS} and {@code STALE}.
 *   <li>{@code outage HOST PORT VARIANT DRIVER_PORT THREADS ORDER}: P15 (see {@link Outage}; ORDER an {@link
 *       Outage.Order}); the driver kills and restarts Redis between {@code RUNNING} and {@code STOP}; prints {@code
 *       OUTAGE}.
 * </ul>
 *
 * <p>The multi-JVM commands talk to the driver over a {@link Link} to {@code DRIVER_PORT}, starting with {@code HELLO
 * <command>}.
 */
public final class PeerWorker {
    /** The JVM options of every peer JVM, the JMH forks included. */
    public static final List<String> JVM_OPTIONS =
            List.of("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /** Calls per command count: enough that a background command or two (a ping) hardly shows. */
    static final int COUNTED_CALLS = 200;

    private PeerWorker() {}

    /**
     * Runs one command (see the class comment).
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) throws Exception {
        Peer peer = Peer.load();
        switch (args[0]) {
            case "list" -> list(peer);
            case "jmh" -> jmh(args);
            case "commands" -> {
                double[] perCall = commands(peer, args[1], Integer.parseInt(args[2]), args[3]);
                System.out.printf(
                        Locale.ROOT,
                        "COMMANDS\t%.3f\t%.3f\t%.3f\t%.3f%n",
                        perCall[0],
                        perCall[1],
                        perCall[2],
                        perCall[3]);
            }
            case "heap" -> {
                double[] heap =
                        heapPerNearEntry(peer, args[1], Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]));
                System.out.printf(Locale.ROOT, "HEAP\t%.1f\t%.1f%n", heap[0], heap[1]);
            }
            case "stampede" -> stampede(peer, args);
            case "stale-writer" -> staleWriter(peer, args);
            case "stale-reader" -> staleReader(peer, args);
            case "outage" -> outage(peer, args);
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
        }
        System.out.flush();
        // Some peers leave non-daemon threads behind (client event loops): end the JVM once the results are out.
        System.exit(0);
    }

    private static void stampede(Peer peer, String[] args) throws InterruptedException {
        try (PeerCache cache = peer.open(args[3], args[1], Integer.parseInt(args[2]), Stampede.TTL);
                Stampede stampede = new Stampede(cache, Integer.parseInt(args[5]));
                Link driver = Link.connect(Integer.parseInt(args[4]))) {
            driver.send("HELLO stampede");
            for (String[] order = driver.receive().split(" ", -1);
                    order[0].equals("ROUND");
                    order = driver.receive().split(" ", -1)) {
                driver.send(stampede.round(order[1]).line());
            }
        }
    }

    private static void staleWriter(Peer peer, String[] args) {
        try (PeerCache cache = peer.open(args[3], args[1], Integer.parseInt(args[2]));
                Link driver = Link.connect(Integer.parseInt(args[4]))) {
            driver.send("HELLO stale-writer");
            Staleness.prepareWriter(cache);
            driver.send("PREPARED");
            int readerPort = Integer.parseInt(driver.receive("READER")[1]);
            try (Link reader = Link.connect(readerPort)) {
                System.out.println(Staleness.write(cache, reader, Integer.parseInt(args[5]))
                        .line());
            }
        }
    }

    private static void staleReader(Peer peer, String[] args) {
        try (PeerCache cache = peer.open(args[3], args[1], Integer.parseInt(args[2]));
                Link driver = Link.connect(Integer.parseInt(args[4]));
                Link.Listener listener = new Link.Listener()) {
            driver.send("HELLO stale-reader");
            driver.receive("READ");
            Staleness.prepareReader(cache);
            driver.send("LISTENING " + listener.port());
            try (Link writer = listener.accept(1).get(0)) {
                System.out.println(Staleness.read(cache, writer).line());
            }
        }
    }

    private static void outage(Peer peer, String[] args) throws InterruptedException {
        PeerCache cache = peer.open(args[3], args[1], Integer.parseInt(args[2]));
        Workload.fill(cache, args[3]);
        Outage outage = new Outage(cache, Integer.parseInt(args[5]), Outage.Order.valueOf(args[6]));
        try (Link driver = Link.connect(Integer.parseInt(args[4]))) {
            driver.send("HELLO outage");
            outage.start();
            TimeUnit.SECONDS.sleep(1);
            driver.send("RUNNING");
            driver.receive("KILLING");
            outage.killed();
            driver.send("READY");
            driver.receive("RESTARTED");
            outage.restarted();
            driver.receive("STOP");
            Outage.Result result = outage.stop(Duration.ofSeconds(30));
            System.out.println(result.line());
            driver.send("STOPPED");
            if (result.stuck() == 0) {
                cache.close();
            }
        }
    }

    private static void list(Peer peer) {
        System.out.println("LIBRARY\t" + peer.library());
        for (Variant v : peer.variants()) {
            System.out.println(
                    String.join("\t", "VARIANT", v.id(), v.tier().name(), Boolean.toString(v.bulkGetAll()), v.label()));
            for (String line : v.configuration()) {
                System.out.println(String.join("\t", "CONFIG", v.id(), line));
            }
        }
    }

    private static void jmh(String[] args) throws RunnerException {
        String host = args[1];
        String port = args[2];
        String variant = args[3];
        String benchmark = args[4];
        int threads = Integer.parseInt(args[5]);
        int warmups = Integer.parseInt(args[6]);
        int measurements = Integer.parseInt(args[7]);
        TimeValue iteration = TimeValue.milliseconds(Long.parseLong(args[8]));
        boolean gc = Boolean.parseBoolean(args[9]);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(PeerBenchmark.class.getName() + "\\." + benchmark + "$")
                .param("variant", variant)
                .param("host", host)
                .param("port", port)
                .threads(threads)
                .forks(1)
                .jvmArgs(JVM_OPTIONS.toArray(String[]::new))
                .warmupIterations(warmups)
                .warmupTime(iteration)
                .measurementIterations(measurements)
                .measurementTime(iteration)
                .shouldFailOnError(true);
        if (gc) {
            options.addProfiler(GCProfiler.class);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult run : results) {
            Result<?> primary = run.getPrimaryResult();
            Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            System.out.printf(
                    Locale.ROOT,
                    "SCORE\t%s\t%s\t%s\t%s%n",
                    primary.getScore(),
                    primary.getScoreError(),
                    primary.getScoreUnit(),
                    alloc == null ? Double.NaN : alloc.getScore());
        }
    }

    /**
     * Returns the Redis commands per hit and per {@code getAll} of {@code variant}, over {@value #COUNTED_CALLS} calls
     * each after a warm-up: every command the server ran, then the commands the client sent (see {@link
     * RedisCommandStats#count}).
     */
    static double[] commands(Peer peer, String host, int port, String variant) {
        try (PeerCache cache = peer.open(variant, host, port)) {
            Workload.fill(cache, variant);
            return commands(cache, host, port, variant, COUNTED_CALLS);
        }
    }

    /** Like {@link #commands(Peer, String, int, String)}, on a cache already filled, over {@code calls} calls. */
    static double[] commands(PeerCache cache, String host, int port, String variant, int calls) {
        RedisCommandStats stats = new RedisCommandStats(host, port);
        Workload.CountingLoader loader = new Workload.CountingLoader();
        List<List<String>> batches = Workload.getAllBatches();
        for (int i = 0; i < calls; i++) {
            cache.get(Workload.key(i % Workload.KEYS), loader);
            cache.getAll(batches.get(i % batches.size()));
        }
        RedisCommandStats.Count hits = stats.count(() -> {
            for (int i = 0; i < calls; i++) {
                cache.get(Workload.key(i % Workload.KEYS), loader);
            }
        });
        RedisCommandStats.Count getAlls = stats.count(() -> {
            for (int i = 0; i < calls; i++) {
                Map<String, String> values = cache.getAll(batches.get(i % batches.size()));
                if (values.size() != Workload.GET_ALL_KEYS) {
                    throw new IllegalStateException(variant + ".getAll returned " + values.size() + " values");
                }
            }
        });
        if (loader.calls() != 0) {
            throw new IllegalStateException(variant + " loaded " + loader.calls() + " times: hits expected");
        }
        double n = calls;
        return new double[] {hits.all() / n, hits.sent() / n, getAlls.all() / n, getAlls.sent() / n};
    }

    /**
     * Returns the heap a near tier retains per entry, and the bytes per entry of the keys and values the caller holds
     * (not counted in the first). Keys and values are allocated first and kept; a warm-up of 100 other keys runs before
     * the first measurement (so the client's lazily made buffers are not counted); then {@code entries} keys are put
     * and read back (which fills a near tier that a put does not), and the heap after full collections is compared.
     */
    static double[] heapPerNearEntry(Peer peer, String host, int port, String variant, int entries)
            throws InterruptedException {
        long empty = usedAfterGc();
        List<String> keys = new ArrayList<>(entries);
        List<String> values = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            keys.add("h" + i);
            values.add(Workload.valueOf("h" + i));
        }
        long withKeysAndValues = usedAfterGc();
        Workload.CountingLoader loader = new Workload.CountingLoader();
        try (PeerCache cache = peer.open(variant, host, port)) {
            for (int i = 0; i < 100; i++) {
                cache.put("warm" + i, Workload.valueOf("warm" + i));
                cache.get("warm" + i, loader);
            }
            long before = usedAfterGc();
            for (int i = 0; i < entries; i++) {
                cache.put(keys.get(i), values.get(i));
            }
            for (int i = 0; i < entries; i++) {
                String value = cache.get(keys.get(i), loader);
                if (!values.get(i).equals(value)) {
                    throw new IllegalStateException(variant + " returned " + value + " for " + keys.get(i));
                }
            }
            long after = usedAfterGc();
            Reference.reachabilityFence(cache);
            Reference.reachabilityFence(keys);
            Reference.reachabilityFence(values);
            return new double[] {(double) (after - before) / entries, (double) (withKeysAndValues - empty) / entries};
        }
    }

    /** Returns used heap once repeated full collections stop freeing anything. */
    private static long usedAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 20; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(50);
            used = runtime.totalMemory() - runtime.freeMemory();
            if (i >= 2 && Math.abs(previous - used) < 1024) {
                break;
            }
            previous = used;
        }
        return used;
    }
}
