package dev.cachet.benchmarks.peers;

import dev.cachet.benchmarks.environment.MachineInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The "Against the peers" section of {@code RESULTS.md}: a table per figure, each peer beside Cachet with the ratio
 * Cachet ÷ peer, then each peer's exact configuration. The section sits between its own markers after the ratio
 * report's kept-sections marker, so the ratio report keeps it when it rewrites the file. Not thread-safe.
 */
final class PeersReport {
    /** The ratio report's marker (benchmarks' {@code ResultsReport.KEPT_SECTIONS_MARKER}): it keeps what follows. */
    static final String KEPT_SECTIONS_MARKER =
            "<!-- Sections below are written by their own benchmarks; ResultsReport keeps them. -->";

    static final String SECTION_BEGIN = "<!-- PeersDriver: begin -->";
    static final String SECTION_END = "<!-- PeersDriver: end -->";

    /** The chart's file, beside {@code RESULTS.md}. */
    static final String CHART_FILE = "peers.png";

    /** How a variant's configuration names its stampede protection (P12 shows the rest of that line). */
    static final String PROTECTION_PREFIX = "stampede protection: ";

    private final PeersDriver.Settings settings;
    private final Map<String, Variant> variants = new LinkedHashMap<>();
    private final Map<String, String> libraries = new LinkedHashMap<>();
    private final Map<String, List<PeersDriver.Score>> hits = new LinkedHashMap<>();
    private final Map<String, List<PeersDriver.Score>> getAlls = new LinkedHashMap<>();
    private final Map<String, List<Double>> allocations = new LinkedHashMap<>();
    /** Per variant and round: commands per hit (all, sent), per getAll (all, sent). */
    private final Map<String, List<double[]>> commands = new LinkedHashMap<>();

    private final Map<String, List<Double>> heaps = new LinkedHashMap<>();
    private final Map<String, List<Expiry>> expiries = new LinkedHashMap<>();
    private final Map<String, Staleness.ReaderResult> staleReads = new LinkedHashMap<>();
    private final Map<String, Staleness.WriterResult> stalePuts = new LinkedHashMap<>();
    private final Map<Outage.Order, Map<String, List<OutageRun>>> outages = new EnumMap<>(Outage.Order.class);
    private String header = "";
    private String loadLine = "";

    /**
     * One P12 round after an expiry, over every JVM.
     *
     * @param loads loader runs in all JVMs
     * @param nanos the slowest JVM's time from its release until its last thread had the value
     * @param wrong calls that returned another value
     * @param exceptions calls that threw
     */
    record Expiry(int loads, long nanos, int wrong, int exceptions) {}

    PeersReport(PeersDriver.Settings settings) {
        this.settings = settings;
    }

    void variant(String library, Variant variant) {
        variants.put(variant.id(), variant);
        libraries.put(variant.id(), library);
    }

    void hit(Variant v, int threads, PeersDriver.Score score) {
        hits.computeIfAbsent(v.id() + "@" + threads, k -> new ArrayList<>()).add(score);
    }

    void allocation(Variant v, double bytesPerHit) {
        allocations.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(bytesPerHit);
    }

    void getAll(Variant v, PeersDriver.Score micros) {
        getAlls.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(micros);
    }

    void commands(Variant v, double[] perCall) {
        commands.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(perCall.clone());
    }

    /** Returns "sent (all)" for the median round of field {@code sent} (all is the field before). */
    private String commands(Variant v, int sent, String format) {
        List<double[]> rounds = commands.get(v.id());
        if (rounds == null || rounds.isEmpty()) {
            return "–";
        }
        List<double[]> sorted =
                rounds.stream().sorted(Comparator.comparingDouble(r -> r[sent])).toList();
        double[] median = sorted.get((sorted.size() - 1) / 2);
        return String.format(Locale.ROOT, format + " (" + format + ")", median[sent], median[sent - 1]);
    }

    void heap(Variant v, double bytesPerEntry) {
        heaps.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(bytesPerEntry);
    }

    void stampede(Variant v, List<Stampede.Round> jvms) {
        expiries.computeIfAbsent(v.id(), k -> new ArrayList<>())
                .add(new Expiry(
                        jvms.stream().mapToInt(Stampede.Round::loads).sum(),
                        jvms.stream().mapToLong(Stampede.Round::nanos).max().orElse(0),
                        jvms.stream().mapToInt(Stampede.Round::wrong).sum(),
                        jvms.stream().mapToInt(Stampede.Round::exceptions).sum()));
    }

    void staleness(Variant v, Staleness.ReaderResult reads, Staleness.WriterResult puts) {
        staleReads.put(v.id(), reads);
        stalePuts.put(v.id(), puts);
    }

    /** One P15 outage of a variant: what its threads saw, and when the server held a key again (NaN if never). */
    private record OutageRun(Outage.Result result, double firstWriteBackMillis) {}

    void outage(Variant v, Outage.Order order, Outage.Result result, double firstWriteBackMillis) {
        outages.computeIfAbsent(order, unused -> new LinkedHashMap<>())
                .computeIfAbsent(v.id(), unused -> new ArrayList<>())
                .add(new OutageRun(result, firstWriteBackMillis));
    }

    /** Returns the mean loads per expiry of {@code id} (P12), or NaN if not measured. */
    double loadsPerExpiry(String id) {
        List<Expiry> rounds = expiries.get(id);
        return rounds == null
                ? Double.NaN
                : rounds.stream().mapToInt(Expiry::loads).average().orElse(Double.NaN);
    }

    /** Returns the share of stale first reads of {@code id} (P13), or NaN if not measured. */
    double staleShare(String id) {
        Staleness.ReaderResult r = staleReads.get(id);
        return r == null || r.writes() == 0 ? Double.NaN : (double) r.stale() / r.writes();
    }

    void finish(String loadAtStart, String loadAtEnd, double minutes) {
        MachineInfo machine = MachineInfo.current();
        loadLine = machine.oneLine() + " · load average " + loadAtStart + " at start, " + loadAtEnd + " at end";
        header = String.join(
                "\n",
                "- **Date:** " + machine.date(),
                "- **Code measured:** `" + machine.revision() + "`; " + machine.jdk() + "; " + machine.cores()
                        + " cores, " + machine.memory() + ", " + machine.cpu(),
                "- **Load average** (1 / 5 / 15 min): " + loadAtStart + " at start, " + loadAtEnd
                        + " at end — above the core count means other work shared the cores: the ratios, measured"
                        + " in the same run, are what counts",
                String.format(
                        Locale.ROOT,
                        "- **Run:** %d round(s) (the median round is shown), JMH %d × %d ms warm-up and %d × %d ms"
                                + " measurement in one fork per figure and variant; %.1f min in all",
                        settings.rounds(),
                        settings.warmups(),
                        settings.iterationMs(),
                        settings.measurements(),
                        settings.iterationMs(),
                        minutes));
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(SECTION_BEGIN).append("\n## Against the peers (issue 13)\n\n");
        md.append(header).append("\n\n");
        md.append("Each library runs in its own JVM with its own class path (their Redis clients clash) against one"
                + " `redis-server` on loopback (no persistence) that the driver starts, emptied before each run."
                + " The work is the same for all: " + String.format(Locale.ROOT, "%,d", Workload.KEYS)
                + " keys `k0`…`k999` of " + Workload.VALUE_LENGTH
                + "-character String values, written through the library (TTL 10 min) and read once before measuring;"
                + " every measured call is a hit (a loader call fails the run). JMH runs inside each library's JVM"
                + " (`PeerBenchmark`, one forked JVM per figure and variant, variants interleaved). ± is JMH's 99.9 %"
                + " confidence half-width; a ratio's ± is propagated from both. Cachet's figure in every ratio is"
                + " its default setup's of the tier (`" + Variant.CACHET + "`, `" + Variant.CACHET_NEAR + "`);"
                + " Cachet's other setups (e.g. acknowledged invalidation) have rows of their own, whose ratio compares"
                + " that default with them. Reproduce with `benchmarks/peers/run.sh`.\n\n");

        md.append("### P10: Redis-tier hit throughput, ops/s (Cachet ÷ peer above 1: Cachet is faster)\n\n");
        md.append(
                "| variant | 1 thread | 2 threads | 8 threads | Cachet ÷ peer, 1 / 2 / 8 | Redis commands per hit |\n");
        md.append("|---|---:|---:|---:|---|---:|\n");
        appendHitRows(md, Variant.Tier.REDIS, PeersDriver.REDIS_THREADS, v -> " | " + commands(v, 1, "%.2f"));

        md.append("\n### P11: near-tier hit throughput, ops/s (Cachet ÷ peer above 1: Cachet is faster)\n\n");
        md.append("| variant | 1 thread | 2 threads | Cachet ÷ peer, 1 / 2 |\n|---|---:|---:|---|\n");
        appendHitRows(md, Variant.Tier.NEAR, PeersDriver.NEAR_THREADS, v -> "");

        md.append("\n### P14: `getAll` of ")
                .append(Workload.GET_ALL_KEYS)
                .append(" present keys (Cachet ÷ peer below 1:" + " Cachet takes less)\n\n");
        md.append("Redis commands per call, over " + PeerWorker.COUNTED_CALLS + " calls after a warm-up: first the"
                + " commands the client sent, seen on a `MONITOR` connection (a round trip each, unless the client"
                + " pipelines several into one; `MGET` and a script are one command each), then in brackets every"
                + " command the server ran, from `INFO commandstats` before and after (the calls of every command but"
                + " `INFO`; a script's own commands count here too). Variants without a bulk call loop over their get,"
                + " one key at a time.\n\n");
        md.append("| variant | bulk call | Redis commands per call: sent (all) | µs per call | Cachet ÷ peer, µs |\n");
        md.append("|---|---|---:|---:|---:|\n");
        for (Variant v : tier(Variant.Tier.REDIS)) {
            PeersDriver.Score score = median(getAlls.get(v.id()));
            md.append("| ").append(v.label()).append(" | ").append(v.bulkGetAll() ? "yes" : "no, a loop over get");
            md.append(" | ").append(commands(v, 3, "%.1f"));
            md.append(" | ").append(score == null ? "–" : withError(score.score(), score.error()));
            md.append(" | ")
                    .append(ratio(median(getAlls.get(Variant.cachetOf(Variant.Tier.REDIS))), score))
                    .append(" |\n");
        }

        md.append("\n### P16: heap per near entry, bytes (Cachet ÷ peer below 1: Cachet holds less)\n\n");
        md.append("Retained heap after writing and reading " + String.format(Locale.ROOT, "%,d", settings.heapEntries())
                + " entries and full collections"
                + " (serial collector, a JVM of its own per variant), divided by the entries; the caller keeps the"
                + " keys and values, so they are not counted, while any copy or wrapper the near tier makes is."
                + " 100 other keys are written and read first, so the client's lazily made buffers are not"
                + " counted.\n\n");
        appendBytesRows(md, "bytes per entry", Variant.Tier.NEAR, heaps);

        md.append("\n### P17: bytes allocated per Redis-tier hit (Cachet ÷ peer below 1: Cachet allocates less)\n\n");
        md.append("JMH's `-prof gc` (`gc.alloc.rate.norm`) on P10's 1-thread run: every thread of the JVM counts, so"
                + " a client's I/O threads are included.\n\n");
        appendBytesRows(md, "bytes per hit", Variant.Tier.REDIS, allocations);

        appendStampede(md);
        appendStaleness(md);
        appendOutage(md);
        md.append(
                        "\n![Cachet against the peers: how many times better (green) or worse (red) Cachet does on each figure](")
                .append(CHART_FILE)
                .append(")\n\n`")
                .append(CHART_FILE)
                .append(
                        "`: for each figure and peer, Cachet's figure over the peer's, turned so that above 1 means Cachet"
                                + " does better (more hits per second; fewer loads, stale reads, microseconds, bytes); log scale."
                                + " P15 has no single figure to chart.\n");

        md.append("\n### The peers' configurations\n\n");
        md.append("Each as its documentation recommends for production where it says, otherwise its defaults;"
                + " values are Strings, so each library's String codec is used where it has one.\n");
        for (Variant v : variants.values()) {
            md.append("\n**").append(v.label()).append("** (`").append(v.id()).append("`, ");
            md.append(libraries.get(v.id())).append(")\n\n");
            for (String line : v.configuration()) {
                md.append("- ").append(line).append('\n');
            }
        }
        md.append(SECTION_END).append('\n');
        return md.toString();
    }

    /** Appends a row of hit throughputs per variant of {@code tier}, its ratios, then {@code more}'s columns. */
    private void appendHitRows(
            StringBuilder md, Variant.Tier tier, List<Integer> threads, Function<Variant, String> more) {
        for (Variant v : tier(tier)) {
            md.append("| ").append(v.label());
            for (int t : threads) {
                md.append(" | ").append(throughput(median(hits.get(v.id() + "@" + t))));
            }
            md.append(" | ").append(ratios(v, Variant.cachetOf(tier), threads));
            md.append(more.apply(v)).append(" |\n");
        }
    }

    /** Appends a table of the median bytes of each variant of {@code tier} and its ratio (less is better). */
    private void appendBytesRows(StringBuilder md, String what, Variant.Tier tier, Map<String, List<Double>> bytes) {
        md.append("| variant | ").append(what).append(" | Cachet ÷ peer |\n|---|---:|---:|\n");
        Double cachet = median(bytes.get(Variant.cachetOf(tier)), d -> d);
        for (Variant v : tier(tier)) {
            Double value = median(bytes.get(v.id()), d -> d);
            md.append("| ").append(v.label()).append(" | ").append(plain(value, "%.0f"));
            md.append(" | ").append(plainRatio(cachet, value)).append(" |\n");
        }
    }

    private void appendStampede(StringBuilder md) {
        md.append("\n### P12: loads per expiry, ")
                .append(PeersDriver.STAMPEDE_JVMS)
                .append(" JVMs × ")
                .append(PeersDriver.STAMPEDE_THREADS)
                .append(" threads (Cachet ÷ peer below 1: Cachet loads less)\n\n");
        md.append("Each Redis-tier variant opens its cache with a TTL of " + Stampede.TTL.toSeconds() + " s (longer"
                + " than any round should take, so that a slow round does not see its value expire again) in "
                + PeersDriver.STAMPEDE_JVMS + " JVMs. Each round, the driver releases every JVM (a message over a"
                + " loopback socket each) and each JVM its " + PeersDriver.STAMPEDE_THREADS + " threads onto one key"
                + " through `get(key, loader)`, the library's read-through call, with its own stampede protection as"
                + " its documentation offers it; the loader takes " + Stampede.LOAD_TIME.toMillis() + " ms, like a slow"
                + " backend, and counts its runs. A cold round comes first and is not counted; then each round starts "
                + Stampede.TTL.toMillis() + " + 250 ms after the last one ended, just after the value expired. Time per"
                + " round: the slowest JVM's, from its release until its last thread had the value. A round longer than"
                + " the TTL lets the value loaded at its start expire again while threads still wait for their turn (a"
                + " lock queue), and one of them loads again: such rounds are counted, and their second load is a load"
                + " per expiry as well.\n\n");
        md.append("| variant | stampede protection | loads per expiry: mean (min–max) | ms per round: median (max)"
                + " | rounds longer than the TTL | Cachet ÷ peer, loads | wrong values / exceptions |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        double cachet = loadsPerExpiry(Variant.cachetOf(Variant.Tier.REDIS));
        for (Variant v : tier(Variant.Tier.REDIS)) {
            List<Expiry> rounds = expiries.get(v.id());
            md.append("| ")
                    .append(v.label())
                    .append(" | ")
                    .append(protection(v))
                    .append(" | ");
            if (rounds == null || rounds.isEmpty()) {
                md.append("– | – | – | – | – |\n");
                continue;
            }
            IntSummaryStatistics loads = rounds.stream().mapToInt(Expiry::loads).summaryStatistics();
            List<Long> nanos = rounds.stream().map(Expiry::nanos).sorted().toList();
            md.append(String.format(
                    Locale.ROOT,
                    "%.1f (%d–%d) | %.0f (%.0f) | %d of %d | %s | %d / %d |%n",
                    loads.getAverage(),
                    loads.getMin(),
                    loads.getMax(),
                    nanos.get((nanos.size() - 1) / 2) / 1e6,
                    nanos.get(nanos.size() - 1) / 1e6,
                    nanos.stream().filter(n -> n > Stampede.TTL.toNanos()).count(),
                    nanos.size(),
                    plainRatio(cachet, loads.getAverage()),
                    rounds.stream().mapToInt(Expiry::wrong).sum(),
                    rounds.stream().mapToInt(Expiry::exceptions).sum()));
        }
    }

    /** Returns the variant's configuration line that names its stampede protection, without its prefix. */
    private static String protection(Variant v) {
        return v.configuration().stream()
                .filter(line -> line.startsWith(PROTECTION_PREFIX))
                .map(line -> line.substring(PROTECTION_PREFIX.length()))
                .findFirst()
                .orElse("–");
    }

    private void appendStaleness(StringBuilder md) {
        Staleness.ReaderResult any = staleReads.values().stream().findFirst().orElse(null);
        md.append("\n### P13: cross-process staleness (Cachet ÷ peer below 1: Cachet is stale less often)\n\n");
        md.append("Two JVMs per near-tier variant, a writer and a reader, each with the variant's near tier. The writer"
                + " `put`s a new value, then tells the reader over a loopback socket (as fast as one process of an"
                + " application can tell another, no faster); the reader's first `get` after the message is stale or"
                + " not; it then reads until it sees the write, and answers, and the writer goes on. "
                + (any == null ? "" : String.format(Locale.ROOT, "%,d", any.writes()))
                + " writes, cycling over " + Staleness.KEYS + " keys the reader has read (so its near tier holds the"
                + " value each write replaces). *Seen after*: from the writer's `put` returning to the reader's read"
                + " that returned the write (one machine, one monotonic clock for both JVMs); a first read that is"
                + " fresh counts its own time. *Never seen*: not within " + Staleness.CONVERGENCE_LIMIT.toSeconds()
                + " s. The reader's loader returns the last value written under the key, as one reading the system of"
                + " record would: a read that falls through to it (a Redis call failing open) is fresh, and counted"
                + " as a load.\n\n");
        md.append("| variant | stale first reads | never seen | seen after, µs: p50 / p99 / max | `put`, µs: p50 / p99"
                + " | Cachet ÷ peer, stale share |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        double cachet = staleShare(Variant.cachetOf(Variant.Tier.NEAR));
        for (Variant v : tier(Variant.Tier.NEAR)) {
            Staleness.ReaderResult r = staleReads.get(v.id());
            Staleness.WriterResult w = stalePuts.get(v.id());
            md.append("| ").append(v.label()).append(" | ");
            if (r == null) {
                md.append("– | – | – | – | – |\n");
                continue;
            }
            md.append(String.format(
                    Locale.ROOT,
                    "%,d of %,d (%.1f %%) | %d | %.0f / %.0f / %.0f | %.0f / %.0f | %s |%n",
                    r.stale(),
                    r.writes(),
                    100.0 * staleShare(v.id()),
                    r.never(),
                    r.p50Micros(),
                    r.p99Micros(),
                    r.maxMicros(),
                    w.p50Micros(),
                    w.p99Micros(),
                    plainRatio(cachet, staleShare(v.id()))));
        }
        long loads = staleReads.values().stream()
                .mapToLong(Staleness.ReaderResult::loads)
                .sum();
        if (loads > 0) {
            md.append("\nThe readers' loaders ran ")
                    .append(loads)
                    .append(" times (every key is in Redis: none were expected, unless a Redis read failed open).\n");
        }
    }

    private void appendOutage(StringBuilder md) {
        md.append("\n### P15: `kill -9` of Redis under ").append(Outage.THREADS).append(" threads\n\n");
        md.append("One JVM per variant against a `redis-server` of its own, every key written and read first; "
                + Outage.THREADS + " threads call `get(key, loader)` over the "
                + String.format(Locale.ROOT, "%,d", Workload.KEYS)
                + " keys without pause, in one of two orders (a table for each, below; the loader is instant and"
                + " returns the right value). After a second the driver"
                + " kills Redis with `SIGKILL`, starts it again, empty, on the same port " + settings.outageMs()
                + " ms later, and"
                + " stops the threads " + settings.afterRestartMs()
                + " ms after it answers `PING`. Calls are counted in the phase"
                + " they started in: before / during the outage / after the restart. *Wrong values*: anything but the"
                + " key's value, `null` included. *Loads*: calls the cache answered by the loader (during the outage,"
                + " that is failing open; after the restart, refilling the empty server). *Recovery*: from the restart"
                + " to the last exception, wrong value or load. *Back in Redis*: from the restart until the server holds"
                + " a key again (polled every 5 ms).\n");
        for (Map.Entry<Outage.Order, Map<String, List<OutageRun>>> byOrder : outages.entrySet()) {
            md.append("\n**Keys read ")
                    .append(byOrder.getKey().label())
                    .append("**: ")
                    .append(byOrder.getKey().description())
                    .append("\n\n");
            appendOutageTable(md, byOrder.getValue());
        }
        md.append("\nCounts are before / during / after. Each variant had " + settings.outages()
                + " outages in each order, interleaved with the other variants'; each row is the one of median"
                + " recovery, and the recovery column before it gives the fastest and slowest.\n");
    }

    /** Appends one P15 table: a row per variant of {@code byVariant}, the outage of median recovery. */
    private void appendOutageTable(StringBuilder md, Map<String, List<OutageRun>> byVariant) {
        md.append("| variant | calls | exceptions | wrong values | loads | slowest call, ms | calls over "
                + Outage.BLOCKED.toSeconds()
                + " s | recovery, ms | recovery, fastest / slowest, ms | back in Redis, ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Variant v : variants.values()) {
            List<OutageRun> runs = byVariant.get(v.id());
            if (runs == null) {
                continue;
            }
            List<OutageRun> byRecovery = runs.stream()
                    .sorted(Comparator.comparingDouble(run -> run.result().recoveryMillis()))
                    .toList();
            OutageRun median = byRecovery.get((byRecovery.size() - 1) / 2);
            Outage.Result r = median.result();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %.0f | %d | %.0f | %.0f / %.0f | %s |%n",
                    v.label() + (r.stuck() > 0 ? " (" + r.stuck() + " calls still blocked at the end)" : ""),
                    r.calls(),
                    r.exceptions(),
                    r.wrong(),
                    r.loads(),
                    r.slowestMillis(),
                    r.blocked(),
                    r.recoveryMillis(),
                    byRecovery.get(0).result().recoveryMillis(),
                    byRecovery.get(byRecovery.size() - 1).result().recoveryMillis(),
                    plain(median.firstWriteBackMillis(), "%.0f")));
        }
    }

    /**
     * Returns the bars of the chart: per figure and peer, how many times better Cachet does (see {@link PeersChart});
     * P13 has a group for each other near-tier setup of Cachet as well.
     */
    List<PeersChart.Bar> bars() {
        List<PeersChart.Bar> bars = new ArrayList<>();
        for (int t : PeersDriver.REDIS_THREADS) {
            addBars(bars, "P10 hit, " + t + " thr", Variant.Tier.REDIS, hitsWith(t), true);
        }
        for (int t : PeersDriver.NEAR_THREADS) {
            addBars(bars, "P11 near hit, " + t + " thr", Variant.Tier.NEAR, hitsWith(t), true);
        }
        addBars(bars, "P12 loads per expiry", Variant.Tier.REDIS, this::loadsPerExpiry, false);
        addBars(bars, "P13 stale first reads", Variant.Tier.NEAR, this::staleShare, false);
        for (Variant cachet : tier(Variant.Tier.NEAR)) {
            if (cachet.isCachet() && !cachet.id().equals(Variant.cachetOf(Variant.Tier.NEAR))) {
                String setup = cachet.id().substring(Variant.CACHET.length() + 1);
                addBars(bars, "P13 stale, " + setup, cachet.id(), Variant.Tier.NEAR, this::staleShare, false);
            }
        }
        addBars(bars, "P14 getAll µs", Variant.Tier.REDIS, id -> value(getAlls.get(id)), false);
        addBars(bars, "P16 heap per entry", Variant.Tier.NEAR, id -> medianOrNaN(heaps.get(id)), false);
        addBars(bars, "P17 bytes per hit", Variant.Tier.REDIS, id -> medianOrNaN(allocations.get(id)), false);
        return bars.stream().filter(b -> !Double.isNaN(b.factor())).toList();
    }

    private ToDoubleFunction<String> hitsWith(int threads) {
        return id -> value(hits.get(id + "@" + threads));
    }

    private void addBars(
            List<PeersChart.Bar> bars,
            String figure,
            Variant.Tier tier,
            ToDoubleFunction<String> figureOf,
            boolean moreIsBetter) {
        addBars(bars, figure, Variant.cachetOf(tier), tier, figureOf, moreIsBetter);
    }

    /**
     * Adds a bar per peer of {@code tier}: how many times better Cachet's variant {@code cachetId} does on {@code
     * figureOf} (higher is better if {@code moreIsBetter}, lower otherwise).
     */
    private void addBars(
            List<PeersChart.Bar> bars,
            String figure,
            String cachetId,
            Variant.Tier tier,
            ToDoubleFunction<String> figureOf,
            boolean moreIsBetter) {
        double cachet = figureOf.applyAsDouble(cachetId);
        for (Variant v : peers(tier)) {
            double peer = figureOf.applyAsDouble(v.id());
            bars.add(new PeersChart.Bar(
                    figure, v.label().replace("`", ""), moreIsBetter ? cachet / peer : peer / cachet));
        }
    }

    private static double medianOrNaN(List<Double> values) {
        Double median = median(values, d -> d);
        return median == null ? Double.NaN : median;
    }

    private static double value(List<PeersDriver.Score> scores) {
        PeersDriver.Score s = median(scores);
        return s == null ? Double.NaN : s.score();
    }

    /** Returns the variants of {@code tier} that are not Cachet's. */
    private List<Variant> peers(Variant.Tier tier) {
        return tier(tier).stream().filter(v -> !v.isCachet()).toList();
    }

    /** Returns the load-average line of the chart. */
    String loadLine() {
        return loadLine;
    }

    private List<Variant> tier(Variant.Tier tier) {
        return variants.values().stream().filter(v -> v.tier() == tier).toList();
    }

    private String ratios(Variant v, String cachetId, List<Integer> threads) {
        List<String> parts = new ArrayList<>();
        for (int t : threads) {
            parts.add(ratio(median(hits.get(cachetId + "@" + t)), median(hits.get(v.id() + "@" + t))));
        }
        return String.join(" / ", parts);
    }

    /** Returns {@code a ÷ b} with the propagated error, or – if either is missing. */
    static String ratio(PeersDriver.Score a, PeersDriver.Score b) {
        if (a == null || b == null || b.score() == 0) {
            return "–";
        }
        double r = a.score() / b.score();
        double error = r * Math.hypot(a.error() / a.score(), b.error() / b.score());
        return Double.isFinite(error)
                ? String.format(Locale.ROOT, "%.2f ± %.2f", r, error)
                : String.format(Locale.ROOT, "%.2f", r);
    }

    private static String plainRatio(Double a, Double b) {
        return a == null || b == null || b == 0 || a.isNaN() || b.isNaN()
                ? "–"
                : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String plain(Double value, String format) {
        return value == null ? "–" : String.format(Locale.ROOT, format, value);
    }

    /** Formats a throughput in ops/s: {@code 21.2 k ± 0.4 k}, {@code 18.20 M ± 0.31 M}. */
    static String throughput(PeersDriver.Score s) {
        if (s == null) {
            return "–";
        }
        double scale = s.score() >= 1e6 ? 1e6 : 1e3;
        String unit = scale == 1e6 ? " M" : " k";
        String format = scale == 1e6 ? "%.2f" : "%.1f";
        String value = String.format(Locale.ROOT, format, s.score() / scale) + unit;
        return Double.isFinite(s.error())
                ? value + " ± " + String.format(Locale.ROOT, format, s.error() / scale) + unit
                : value;
    }

    private static String withError(double score, double error) {
        return Double.isFinite(error)
                ? String.format(Locale.ROOT, "%.0f ± %.0f", score, error)
                : String.format(Locale.ROOT, "%.0f", score);
    }

    private static PeersDriver.Score median(List<PeersDriver.Score> scores) {
        if (scores == null || scores.isEmpty()) {
            return null;
        }
        List<PeersDriver.Score> sorted = scores.stream()
                .sorted(Comparator.comparingDouble(PeersDriver.Score::score))
                .toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static <T> Double median(List<T> values, Function<T, Double> of) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        List<Double> sorted = values.stream().map(of).sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /**
     * Replaces the section in {@code file}, or appends it after the ratio report's kept-sections marker (adding the
     * marker if the file has none).
     */
    static void writeSection(Path file, String section) {
        try {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            Files.writeString(file, withSection(text, section), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns {@code text} with {@code section} in place of the old one, or appended after the marker. */
    static String withSection(String text, String section) {
        int begin = text.indexOf(SECTION_BEGIN);
        int end = text.indexOf(SECTION_END);
        if (begin >= 0 && end > begin) {
            int after = end + SECTION_END.length();
            if (after < text.length() && text.charAt(after) == '\n') {
                after++;
            }
            return text.substring(0, begin) + section + text.substring(after);
        }
        String withMarker = text.contains(KEPT_SECTIONS_MARKER) ? text : text + "\n" + KEPT_SECTIONS_MARKER + "\n";
        return withMarker + "\n" + section;
    }
}
