package dev.cachet.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cachet.benchmarks.environment.MachineInfo;
import dev.cachet.redis.Codec;
import dev.cachet.spi.CompressingCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What {@code Codec.compressed} costs and saves on realistic values: a JSON list of {@value #RECORDS} trade records
 * (ten fields each, as an API response cached whole), encoded and decoded with and without LZ4. Average time per
 * value in µs; the sizes are exact. {@link #main} runs it and writes its section of {@code RESULTS.md}, after the
 * marker that {@link ResultsReport} keeps.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 4, time = 1)
@State(Scope.Benchmark)
public class CompressionBenchmark {
    /** Records per cached value. */
    public static final int RECORDS = 100;

    /** The default maxValueBytes, which bounds decompression. */
    private static final int MAX_VALUE_BYTES = 1 << 20;

    /** The section's first line in RESULTS.md; everything from it to {@link #SECTION_END} is rewritten. */
    static final String SECTION_BEGIN = "<!-- CompressionBenchmark: begin -->";

    static final String SECTION_END = "<!-- CompressionBenchmark: end -->";

    /**
     * One trade, as a service would return it.
     *
     * @param id trade id
     * @param symbol instrument
     * @param side BUY or SELL
     * @param quantity shares
     * @param price price per share
     * @param currency ISO currency
     * @param venue exchange
     * @param executedAt ISO-8601 timestamp
     * @param trader desk and trader
     * @param flags condition codes
     */
    public record Trade(
            long id,
            String symbol,
            String side,
            long quantity,
            BigDecimal price,
            String currency,
            String venue,
            String executedAt,
            String trader,
            List<String> flags) {}

    private static final TypeReference<List<Trade>> TRADES = new TypeReference<>() {};

    Codec<List<Trade>> json;
    CompressingCodec<List<Trade>> compressed;
    List<Trade> value;
    byte[] jsonBytes;
    byte[] compressedBytes;

    /** Builds the value and its two encodings. */
    @Setup
    public void setUp() {
        json = Codec.json(TRADES);
        compressed = (CompressingCodec<List<Trade>>) Codec.compressed(Codec.json(TRADES));
        value = trades(RECORDS);
        jsonBytes = json.encode(value);
        compressedBytes = compressed.compress(compressed.encode(value));
        if (compressedBytes == null) {
            throw new IllegalStateException("the value did not compress");
        }
    }

    /** Returns {@code n} trades, the same on every call. */
    static List<Trade> trades(int n) {
        String[] symbols = {"AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA", "JPM", "V", "XOM"};
        String[] venues = {"XNAS", "XNYS", "ARCX", "BATS", "IEXG"};
        String[] desks = {"eq-cash", "eq-prog", "eq-algo"};
        String[] flags = {"regular", "odd-lot", "intermarket-sweep", "average-price", "derivatively-priced"};
        Random random = new Random(42);
        List<Trade> trades = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<String> tradeFlags = random.nextInt(4) == 0
                    ? List.of(flags[0], flags[1 + random.nextInt(flags.length - 1)])
                    : List.of(flags[0]);
            trades.add(new Trade(
                    1_000_000L + i,
                    symbols[random.nextInt(symbols.length)],
                    random.nextBoolean() ? "BUY" : "SELL",
                    100L * (1 + random.nextInt(50)),
                    BigDecimal.valueOf(10_000 + random.nextInt(90_000), 2),
                    "USD",
                    venues[random.nextInt(venues.length)],
                    String.format(
                            Locale.ROOT,
                            "2026-12-03T14:%02d:%02d.%03dZ",
                            random.nextInt(60),
                            random.nextInt(60),
                            random.nextInt(1000)),
                    desks[random.nextInt(desks.length)] + "/trader-" + random.nextInt(20),
                    tradeFlags));
        }
        return trades;
    }

    /** JSON only: what {@code Codec.json} does on a write. */
    @Benchmark
    public byte[] encodeJson() {
        return json.encode(value);
    }

    /** JSON, then LZ4: what {@code Codec.compressed(Codec.json(...))} does on a write. */
    @Benchmark
    public byte[] encodeCompressed() {
        return compressed.compress(compressed.encode(value));
    }

    /** JSON only: what {@code Codec.json} does on a read. */
    @Benchmark
    public List<Trade> decodeJson() {
        return json.decode(jsonBytes);
    }

    /** LZ4, then JSON: what the compressed codec does on a read, bounded by the default maxValueBytes. */
    @Benchmark
    public List<Trade> decodeCompressed() {
        return compressed.decode(compressed.decompress(compressedBytes, MAX_VALUE_BYTES));
    }

    /**
     * The sizes of one value.
     *
     * @param jsonBytes its JSON
     * @param compressedBytes its JSON compressed, length prefix included
     */
    record Sizes(int jsonBytes, int compressedBytes) {
        double ratio() {
            return (double) jsonBytes / compressedBytes;
        }
    }

    static Sizes sizes() {
        CompressionBenchmark state = new CompressionBenchmark();
        state.setUp();
        return new Sizes(state.jsonBytes.length, state.compressedBytes.length);
    }

    /** Returns the JMH options: this class's benchmarks, with its annotations' forks and iterations. */
    static Options options() {
        return new OptionsBuilder()
                .include(CompressionBenchmark.class.getName() + "\\.")
                .shouldFailOnError(true)
                .build();
    }

    /** Returns smoke options: in-process, one short iteration, for tests. */
    static Options smokeOptions() {
        return new OptionsBuilder()
                .include(CompressionBenchmark.class.getName() + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();
    }

    /**
     * Runs the benchmark and prints its section; with a path ({@code benchmarks/RESULTS.md}), writes the section
     * there too, replacing its previous one.
     */
    public static void main(String[] args) {
        MachineInfo machine = MachineInfo.current();
        Map<String, JmhRuns.Score> scores = JmhRuns.scores(JmhRuns.run(options()));
        String section = section(
                sizes(),
                scores,
                "Measured on " + machine.oneLine() + ", code `" + machine.revision() + "`, load average "
                        + MachineInfo.loadAverage() + " after the run.");
        System.out.println(section);
        if (args.length > 0) {
            writeSection(Path.of(args[0]), section);
        }
    }

    /** Returns the Markdown section of the results. */
    static String section(Sizes sizes, Map<String, JmhRuns.Score> scores, String machine) {
        StringBuilder md = new StringBuilder();
        md.append(SECTION_BEGIN).append('\n');
        md.append("## Compression: `Codec.compressed` on JSON lists of ")
                .append(RECORDS)
                .append(" records\n\n");
        md.append("`CompressionBenchmark` (JMH, average time per value, 1 fork × 4 × 1 s after 4 × 1 s of warm-up; ± is"
                        + " the 99.9 % confidence half-width). The value is a list of ")
                .append(RECORDS)
                .append(" trade records of ten fields, as a service would return it. ")
                .append(machine)
                .append("\n\n");
        md.append("| | JSON | JSON + LZ4 | ratio |\n|---|---:|---:|---:|\n");
        md.append(String.format(
                Locale.ROOT,
                "| size of one value | %,d B | %,d B | %.2f× smaller |%n",
                sizes.jsonBytes(),
                sizes.compressedBytes(),
                sizes.ratio()));
        appendTime(md, "encode (write)", scores, "encodeJson", "encodeCompressed");
        appendTime(md, "decode (read)", scores, "decodeJson", "decodeCompressed");
        md.append("\nReproduce: `benchmarks/jmh.sh CompressionBenchmark`, or `java -cp … "
                + "dev.cachet.benchmarks.CompressionBenchmark benchmarks/RESULTS.md` to rewrite this section.\n");
        md.append(SECTION_END).append('\n');
        return md.toString();
    }

    private static void appendTime(
            StringBuilder md, String label, Map<String, JmhRuns.Score> scores, String plain, String lz4) {
        JmhRuns.Score a = scores.get("CompressionBenchmark." + plain);
        JmhRuns.Score b = scores.get("CompressionBenchmark." + lz4);
        if (a == null || b == null) {
            return;
        }
        md.append(String.format(
                Locale.ROOT,
                "| %s | %.1f ± %.1f µs | %.1f ± %.1f µs | %+.1f µs (%.2f×) |%n",
                label,
                a.score(),
                a.error(),
                b.score(),
                b.error(),
                b.score() - a.score(),
                b.score() / a.score()));
    }

    /** Replaces the section in {@code file}, or appends it after ResultsReport's marker. */
    static void writeSection(Path file, String section) {
        try {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            int begin = text.indexOf(SECTION_BEGIN);
            int end = text.indexOf(SECTION_END);
            String updated;
            if (begin >= 0 && end > begin) {
                updated = text.substring(0, begin) + section + text.substring(end + SECTION_END.length() + 1);
            } else {
                if (!text.contains(ResultsReport.KEPT_SECTIONS_MARKER)) {
                    text = text + "\n" + ResultsReport.KEPT_SECTIONS_MARKER + "\n";
                }
                updated = text + "\n" + section;
            }
            Files.writeString(file, updated, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
