package dev.cachet.benchmarks.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PeersReportTest {

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
}
