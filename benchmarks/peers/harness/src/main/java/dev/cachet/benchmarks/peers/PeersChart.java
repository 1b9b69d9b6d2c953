package dev.cachet.benchmarks.peers;

import dev.cachet.benchmarks.environment.Png;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code peers.png}: one horizontal bar per figure and peer, the factor by which Cachet does better than the
 * peer (its throughput over the peer's, or the peer's loads, stale reads, time or bytes over Cachet's), on a log scale
 * around 1: green to the right where Cachet does better, red to the left where it trails. Plain Java2D, headless.
 */
final class PeersChart {
    private static final int WIDTH = 1200;
    private static final int ROW = 22;
    private static final int TOP = 90;
    private static final int LABEL_WIDTH = 520;
    /** The scale runs from 1 / LIMIT to LIMIT; a factor beyond is drawn at the edge, its value written beside. */
    private static final double LIMIT = 64;

    private static final Color BETTER = new Color(0x2E7D32);
    private static final Color WORSE = new Color(0xC62828);
    private static final Color GRID = new Color(0xE0E0E0);
    private static final Color TEXT = new Color(0x222222);

    private PeersChart() {}

    /**
     * One bar.
     *
     * @param figure the figure, e.g. {@code P10 hit, 2 thr}
     * @param peer the peer's variant
     * @param factor how many times better Cachet does: above 1 better, below 1 worse
     */
    record Bar(String figure, String peer, double factor) {}

    /**
     * Writes the chart of {@code report}'s bars to {@code file}.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    static void write(PeersReport report, Path file) {
        List<Bar> bars = report.bars();
        int height = TOP + ROW * Math.max(1, bars.size()) + 50;
        Png.write(file, WIDTH, height, g -> draw(g, report, bars));
    }

    private static void draw(Graphics2D g, PeersReport report, List<Bar> bars) {
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        g.drawString("Cachet against the peers: how many times better Cachet does, per figure", 20, 32);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(report.loadLine(), 20, 52);
        g.drawString(
                "green: Cachet does better (more hits/s; fewer loads, stale reads, µs, bytes); red: it trails;"
                        + " log scale; same run, same Redis",
                20,
                70);
        int left = LABEL_WIDTH;
        int right = WIDTH - 90;
        int axis = (left + right) / 2;
        double perDoubling = (right - axis) / (Math.log(LIMIT) / Math.log(2));
        int bottom = TOP + ROW * bars.size();
        for (double f = 1 / LIMIT; f <= LIMIT * 1.001; f *= 2) {
            int x = axis + (int) Math.round(Math.log(f) / Math.log(2) * perDoubling);
            g.setColor(f == 1 ? TEXT : GRID);
            g.drawLine(x, TOP - 4, x, bottom);
            g.setColor(TEXT);
            String tick = f >= 1 ? "×" + (int) f : "×1/" + (int) Math.round(1 / f);
            g.drawString(tick, x - g.getFontMetrics().stringWidth(tick) / 2, bottom + 16);
        }
        String previous = "";
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y = TOP + ROW * i;
            g.setColor(TEXT);
            String figure = bar.figure().equals(previous) ? "" : bar.figure();
            previous = bar.figure();
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.drawString(figure, 20, y + 15);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(bar.peer(), 190, y + 15);
            double clamped = Math.max(1 / LIMIT, Math.min(LIMIT, bar.factor()));
            int x = axis + (int) Math.round(Math.log(clamped) / Math.log(2) * perDoubling);
            g.setColor(bar.factor() >= 1 ? BETTER : WORSE);
            g.fillRect(Math.min(axis, x), y + 4, Math.max(2, Math.abs(x - axis)), ROW - 8);
            g.setColor(TEXT);
            String value =
                    Double.isInfinite(bar.factor()) ? "∞ (Cachet 0)" : String.format(Locale.ROOT, "%.2f", bar.factor());
            g.drawString(
                    value,
                    bar.factor() >= 1
                            ? Math.max(x, axis) + 4
                            : Math.min(x, axis) - 4 - g.getFontMetrics().stringWidth(value),
                    y + 15);
        }
    }
}
