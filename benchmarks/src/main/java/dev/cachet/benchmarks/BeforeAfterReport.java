package dev.cachet.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Prints the Markdown table of {@code before-after.sh}: for each figure and thread count, Cachet and its baseline on
 * the commit before and the commit after a change, each pooled over every measured iteration of every round, with
 * JMH's 99.9 % confidence half-width, and their ratio (its error propagated from both).
 */
public final class BeforeAfterReport {
    /** A JMH result file: {@code <before|after>-<figure>-t<threads>-r<round>.json}. */
    private static final Pattern RESULT_FILE = Pattern.compile("(before|after)-(P\\d+)-t(\\d+)-r\\d+\\.json");

    /** Per figure: the Cachet benchmark, its baseline, the baseline's name, and the unit it is printed in. */
    private record Figure(String cachet, String baseline, String baselineName, String unit, double scale) {}

    private static final Map<String, Figure> FIGURES = Map.of(
            "P1", new Figure("cachet", "caffeine", "Caffeine get(k, fn)", "ops/µs", 1),
            "P2", new Figure("memoized", "caffeine", "Caffeine get(k, fn)", "ops/µs", 1),
            "P10", new Figure("redisTier", "jedisGet", "Jedis GET, same bytes", "k ops/s", 1000));

    private BeforeAfterReport() {}

    /**
     * Reads the results in {@code args[0]} and prints the table.
     *
     * @param args the results directory, the before commit and the after commit
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: BeforeAfterReport <results dir> <before commit> <after commit>");
        }
        // figure -> threads -> version -> benchmark -> measured iterations
        Map<String, Map<Integer, Map<String, Map<String, List<Double>>>>> samples =
                new TreeMap<>(Comparator.comparingInt((String figure) -> Integer.parseInt(figure.substring(1))));
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> listing = Files.list(Path.of(args[0]))) {
            files = listing.sorted().toList();
        }
        for (Path file : files) {
            Matcher name = RESULT_FILE.matcher(file.getFileName().toString());
            if (!name.matches()) {
                continue;
            }
            for (JsonNode run : json.readTree(file.toFile())) {
                String benchmark = run.get("benchmark").asText().replaceAll(".*\\.", "");
                List<Double> values = samples.computeIfAbsent(name.group(2), figure -> new TreeMap<>())
                        .computeIfAbsent(Integer.parseInt(name.group(3)), threads -> new TreeMap<>())
                        .computeIfAbsent(name.group(1), version -> new TreeMap<>())
                        .computeIfAbsent(benchmark, method -> new ArrayList<>());
                for (JsonNode fork : run.get("primaryMetric").get("rawData")) {
                    fork.forEach(value -> values.add(value.asDouble()));
                }
            }
        }
        System.out.printf(
                "| figure | threads | unit | before (%s): Cachet | baseline | ratio | after (%s): Cachet | baseline | ratio |%n",
                args[1], args[2]);
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        samples.forEach((figureName, byThreads) -> byThreads.forEach((threads, byVersion) -> {
            Figure figure = FIGURES.get(figureName);
            StringBuilder row = new StringBuilder(String.format(
                    Locale.ROOT, "| %s vs %s | %d | %s |", figureName, figure.baselineName(), threads, figure.unit()));
            for (String version : List.of("before", "after")) {
                Map<String, List<Double>> byBenchmark = byVersion.getOrDefault(version, Map.of());
                row.append(cells(
                        byBenchmark.getOrDefault(figure.cachet(), List.of()),
                        byBenchmark.getOrDefault(figure.baseline(), List.of()),
                        figure.scale()));
            }
            System.out.println(row);
        }));
    }

    private static String cells(List<Double> cachet, List<Double> baseline, double scale) {
        if (cachet.size() < 2 || baseline.size() < 2) {
            return " – | – | – |";
        }
        ListStatistics c = statistics(cachet);
        ListStatistics b = statistics(baseline);
        double ratio = c.getMean() / b.getMean();
        double ratioError =
                ratio * Math.hypot(c.getMeanErrorAt(0.999) / c.getMean(), b.getMeanErrorAt(0.999) / b.getMean());
        return String.format(
                Locale.ROOT,
                " %.1f ± %.1f | %.1f ± %.1f | %.2f ± %.2f (n = %d) |",
                c.getMean() * scale,
                c.getMeanErrorAt(0.999) * scale,
                b.getMean() * scale,
                b.getMeanErrorAt(0.999) * scale,
                ratio,
                ratioError,
                cachet.size());
    }

    private static ListStatistics statistics(List<Double> values) {
        ListStatistics statistics = new ListStatistics();
        values.forEach(statistics::addValue);
        return statistics;
    }
}
