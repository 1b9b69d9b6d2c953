package dev.cachet.benchmarks;

import dev.cachet.benchmarks.environment.Png;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws {@code results.png}: throughput of the hit benchmarks (P1, P2) with their error bars, and hit ratios (P3)
 * beside LRU and Belady's optimum. Under each group, Cachet's ratio to each baseline, green where its target was met
 * and red where it was missed. Plain Java2D, so it needs no extra dependency and runs headless.
 */
public final class ResultsChart {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1070;
    private static final Color CACHET = new Color(0x1F77B4);
    private static final Color CAFFEINE = new Color(0xFF7F0E);
    private static final Color LRU = new Color(0x8C8C8C);
    private static final Color OPTIMAL = new Color(0x2CA02C);
    private static final Color GRID = new Color(0xE4E4E4);
    private static final Color TEXT = new Color(0x222222);
    private static final Color MET = new Color(0x1B7F2A);
    private static final Color MISSED = new Color(0xC62828);

    private ResultsChart() {}

    /** One part of the line under a group's name: Cachet's ratio to one baseline, red when its target was missed. */
    private record Note(String text, boolean missed) {}

    /** One coloured series of bars; NaN values draw no bar. Not a record: records should not hold arrays. */
    private static final class Series {
        private final String name;
        private final Color color;
        private final double[] values;
        private final double[] errors;

        Series(String name, Color color, double[] values, double[] errors) {
            this.name = name;
            this.color = color;
            this.values = values;
            this.errors = errors;
        }

        String name() {
            return name;
        }

        Color color() {
            return color;
        }

        double[] values() {
            return values;
        }

        double[] errors() {
            return errors;
        }
    }

    /**
     * Writes the chart of {@code results} to {@code file}.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(SuiteResults results, Path file) {
        Png.write(file, WIDTH, HEIGHT, g -> {
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
            g.drawString("Cachet vs baselines, measured side by side in one run", 40, 40);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(results.machine().oneLine(), 40, 64);
            g.drawString(
                    "load average (1 / 5 / 15 min) " + results.loadAverage()
                            + " · under each group: Cachet's ratio to each baseline, green = target met, red = missed",
                    40,
                    84);
            drawThroughput(g, results, new Rectangle(40, 110, WIDTH - 80, 430));
            drawHitRatios(g, results, new Rectangle(40, 575, WIDTH - 80, 470));
        });
    }

    private static void drawThroughput(Graphics2D g, SuiteResults results, Rectangle area) {
        List<String> groups = List.of(
                "P1 Cache.get hit, 1 thread",
                "P1 Cache.get hit, 2 threads",
                "P2 Memoized.apply hit, 1 thread",
                "P2 Memoized.apply hit, 2 threads");
        List<Map<String, JmhRuns.Score>> runs =
                List.of(results.oneThread(), results.twoThreads(), results.oneThread(), results.twoThreads());
        double[][] cachet = new double[2][4];
        double[][] caffeine = new double[2][4];
        double[][] lru = new double[2][4];
        for (int i = 0; i < 4; i++) {
            Map<String, JmhRuns.Score> run = runs.get(i);
            String clazz = i < 2 ? "CacheHitBenchmark" : "MemoizedHitBenchmark";
            set(cachet, i, run.get(clazz + (i < 2 ? ".cachet" : ".memoized")));
            set(caffeine, i, run.get(clazz + ".caffeine"));
            set(lru, i, i < 2 ? null : run.get(clazz + ".lru"));
        }
        List<Series> series = List.of(
                new Series("Cachet", CACHET, cachet[0], cachet[1]),
                new Series("raw Caffeine get(k, fn)", CAFFEINE, caffeine[0], caffeine[1]),
                new Series("synchronized LinkedHashMap LRU", LRU, lru[0], lru[1]));
        List<Figure> figures = results.figures();
        List<List<Note>> notes = List.of(
                note(figures, "P1", "Cache.get hit, 1 thread"),
                note(figures, "P1", "Cache.get hit, 2 threads"),
                note(figures, "P2", "Memoized.apply hit, 1 thread"),
                note(figures, "P2", "Memoized.apply hit, 2 threads"));
        drawBars(
                g,
                area,
                "Hit throughput (higher is better), ops/µs = million ops/s, error bars: JMH 99.9 % CI",
                groups,
                notes,
                series,
                "%.1f",
                Double.NaN);
    }

    /** Returns "÷ baseline ratio" for each figure with this id and label, each coloured by its own verdict. */
    private static List<Note> note(List<Figure> figures, String id, String label) {
        List<Note> parts = new ArrayList<>();
        for (Figure f : figures) {
            if (f.id().equals(id) && f.label().equals(label)) {
                String baseline = f.baselineName().contains("LRU") ? "LRU" : "Caffeine";
                parts.add(new Note(String.format(Locale.ROOT, "÷ %s %.2f", baseline, f.ratio()), !f.met()));
            }
        }
        return parts;
    }

    private static void set(double[][] target, int index, JmhRuns.Score score) {
        target[0][index] = score == null ? Double.NaN : score.score();
        target[1][index] = score == null ? Double.NaN : score.error();
    }

    private static void drawHitRatios(Graphics2D g, SuiteResults results, Rectangle area) {
        List<HitRatioHarness.Result> ratios = results.hitRatios();
        int n = ratios.size();
        List<String> groups = new ArrayList<>();
        double[] cachet = new double[n];
        double[] lru = new double[n];
        double[] optimal = new double[n];
        double[] none = new double[n];
        for (int i = 0; i < n; i++) {
            HitRatioHarness.Result r = ratios.get(i);
            groups.add(r.workload() + " @" + r.size());
            cachet[i] = 100 * r.cachet();
            lru[i] = 100 * r.lru();
            optimal[i] = 100 * r.belady();
            none[i] = Double.NaN;
        }
        List<Series> series = List.of(
                new Series("Cachet (W-TinyLFU)", CACHET, cachet, none),
                new Series("LRU, same size", LRU, lru, none),
                new Series("Belady optimum", OPTIMAL, optimal, none));
        List<Figure> figures = results.figures();
        List<List<Note>> notes = new ArrayList<>();
        for (HitRatioHarness.Result r : ratios) {
            notes.add(note(figures, "P3", "hit ratio " + r.workload() + " @" + r.size()));
        }
        drawBars(
                g, area, "Hit ratio % by workload @ cache size (higher is better)", groups, notes, series, "%.1f", 100);
    }

    /** Draws grouped bars with a y axis from 0, a legend and value labels; {@code yMax} NaN means from the data. */
    private static void drawBars(
            Graphics2D g,
            Rectangle area,
            String title,
            List<String> groups,
            List<List<Note>> notes,
            List<Series> series,
            String valueFormat,
            double yMax) {
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, area.x, area.y + 16);
        drawLegend(g, series, area.x, area.y + 36);

        Rectangle plot = new Rectangle(area.x + 60, area.y + 56, area.width - 70, area.height - 56 - 58);
        double max = yMax;
        if (Double.isNaN(max)) {
            max = 0;
            for (Series s : series) {
                for (int i = 0; i < s.values().length; i++) {
                    double top = s.values()[i] + (Double.isNaN(s.errors()[i]) ? 0 : s.errors()[i]);
                    if (!Double.isNaN(top)) {
                        max = Math.max(max, top);
                    }
                }
            }
            max = max <= 0 ? 1 : max * 1.12;
        }
        double step = niceStep(max / 6);
        max = Math.ceil(max / step) * step;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double tick = 0; tick <= max + step / 2; tick += step) {
            int y = yOf(tick, max, plot);
            g.setColor(GRID);
            g.drawLine(plot.x, y, plot.x + plot.width, y);
            g.setColor(TEXT);
            String label = String.format(Locale.ROOT, step < 1 ? "%.1f" : "%.0f", tick);
            g.drawString(label, plot.x - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        g.setColor(TEXT);
        g.drawLine(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height);

        double groupWidth = (double) plot.width / groups.size();
        int barWidth = (int) Math.min(70, groupWidth * 0.8 / series.size());
        for (int gi = 0; gi < groups.size(); gi++) {
            int groupCentre = (int) (plot.x + groupWidth * gi + groupWidth / 2);
            List<Series> present = new ArrayList<>();
            for (Series s : series) {
                if (!Double.isNaN(s.values()[gi])) {
                    present.add(s);
                }
            }
            int left = groupCentre - barWidth * present.size() / 2;
            for (int si = 0; si < present.size(); si++) {
                Series s = present.get(si);
                double value = s.values()[gi];
                int x = left + si * barWidth;
                int top = yOf(value, max, plot);
                g.setColor(s.color());
                g.fillRect(x + 2, top, barWidth - 4, plot.y + plot.height - top);
                double error = s.errors()[gi];
                int labelY = top - 4;
                if (!Double.isNaN(error) && error > 0) {
                    int hi = yOf(value + error, max, plot);
                    int lo = yOf(Math.max(0, value - error), max, plot);
                    int cx = x + barWidth / 2;
                    g.setColor(TEXT);
                    g.setStroke(new BasicStroke(1.5f));
                    g.drawLine(cx, hi, cx, lo);
                    g.drawLine(cx - 5, hi, cx + 5, hi);
                    g.drawLine(cx - 5, lo, cx + 5, lo);
                    g.setStroke(new BasicStroke(1f));
                    labelY = hi - 4;
                }
                String label = String.format(Locale.ROOT, valueFormat, value);
                g.setColor(TEXT);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, barWidth < 34 ? 10 : 12));
                FontMetrics vm = g.getFontMetrics();
                g.drawString(label, x + (barWidth - vm.stringWidth(label)) / 2, labelY);
            }
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, groups.size() > 8 ? 12 : 14));
            FontMetrics gm = g.getFontMetrics();
            String name = groups.get(gi);
            g.drawString(name, groupCentre - gm.stringWidth(name) / 2, plot.y + plot.height + 20);
            List<Note> parts = notes.get(gi);
            String gap = "   ";
            int width = gm.stringWidth(gap) * (parts.size() - 1);
            for (Note part : parts) {
                width += gm.stringWidth(part.text());
            }
            int x = groupCentre - width / 2;
            for (Note part : parts) {
                g.setColor(part.missed() ? MISSED : MET);
                g.drawString(part.text(), x, plot.y + plot.height + 38);
                x += gm.stringWidth(part.text()) + gm.stringWidth(gap);
            }
        }
    }

    private static void drawLegend(Graphics2D g, List<Series> series, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        int cursor = x;
        for (Series s : series) {
            g.setColor(s.color());
            g.fillRect(cursor, y - 11, 14, 14);
            g.setColor(TEXT);
            g.drawString(s.name(), cursor + 20, y);
            cursor += 20 + fm.stringWidth(s.name()) + 28;
        }
    }

    private static int yOf(double value, double max, Rectangle plot) {
        return (int) Math.round(plot.y + plot.height - value / max * plot.height);
    }

    /** Rounds a raw tick step up to 1, 2 or 5 times a power of ten. */
    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }
}
