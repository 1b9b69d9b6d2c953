package dev.cachet.benchmarks.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PeersReportTest {
    private static final PeersDriver.Settings SETTINGS =
            new PeersDriver.Settings(1, 1, 1, 100, 10, 2, 100, 500, 500, 3, "P12,P13,P15", "");

    @Test
    void theSectionGoesAfterTheRatioReportsMarkerAndReplacesItselfNextTime() {
        String ratioReport = "# Results\n\n| P1 | ... |\n";
        String first = PeersReport.withSection(
                ratioReport, PeersReport.SECTION_BEGIN + "\nold\n" + PeersReport.SECTION_END + "\n");

        String second = PeersReport.withSection(
                first + "\n<!-- CompressionBenchmark: begin -->\nkept\n<!-- CompressionBenchmark: end -->\n",
                PeersReport.SECTION_BEGIN + "\nnew\n" + PeersReport.SECTION_END + "\n");

        assertThat(first).startsWith(ratioReport).contains(PeersReport.KEPT_SECTIONS_MARKER);
        assertThat(first.indexOf(PeersReport.KEPT_SECTIONS_MARKER)).isLessThan(first.indexOf("old"));
        assertThat(second)
                .contains("new", "kept", PeersReport.KEPT_SECTIONS_MARKER)
                .doesNotContain("old");
        assertThat(second.indexOf(PeersReport.SECTION_BEGIN)).isEqualTo(second.lastIndexOf(PeersReport.SECTION_BEGIN));
    }

    @Test
    void ratiosAreCachetOverPeerWithThePropagatedError() {
        PeersDriver.Score cachet = new PeersDriver.Score(20_000, 1_000);
        PeersDriver.Score peer = new PeersDriver.Score(10_000, 500);

        assertThat(PeersReport.ratio(cachet, peer)).isEqualTo("2.00 ± 0.14");
        assertThat(PeersReport.ratio(cachet, null)).isEqualTo("–");
        assertThat(PeersReport.throughput(cachet)).isEqualTo("20.0 k ± 1.0 k");
        assertThat(PeersReport.throughput(new PeersDriver.Score(18_200_000, Double.NaN)))
                .isEqualTo("18.20 M");
    }

    @Test
    void commandStatsAreReadPerCommand() {
        String info = "# Commandstats\r\ncmdstat_get:calls=12,usec=30,usec_per_call=2.50,rejected_calls=0\r\n"
                + "cmdstat_client|setinfo:calls=2,usec=1\r\ncmdstat_info:calls=3,usec=9\r\n";

        assertThat(RedisCommandStats.parse(info))
                .containsExactly(
                        java.util.Map.entry("client|setinfo", 2L),
                        java.util.Map.entry("get", 12L),
                        java.util.Map.entry("info", 3L));
    }

    @Test
    void theMultiJvmFiguresHaveTheirTablesAndTheirBarsPointCachetsWay() {
        PeersReport report = new PeersReport(SETTINGS);
        Variant cachet = variant(Variant.CACHET, Variant.Tier.REDIS, "stampede protection: a lock");
        Variant peer = variant("peer", Variant.Tier.REDIS, "stampede protection: none");
        Variant cachetNear = variant(Variant.CACHET_NEAR, Variant.Tier.NEAR, "near");
        Variant peerNear = variant("peer-near", Variant.Tier.NEAR, "near");
        for (Variant v : java.util.List.of(cachet, peer, cachetNear, peerNear)) {
            report.variant("lib", v);
        }
        for (int round = 0; round < 2; round++) {
            report.stampede(
                    cachet,
                    java.util.List.of(
                            new Stampede.Round(1, 0, 0, 60_000_000), new Stampede.Round(0, 0, 0, 70_000_000)));
            report.stampede(
                    peer,
                    java.util.List.of(
                            new Stampede.Round(2, 0, 0, 50_000_000), new Stampede.Round(2, 1, 0, 55_000_000)));
        }
        report.staleness(
                cachetNear,
                new Staleness.ReaderResult(100, 10, 0, 0, 200, 900, 1500),
                new Staleness.WriterResult(300, 800));
        report.staleness(
                peerNear,
                new Staleness.ReaderResult(100, 40, 1, 0, 250, 990, 1600),
                new Staleness.WriterResult(350, 850));
        Outage.Phases some = new Outage.Phases(100, 20, 80);
        // Three outages, recovering in 40, 900 and 12 ms (the last failure came after the last load of the third):
        // the table shows the median one, whole.
        for (double[] run : new double[][] {{40, 15}, {900, 99}, {7, 3}}) {
            report.outage(
                    peer,
                    Outage.Order.AT_RANDOM,
                    new Outage.Result(
                            some,
                            new Outage.Phases(0, 20, 3),
                            new Outage.Phases(0, 0, 0),
                            some,
                            0,
                            30.4,
                            12,
                            run[0],
                            0),
                    run[1]);
        }
        report.finish("1 / 1 / 1", "2 / 2 / 2", 1.0);

        String md = report.markdown();

        assertThat(md)
                .contains("| peer | none | 4.0 (4–4) | 55 (55) | 0 of 2 | 0.25 | 2 / 0 |")
                .contains("| cachet | a lock | 1.0 (1–1) | 70 (70) | 0 of 2 | 1.00 | 0 / 0 |")
                .contains("| peer-near | 40 of 100 (40.0 %) | 1 | 250 / 990 / 1600 | 350 / 850 | 0.25 |")
                .contains("| peer | 100/20/80 | 0/20/3 | 0/0/0 | 100/20/80 | 30 | 0 | 40 | 12 / 900 | 15 |")
                .contains("**Keys read at random**")
                .doesNotContain("**Keys read in turn**")
                .contains("Each variant had 3 outages in each order")
                .contains("![Cachet against the peers")
                .doesNotContain("Not measured yet");
        assertThat(report.bars())
                .contains(
                        new PeersChart.Bar("P12 loads per expiry", "peer", 4.0),
                        new PeersChart.Bar("P13 stale first reads", "peer-near", 4.0));
    }

    @Test
    void cachetsOtherNearSetupHasARowAndABarGroupOfItsOwnWhileEveryRatioStaysTheDefaultSetups() {
        PeersReport report = new PeersReport(SETTINGS);
        Variant cachetNear = variant(Variant.CACHET_NEAR, Variant.Tier.NEAR, "near");
        Variant ack = variant("cachet-near-ack", Variant.Tier.NEAR, "near, acknowledged");
        Variant peerNear = variant("peer-near", Variant.Tier.NEAR, "near");
        for (Variant v : java.util.List.of(cachetNear, ack, peerNear)) {
            report.variant("lib", v);
        }
        Staleness.WriterResult puts = new Staleness.WriterResult(350, 850);
        report.staleness(cachetNear, new Staleness.ReaderResult(100, 40, 0, 0, 250, 990, 1600), puts);
        report.staleness(ack, new Staleness.ReaderResult(100, 1, 0, 0, 250, 990, 1600), puts);
        report.staleness(peerNear, new Staleness.ReaderResult(100, 20, 0, 0, 250, 990, 1600), puts);
        report.finish("1 / 1 / 1", "2 / 2 / 2", 1.0);

        assertThat(ack.isCachet()).isTrue();
        assertThat(report.markdown())
                .contains("| peer-near | 20 of 100 (20.0 %) | 0 | 250 / 990 / 1600 | 350 / 850 | 2.00 |")
                .contains("| cachet-near-ack | 1 of 100 (1.0 %) | 0 | 250 / 990 / 1600 | 350 / 850 | 40.00 |");
        assertThat(report.bars())
                .containsExactly(
                        new PeersChart.Bar("P13 stale first reads", "peer-near", 0.5),
                        new PeersChart.Bar("P13 stale, near-ack", "peer-near", 20.0));
    }

    @Test
    void p12sTtlOutlastsTheSlowestPeersRoundsAndTheReportSaysWhichItIs() {
        PeersReport report = new PeersReport(SETTINGS);
        report.finish("1 / 1 / 1", "2 / 2 / 2", 1.0);

        // Rounds of the peers that queue on a Redis lock took up to 1.8 s (median) under load.
        assertThat(Stampede.TTL).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(report.markdown()).contains("opens its cache with a TTL of 4 s");
    }

    private static Variant variant(String id, Variant.Tier tier, String line) {
        return new Variant(id, id, tier, true, java.util.List.of(line));
    }
}
