package dev.cachet.benchmarks.peers;

import dev.cachet.benchmarks.environment.MachineInfo;
import dev.cachet.benchmarks.environment.RedisServerProcess;
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
 * <p>The multi-JVM figures run once, after the rounds: P12 ({@value #STAMPEDE_JVMS} JVMs of each Redis-tier variant,
 * {@value #STAMPEDE_THREADS} threads each, released together by the driver over {@link Link}s just after the key
 * expired), P13 (a writer and a reader JVM of each near-tier variant) and P15 (one JVM per variant against a {@code
 * redis-server} of its own, which the driver kills with {@code SIGKILL} and starts again on the same port).
 *
 * <p>{@code PeersDriver PEERS_DIR RESULTS_FILE}. System properties: {@code peers.rounds} (default 1; the report takes
 * the median round), {@code peers.warmups} and {@code peers.measurements} (JMH iterations, default 3 and 5), {@code
 * peers.iterationMs} (default 1000), {@code peers.heapEntries} (default 5000), {@code peers.expiries} (P12's rounds
 * after an expiry, default 5), {@code peers.staleWrites} (P13's writes, default 10000), {@code peers.outageMs} (how
 * long Redis stays down in P15, default 2000), {@code peers.afterRestartMs} (how long P15 goes on after the restart,
 * default 6000), {@code peers.outages} (P15's outages per variant, default 5; the report shows the median's), {@code
 * peers.figures} (which to run, default {@code P10,P11,P12,P13,P14,P15,P16,P17}), {@code peers.variants} (the ids of
 * the variants to run, e.g. {@code cachet,jetcache-remote}; default all).
 */
public final class PeersDriver {
    /** The peer modules, in report order; Cachet's first, since every ratio divides by its figures. */
    static final List<String> MODULES = List.of("cachet", "spring-data-redis", "redisson", "jetcache");

    /** Thread counts of P10 (Redis-tier hits). */
    static final List<Integer> REDIS_THREADS = List.of(1, 2, 8);

    /** Thread counts of P11 (near-tier hits). */
    static final List<Integer> NEAR_THREADS = List.of(1, 2);

    /** JVMs of each variant in P12. */
    static final int STAMPEDE_JVMS = 4;

    /** Threads per JVM in P12. */
    static final int STAMPEDE_THREADS = 16;

    /** The key P12's rounds ask for. */
    private static final String STAMPEDE_KEY = "p12";

    private PeersDriver() {}

    /** The settings of one run. */
    record Settings(
            int rounds,
            int warmups,
            int measurements,
            int iterationMs,
            int heapEntries,
            int expiries,
            int staleWrites,
            int outageMs,
            int afterRestartMs,
            int outages,
            String figures,
            String variants) {
        static Settings fromSystemProperties() {
            return new Settings(
                    Integer.getInteger("peers.rounds", 1),
                    Integer.getInteger("peers.warmups", 3),
                    Integer.getInteger("peers.measurements", 5),
                    Integer.getInteger("peers.iterationMs", 1000),
                    Integer.getInteger("peers.heapEntries", 5000),
                    Integer.getInteger("peers.expiries", 5),
                    Integer.getInteger("peers.staleWrites", 10_000),
                    Integer.getInteger("peers.outageMs", 2000),
                    Integer.getInteger("peers.afterRestartMs", 6000),
                    Integer.getInteger("peers.outages", 5),
                    System.getProperty("peers.figures", "P10,P11,P12,P13,P14,P15,P16,P17"),
                    System.getProperty("peers.variants", ""));
        }

        /** Returns whether the variant {@code id} is to be run: any, unless {@code peers.variants} lists some. */
        boolean runsVariant(String id) {
            return variants.isBlank() || List.of(variants.split(",", -1)).contains(id);
        }

        /** Returns whether {@code figure} (e.g. {@code P12}) is to be run. */
        boolean runs(String figure) {
            return List.of(figures.split(",", -1)).contains(figure);
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
        String loadAtStart = MachineInfo.loadAverage();

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
                for (Listed l : list(jvm, host, port)) {
                    if (settings.runsVariant(l.variant().id())) {
                        listed.add(l);
                    }
                }
            }
            listed.forEach(l -> report.variant(l.library(), l.variant()));
            List<Listed> redisTier = listed.stream()
                    .filter(l -> l.variant().tier() == Variant.Tier.REDIS)
                    .toList();
            List<Listed> nearTier = listed.stream()
                    .filter(l -> l.variant().tier() == Variant.Tier.NEAR)
                    .toList();
            for (int round = 1; round <= settings.rounds(); round++) {
                for (int threads : settings.runs("P10") ? REDIS_THREADS : List.<Integer>of()) {
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
                for (int threads : settings.runs("P11") ? NEAR_THREADS : List.<Integer>of()) {
                    for (Listed l : nearTier) {
                        stats.flushAll();
                        String[] score = jmh(l, host, port, "hit", threads, settings, false);
                        report.hit(l.variant(), threads, score(score));
                        progress(round, "P11", l, threads + " threads", score);
                    }
                }
                for (Listed l : settings.runs("P14") ? redisTier : List.<Listed>of()) {
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
                for (Listed l : settings.runs("P16") ? nearTier : List.<Listed>of()) {
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
            if (settings.runs("P12")) {
                for (Listed l : redisTier) {
                    stats.flushAll();
                    stampede(l, host, port, settings, report);
                }
            }
            if (settings.runs("P13")) {
                for (Listed l : nearTier) {
                    stats.flushAll();
                    staleness(l, host, port, settings, report);
                }
            }
            if (settings.runs("P15")) {
                // Interleaved, as every figure: one outage of each variant in each order, then the next round.
                for (int outage = 1; outage <= settings.outages(); outage++) {
                    for (Outage.Order order : Outage.Order.values()) {
                        for (Listed l : listed) {
                            outage(l, order, settings, report);
                        }
                    }
                }
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        report.finish(loadAtStart, MachineInfo.loadAverage(), minutes);
        PeersReport.writeSection(resultsFile, report.markdown());
        PeersChart.write(report, resultsFile.resolveSibling(PeersReport.CHART_FILE));
        System.out.printf(Locale.ROOT, "peers: wrote %s in %.1f min%n", resultsFile, minutes);
    }

    /** P12: {@value #STAMPEDE_JVMS} JVMs of {@code l}, a cold round and then a round just after each expiry. */
    private static void stampede(Listed l, String host, String port, Settings settings, PeersReport report)
            throws InterruptedException {
        try (Link.Listener listener = new Link.Listener()) {
            List<PeerJvm.Started> jvms = new ArrayList<>();
            for (int i = 0; i < STAMPEDE_JVMS; i++) {
                jvms.add(l.jvm()
                        .start(
                                List.of(),
                                "stampede",
                                host,
                                port,
                                l.variant().id(),
                                Integer.toString(listener.port()),
                                Integer.toString(STAMPEDE_THREADS)));
            }
            try {
                List<Link> links = listener.accept(STAMPEDE_JVMS);
                links.forEach(link -> link.receive("HELLO"));
                for (int round = 0; round <= settings.expiries(); round++) {
                    // Each JVM starts its round on its own message: they go out within a fraction of a millisecond,
                    // against a load of 50 ms.
                    links.forEach(link -> link.send("ROUND " + STAMPEDE_KEY));
                    List<Stampede.Round> rounds = new ArrayList<>();
                    links.forEach(link -> rounds.add(Stampede.Round.parse(link.receive("DONE"))));
                    if (round > 0) {
                        report.stampede(l.variant(), rounds);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "P12 %s, %s: %d loads, %.0f ms%n",
                            l.variant().id(),
                            round == 0 ? "cold round" : "expiry " + round,
                            rounds.stream().mapToInt(Stampede.Round::loads).sum(),
                            rounds.stream()
                                            .mapToLong(Stampede.Round::nanos)
                                            .max()
                                            .orElse(0)
                                    / 1e6);
                    // Wait until the value written by this round has expired in Redis.
                    Thread.sleep(Stampede.TTL.toMillis() + 250);
                }
                links.forEach(link -> link.send("END"));
                for (PeerJvm.Started jvm : jvms) {
                    jvm.await();
                }
                links.forEach(Link::close);
            } catch (RuntimeException e) {
                jvms.forEach(PeerJvm.Started::kill);
                throw e;
            }
        }
    }

    /** P13: a writer JVM and a reader JVM of {@code l}. */
    private static void staleness(Listed l, String host, String port, Settings settings, PeersReport report)
            throws InterruptedException {
        try (Link.Listener listener = new Link.Listener()) {
            String driverPort = Integer.toString(listener.port());
            String id = l.variant().id();
            PeerJvm.Started writer = l.jvm()
                    .start(
                            List.of(),
                            "stale-writer",
                            host,
                            port,
                            id,
                            driverPort,
                            Integer.toString(settings.staleWrites()));
            PeerJvm.Started reader = l.jvm().start(List.of(), "stale-reader", host, port, id, driverPort);
            try {
                Map<String, Link> links = new LinkedHashMap<>();
                for (Link link : listener.accept(2)) {
                    links.put(link.receive("HELLO")[1], link);
                }
                links.get("stale-writer").receive("PREPARED");
                links.get("stale-reader").send("READ");
                String readerPort = links.get("stale-reader").receive("LISTENING")[1];
                links.get("stale-writer").send("READER " + readerPort);
                Staleness.WriterResult puts = Staleness.WriterResult.parse(single(writer.await(), "PUTS"));
                Staleness.ReaderResult reads = Staleness.ReaderResult.parse(single(reader.await(), "STALE"));
                links.values().forEach(Link::close);
                report.staleness(l.variant(), reads, puts);
                System.out.printf(
                        Locale.ROOT,
                        "P13 %s: %d of %d first reads stale, %d never seen; seen after p50 %.0f / p99 %.0f / max %.0f µs;"
                                + " put p50 %.0f / p99 %.0f µs%n",
                        id,
                        reads.stale(),
                        reads.writes(),
                        reads.never(),
                        reads.p50Micros(),
                        reads.p99Micros(),
                        reads.maxMicros(),
                        puts.p50Micros(),
                        puts.p99Micros());
            } catch (RuntimeException e) {
                writer.kill();
                reader.kill();
                throw e;
            }
        }
    }

    /**
     * P15: one JVM of {@code l}, its threads reading in {@code order}, against a redis-server of its own, killed and
     * started again on the same port.
     */
    private static void outage(Listed l, Outage.Order order, Settings settings, PeersReport report)
            throws InterruptedException {
        try (RedisServerProcess redis = RedisServerProcess.start();
                Link.Listener listener = new Link.Listener()) {
            String id = l.variant().id();
            PeerJvm.Started jvm = l.jvm()
                    .start(
                            List.of(),
                            "outage",
                            "127.0.0.1",
                            Integer.toString(redis.port()),
                            id,
                            Integer.toString(listener.port()),
                            Integer.toString(Outage.THREADS),
                            order.name());
            try (Link link = listener.accept(1).get(0)) {
                link.receive("HELLO");
                link.receive("RUNNING");
                link.send("KILLING");
                link.receive("READY");
                redis.kill();
                Thread.sleep(settings.outageMs());
                redis.restart();
                long restarted = System.nanoTime();
                link.send("RESTARTED");
                // The first key any client writes into the emptied server: the library is back on Redis.
                RedisCommandStats server = new RedisCommandStats("127.0.0.1", redis.port());
                double firstWriteMillis = Double.NaN;
                long end = restarted + settings.afterRestartMs() * 1_000_000L;
                while (System.nanoTime() < end) {
                    if (Double.isNaN(firstWriteMillis) && server.dbSize() > 0) {
                        firstWriteMillis = (System.nanoTime() - restarted) / 1e6;
                    }
                    Thread.sleep(Double.isNaN(firstWriteMillis) ? 5 : 100);
                }
                link.send("STOP");
                link.receive("STOPPED");
                Outage.Result result = Outage.Result.parse(single(jvm.await(), "OUTAGE"));
                report.outage(l.variant(), order, result, firstWriteMillis);
                System.out.printf(
                        Locale.ROOT,
                        "P15 %s, keys %s: calls %s, exceptions %s, wrong %s, loads %s, slowest %.0f ms, recovery %.0f ms,"
                                + " first write back %.0f ms%n",
                        id,
                        order.label(),
                        result.calls(),
                        result.exceptions(),
                        result.wrong(),
                        result.loads(),
                        result.slowestMillis(),
                        result.recoveryMillis(),
                        firstWriteMillis);
            } catch (RuntimeException e) {
                jvm.kill();
                throw e;
            }
        }
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
