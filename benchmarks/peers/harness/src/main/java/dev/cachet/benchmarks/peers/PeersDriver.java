package dev.cachet.benchmarks.peers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the peers' figures and writes the "Against the peers" section of {@code RESULTS.md}: starts one {@code
 * redis-server} on a free loopback port (no persistence), then, one JVM at a time, each peer module's {@link
 * PeerWorker} with that module's class path, emptying Redis before each. The variants are interleaved (each figure
 * runs every variant before the next figure), so a slow spell of the machine weighs on all of them alike.
 *
 * <p>{@code PeersDriver PEERS_DIR RESULTS_FILE}. System properties: {@code peers.rounds} (default 1; the report takes
 * the median round), {@code peers.warmups} and {@code peers.measurements} (JMH iterations, default 3 and 5), {@code
 * peers.iterationMs} (default 1000), {@code peers.heapEntries} (default 5000).
 */
public final class PeersDriver {
    /** The peer modules, in report order; Cachet's first, since every ratio divides by its figures. */
    static final List<String> MODULES = List.of("cachet", "spring-data-redis", "redisson", "jetcache");

    /** Thread counts of P10 (Redis-tier hits). */
    static final List<Integer> REDIS_THREADS = List.of(1, 2, 8);

    /** Thread counts of P11 (near-tier hits). */
    static final List<Integer> NEAR_THREADS = List.of(1, 2);

    private PeersDriver() {}

    /** The settings of one run. */
    record Settings(int rounds, int warmups, int measurements, int iterationMs, int heapEntries) {
        static Settings fromSystemProperties() {
            return new Settings(
                    Integer.getInteger("peers.rounds", 1),
                    Integer.getInteger("peers.warmups", 3),
                    Integer.getInteger("peers.measurements", 5),
                    Integer.getInteger("peers.iterationMs", 1000),
                    Integer.getInteger("peers.heapEntries", 5000));
        }
    }

    /** A JMH score and its 99.9 % confidence half-width. */
    record Score(double score, double error) {}

    /** A variant as its peer JVM listed it. */
    record Listed(PeerJvm jvm, String library, Variant variant) {}

    /**
     * Runs everything and writes the section.
     *
     * @param args the directory of the peer modules and the results file
     */
    public static void main(String[] args) throws InterruptedException {
        Path peersDir = Path.of(args[0]);
        Path resultsFile = Path.of(args[1]);
        Settings settings = Settings.fromSystemProperties();
        long start = System.nanoTime();
        String loadAtStart = PeersReport.loadAverage();

        List<PeerJvm> jvms = new ArrayList<>();
        for (String module : MODULES) {
            jvms.add(PeerJvm.of(peersDir.resolve(module)));
        }
        PeersReport report = new PeersReport(settings);
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            String host = "127.0.0.1";
            String port = Integer.toString(redis.port());
            RedisCommandStats stats = new RedisCommandStats(host, redis.port());
            List<Listed> listed = new ArrayList<>();
            for (PeerJvm jvm : jvms) {
                listed.addAll(list(jvm, host, port));
            }
            listed.forEach(l -> report.variant(l.library(), l.variant()));
            List<Listed> redisTier = listed.stream()
                    .filter(l -> l.variant().tier() == Variant.Tier.REDIS)
                    .toList();
            List<Listed> nearTier = listed.stream()
                    .filter(l -> l.variant().tier() == Variant.Tier.NEAR)
                    .toList();
            for (int round = 1; round <= settings.rounds(); round++) {
                for (int threads : REDIS_THREADS) {
                    for (Listed l : redisTier) {
                        stats.flushAll();
                        // P17 comes from the 1-thread run, under JMH's GC profiler.
                        String[] score = jmh(l, host, port, "hit", threads, settings, threads == 1);
                        report.hit(l.variant(), threads, score(score));
                        if (threads == 1) {
                            report.allocation(l.variant(), Double.parseDouble(score[4]));
                        }
                        progress(round, "P10", l, threads + " threads", score);
                    }
                }
                for (int threads : NEAR_THREADS) {
                    for (Listed l : nearTier) {
                        stats.flushAll();
                        String[] score = jmh(l, host, port, "hit", threads, settings, false);
                        report.hit(l.variant(), threads, score(score));
                        progress(round, "P11", l, threads + " threads", score);
                    }
                }
                for (Listed l : redisTier) {
                    stats.flushAll();
                    String[] score = jmh(l, host, port, "getAll", 1, settings, false);
                    report.getAll(l.variant(), score(score));
                    stats.flushAll();
                    String[] commands = single(
                            l.jvm()
                                    .run(
                                            List.of(),
                                            "commands",
                                            host,
                                            port,
                                            l.variant().id()),
                            "COMMANDS");
                    report.commands(l.variant(), new double[] {
                        Double.parseDouble(commands[1]),
                        Double.parseDouble(commands[2]),
                        Double.parseDouble(commands[3]),
                        Double.parseDouble(commands[4])
                    });
                    progress(
                            round,
                            "P14",
                            l,
                            "commands sent per hit " + commands[2] + ", per getAll " + commands[4],
                            score);
                }
                for (Listed l : nearTier) {
                    stats.flushAll();
                    String[] heap = single(
                            l.jvm()
                                    .run(
                                            List.of("-XX:+UseSerialGC"),
                                            "heap",
                                            host,
                                            port,
                                            l.variant().id(),
                                            Integer.toString(settings.heapEntries())),
                            "HEAP");
                    report.heap(l.variant(), Double.parseDouble(heap[1]));
                    System.out.printf(
                            Locale.ROOT,
                            "round %d P16 %s: %s B per near entry%n",
                            round,
                            l.variant().id(),
                            heap[1]);
                }
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        report.finish(loadAtStart, PeersReport.loadAverage(), minutes);
        PeersReport.writeSection(resultsFile, report.markdown());
        System.out.printf(Locale.ROOT, "peers: wrote %s in %.1f min%n", resultsFile, minutes);
    }

    private static List<Listed> list(PeerJvm jvm, String host, String port) throws InterruptedException {
        String library = "?";
        Map<String, String[]> variants = new LinkedHashMap<>();
        Map<String, List<String>> configs = new LinkedHashMap<>();
        for (String[] line : jvm.run(List.of(), "list", host, port)) {
            switch (line[0]) {
                case "LIBRARY" -> library = line[1];
                case "VARIANT" -> variants.put(line[1], line);
                case "CONFIG" ->
                    configs.computeIfAbsent(line[1], k -> new ArrayList<>()).add(line[2]);
                default -> {}
            }
        }
        List<Listed> listed = new ArrayList<>();
        for (String[] v : variants.values()) {
            listed.add(new Listed(
                    jvm,
                    library,
                    new Variant(
                            v[1],
                            v[4],
                            Variant.Tier.valueOf(v[2]),
                            Boolean.parseBoolean(v[3]),
                            configs.getOrDefault(v[1], List.of()))));
        }
        return listed;
    }

    private static String[] jmh(
            Listed l, String host, String port, String benchmark, int threads, Settings settings, boolean gc)
            throws InterruptedException {
        return single(
                l.jvm()
                        .run(
                                List.of(),
                                "jmh",
                                host,
                                port,
                                l.variant().id(),
                                benchmark,
                                Integer.toString(threads),
                                Integer.toString(settings.warmups()),
                                Integer.toString(settings.measurements()),
                                Integer.toString(settings.iterationMs()),
                                Boolean.toString(gc)),
                "SCORE");
    }

    private static Score score(String[] line) {
        return new Score(Double.parseDouble(line[1]), Double.parseDouble(line[2]));
    }

    private static String[] single(List<String[]> lines, String tag) {
        List<String[]> matching = lines.stream().filter(l -> l[0].equals(tag)).toList();
        if (matching.size() != 1) {
            throw new IllegalStateException("expected one " + tag + " line, got " + matching.size());
        }
        return matching.get(0);
    }

    private static void progress(int round, String figure, Listed l, String what, String[] score) {
        System.out.printf(
                Locale.ROOT,
                "round %d %s %s, %s: %.1f ± %.1f %s%n",
                round,
                figure,
                l.variant().id(),
                what,
                Double.parseDouble(score[1]),
                Double.parseDouble(score[2]),
                score[3]);
    }
}
