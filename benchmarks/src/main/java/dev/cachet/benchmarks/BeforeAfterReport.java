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
import org.apache.commons.math3.distribution.TDistribution;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Prints the Markdown table of {@code before-after.sh}: for each figure and thread count, Cachet and its baseline on
 * the commit before and the commit after a change, each pooled over every measured iteration of every round with
 * JMH's 99.9 % confidence half-width, and their ratio paired by round.
 *
 * <p>The ratio is paired because the two forks of a round run back to back: the machine's speed drifts between rounds
 * (on a shared host, by a factor of 2), and that drift moves both alike. So each round gives one ratio, Cachet's mean
 * over its baseline's, and the table shows their geometric mean with a 95 % confidence interval (Student's t on the
 * logarithms, one value per round). Pooling the iterations instead would charge the drift to the ratio twice.
 */
public final class BeforeAfterReport {
    /** A JMH result file: {@code <before|after>-<figure>-t<threads>-r<round>.json}. */
    private static final Pattern RESULT_FILE = Pattern.compile("(before|after)-(P\\d+)-t(\\d+)-r(\\d+)\\.json");

    /** Per figure: the Cachet benchmark, its baseline, the baseline's name, and the unit it is printed in. */
    record Figure(String cachet, String baseline, String baselineName, String unit, double scale) {}

    private static final Map<String, Figure> FIGURES = Map.of(
            "P1", new Figure("cachet", "caffeine", "Caffeine get(k, fn)", "ops/µs", 1),
            "P2", new Figure("memoized", "caffeine", "Caffeine get(k, fn)", "ops/µs", 1),
            "P10", new Figure("redisTier", "jedisGet", "Jedis GET, same bytes", "k ops/s", 1000));

    /** One round's measured iterations of one figure, thread count and commit, by benchmark method. */
    record Round(Map<String, List<Double>> byBenchmark) {
        List<Double> of(String benchmark) {
            return byBenchmark.getOrDefault(benchmark, List.of());
        }
    }

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
        // figure -> threads -> version -> round -> its iterations
        Map<String, Map<Integer, Map<String, Map<Integer, Round>>>> samples =
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
            Round round = samples.computeIfAbsent(name.group(2), figure -> new TreeMap<>())
                    .computeIfAbsent(Integer.parseInt(name.group(3)), threads -> new TreeMap<>())
                    .computeIfAbsent(name.group(1), version -> new TreeMap<>())
                    .computeIfAbsent(Integer.parseInt(name.group(4)), r -> new Round(new TreeMap<>()));
            for (JsonNode run : json.readTree(file.toFile())) {
                String benchmark = run.get("benchmark").asText().replaceAll(".*\\.", "");
                List<Double> values = round.byBenchmark().computeIfAbsent(benchmark, method -> new ArrayList<>());
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
                row.append(cells(
                        figure,
                        List.copyOf(byVersion.getOrDefault(version, Map.of()).values())));
            }
            System.out.println(row);
        }));
    }

    /** Returns the three cells of one commit: Cachet and the baseline pooled, and their paired ratio. */
    static String cells(Figure figure, List<Round> rounds) {
        List<Double> cachet = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        rounds.forEach(round -> {
            cachet.addAll(round.of(figure.cachet()));
            baseline.addAll(round.of(figure.baseline()));
        });
        if (cachet.size() < 2 || baseline.size() < 2) {
            return " – | – | – |";
        }
        return String.format(
                Locale.ROOT,
                " %s | %s | %s |",
                pooled(cachet, figure.scale()),
                pooled(baseline, figure.scale()),
                pairedRatio(figure, rounds));
    }

    private static String pooled(List<Double> values, double scale) {
        ListStatistics statistics = statistics(values);
        return String.format(
                Locale.ROOT, "%.1f ± %.1f", statistics.getMean() * scale, statistics.getMeanErrorAt(0.999) * scale);
    }

    /**
     * Returns the geometric mean of the rounds' ratios of Cachet's mean to its baseline's, with its 95 % confidence
     * interval and the number of rounds; rounds missing either benchmark are left out.
     */
    static String pairedRatio(Figure figure, List<Round> rounds) {
        ListStatistics logRatios = new ListStatistics();
        for (Round round : rounds) {
            List<Double> cachet = round.of(figure.cachet());
            List<Double> baseline = round.of(figure.baseline());
            if (!cachet.isEmpty() && !baseline.isEmpty()) {
                logRatios.addValue(Math.log(
                        statistics(cachet).getMean() / statistics(baseline).getMean()));
            }
        }
        long n = logRatios.getN();
        if (n == 0) {
            return "–";
        }
        double mean = logRatios.getMean();
        if (n == 1) {
            return String.format(Locale.ROOT, "%.2f (1 round)", Math.exp(mean));
        }
        // Not getMeanErrorAt: JMH answers NaN below 3 values, and 2 rounds still bound the ratio.
        double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975)
                * logRatios.getStandardDeviation()
                / Math.sqrt(n);
        return String.format(
                Locale.ROOT,
                "%.2f [%.2f, %.2f] (%d rounds)",
                Math.exp(mean),
                Math.exp(mean - half),
                Math.exp(mean + half),
                n);
    }

    private static ListStatistics statistics(List<Double> values) {
        ListStatistics statistics = new ListStatistics();
        values.forEach(statistics::addValue);
        return statistics;
    }
}
