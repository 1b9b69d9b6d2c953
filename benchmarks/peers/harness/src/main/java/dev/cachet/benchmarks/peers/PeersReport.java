package dev.cachet.benchmarks.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

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

    private final PeersDriver.Settings settings;
    private final Map<String, Variant> variants = new LinkedHashMap<>();
    private final Map<String, String> libraries = new LinkedHashMap<>();
    private final Map<String, List<PeersDriver.Score>> hits = new LinkedHashMap<>();
    private final Map<String, List<PeersDriver.Score>> getAlls = new LinkedHashMap<>();
    private final Map<String, List<Double>> allocations = new LinkedHashMap<>();
    /** Per variant and round: commands per hit (all, sent), per getAll (all, sent). */
    private final Map<String, List<double[]>> commands = new LinkedHashMap<>();

    private final Map<String, List<Double>> heaps = new LinkedHashMap<>();
    private String header = "";

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

    void finish(String loadAtStart, String loadAtEnd, double minutes) {
        header = String.join(
                "\n",
                "- **Date:** "
                        + ZonedDateTime.now(ZoneOffset.UTC)
                                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                "- **Code measured:** `" + gitRevision() + "`; JDK " + System.getProperty("java.runtime.version") + ", "
                        + Runtime.getRuntime().availableProcessors() + " cores",
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
                + " confidence half-width; a ratio's ± is propagated from both. Reproduce with"
                + " `benchmarks/peers/run.sh`.\n\n");

        md.append("### P10: Redis-tier hit throughput, ops/s (Cachet ÷ peer above 1: Cachet is faster)\n\n");
        md.append(
                "| variant | 1 thread | 2 threads | 8 threads | Cachet ÷ peer, 1 / 2 / 8 | Redis commands per hit |\n");
        md.append("|---|---:|---:|---:|---|---:|\n");
        for (Variant v : tier(Variant.Tier.REDIS)) {
            md.append("| ").append(v.label());
            for (int t : PeersDriver.REDIS_THREADS) {
                md.append(" | ").append(throughput(median(hits.get(v.id() + "@" + t))));
            }
            md.append(" | ").append(ratios(v, Variant.CACHET, PeersDriver.REDIS_THREADS));
            md.append(" | ").append(commands(v, 1, "%.2f"));
            md.append(" |\n");
        }

        md.append("\n### P11: near-tier hit throughput, ops/s (Cachet ÷ peer above 1: Cachet is faster)\n\n");
        md.append("| variant | 1 thread | 2 threads | Cachet ÷ peer, 1 / 2 |\n|---|---:|---:|---|\n");
        for (Variant v : tier(Variant.Tier.NEAR)) {
            md.append("| ").append(v.label());
            for (int t : PeersDriver.NEAR_THREADS) {
                md.append(" | ").append(throughput(median(hits.get(v.id() + "@" + t))));
            }
            md.append(" | ")
                    .append(ratios(v, Variant.CACHET_NEAR, PeersDriver.NEAR_THREADS))
                    .append(" |\n");
        }

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
                    .append(ratio(median(getAlls.get(Variant.CACHET)), score))
                    .append(" |\n");
        }

        md.append("\n### P16: heap per near entry, bytes (Cachet ÷ peer below 1: Cachet holds less)\n\n");
        md.append("Retained heap after writing and reading " + String.format(Locale.ROOT, "%,d", settings.heapEntries())
                + " entries and full collections"
                + " (serial collector, a JVM of its own per variant), divided by the entries; the caller keeps the"
                + " keys and values, so they are not counted, while any copy or wrapper the near tier makes is."
                + " 100 other keys are written and read first, so the client's lazily made buffers are not"
                + " counted.\n\n");
        md.append("| variant | bytes per entry | Cachet ÷ peer |\n|---|---:|---:|\n");
        Double cachetHeap = median(heaps.get(Variant.CACHET_NEAR), d -> d);
        for (Variant v : tier(Variant.Tier.NEAR)) {
            Double heap = median(heaps.get(v.id()), d -> d);
            md.append("| ").append(v.label()).append(" | ").append(plain(heap, "%.0f"));
            md.append(" | ").append(plainRatio(cachetHeap, heap)).append(" |\n");
        }

        md.append("\n### P17: bytes allocated per Redis-tier hit (Cachet ÷ peer below 1: Cachet allocates less)\n\n");
        md.append("JMH's `-prof gc` (`gc.alloc.rate.norm`) on P10's 1-thread run: every thread of the JVM counts, so"
                + " a client's I/O threads are included.\n\n");
        md.append("| variant | bytes per hit | Cachet ÷ peer |\n|---|---:|---:|\n");
        Double cachetAlloc = median(allocations.get(Variant.CACHET), d -> d);
        for (Variant v : tier(Variant.Tier.REDIS)) {
            Double alloc = median(allocations.get(v.id()), d -> d);
            md.append("| ").append(v.label()).append(" | ").append(plain(alloc, "%.0f"));
            md.append(" | ").append(plainRatio(cachetAlloc, alloc)).append(" |\n");
        }

        md.append("\n### Not measured yet\n\n");
        md.append("- **P12** loads per expiry, 4 JVMs × 16 threads, with each peer's own stampede protection.\n");
        md.append("- **P13** cross-process staleness over 10,000 writes (two JVMs): stale first reads, time to"
                + " convergence at p50, p99 and max.\n");
        md.append(
                "- **P15** `kill -9` of Redis under 32 threads: caller exceptions, wrong values, time to recovery.\n");

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
        return a == null || b == null || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f", a / b);
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

    /** Returns the 1-, 5- and 15-minute load averages from {@code /proc/loadavg}, or {@code unknown}. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .strip()
                    .split(" ", -1);
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String gitRevision() {
        try {
            Process git = new ProcessBuilder("git", "describe", "--always", "--dirty")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
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
