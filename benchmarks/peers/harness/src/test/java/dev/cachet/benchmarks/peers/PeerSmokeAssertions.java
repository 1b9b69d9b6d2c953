package dev.cachet.benchmarks.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.benchmarks.environment.RedisServerProcess;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What every peer module's smoke test checks: each variant answers hits with the right values and never loads, {@code
 * getAll} returns the right map, Redis commands are counted, JMH runs in the peer's class path, and a near tier is
 * measured. No timings are asserted.
 */
public final class PeerSmokeAssertions {
    private PeerSmokeAssertions() {}

    /**
     * Runs {@link PeerSmoke} on {@code peer} against a redis-server of its own and checks every variant; fails under
     * {@code CI=true}, aborts elsewhere, when redis-server cannot be run.
     */
    public static List<PeerSmoke.Outcome> runAndCheck(Peer peer, String... expectedVariants) throws Exception {
        requireRedisServer();
        List<PeerSmoke.Outcome> outcomes;
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            outcomes = PeerSmoke.run(peer, "127.0.0.1", redis.port());
        }
        assertThat(outcomes).extracting(o -> o.variant().id()).containsExactly(expectedVariants);
        for (PeerSmoke.Outcome o : outcomes) {
            String id = o.variant().id();
            assertThat(o.reads()).as(id + " hits").isEqualTo(Workload.expected(Workload.keys(Workload.KEYS)));
            assertThat(o.loads()).as(id + " loader calls on hits").isZero();
            assertThat(o.getAll())
                    .as(id + " getAll")
                    .isEqualTo(Workload.expected(Workload.keys(Workload.GET_ALL_KEYS)));
            assertThat(o.jmhScore()).as(id + " JMH hits per second").isPositive();
            if (o.variant().tier() == Variant.Tier.REDIS) {
                assertThat(o.commandsPerHit()).as(id + " commands sent per hit").isPositive();
                assertThat(o.commandsPerGetAll())
                        .as(id + " commands sent per getAll")
                        .isPositive();
                assertThat(o.allCommandsPerGetAll())
                        .as(id + " commands run per getAll")
                        .isGreaterThanOrEqualTo(o.commandsPerGetAll());
                assertThat(o.heapPerEntry()).as(id + " heap (not measured)").isNaN();
                // P12: someone loaded after the expiry, every thread got the value, none failed.
                assertThat(o.stampede().loads())
                        .as(id + " loads after the expiry")
                        .isBetween(1, 2 * PeerSmoke.STAMPEDE_THREADS);
                assertThat(o.stampede().wrong() + o.stampede().exceptions())
                        .as(id + " stampede failures")
                        .isZero();
            } else {
                // A near hit is answered in the JVM: at most a stray background command (a ping) in the window.
                assertThat(o.commandsPerHit())
                        .as(id + " commands sent per near hit")
                        .isLessThan(0.5);
                assertThat(o.heapPerEntry()).as(id + " heap per near entry").isFinite();
                // P13: every write signalled was answered, and seen in the end.
                assertThat(o.staleness().writes()).as(id + " writes read").isEqualTo(PeerSmoke.STALE_WRITES);
                assertThat(o.staleness().never()).as(id + " writes never seen").isZero();
                assertThat(o.staleness().loads())
                        .as(id + " loads while reading writes")
                        .isZero();
            }
        }
        for (PeerSmoke.Outcome o : outcomes) {
            // P15: right answers before the kill, calls after the restart, none left hanging.
            String id = o.variant().id();
            assertThat(o.outage().exceptions().before() + o.outage().wrong().before())
                    .as(id + " failures before the kill")
                    .isZero();
            assertThat(o.outage().calls().after())
                    .as(id + " calls after the restart")
                    .isPositive();
            assertThat(o.outage().stuck()).as(id + " calls still running").isZero();
        }
        return outcomes;
    }

    private static void requireRedisServer() {
        if (RedisServerProcess.available()) {
            return;
        }
        String message = RedisServerProcess.EXECUTABLE + " is not on the PATH: the peers' smoke test needs it"
                + " (e.g. apt-get install redis-server)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true, so this fails instead of being skipped");
        }
        Assumptions.abort(message);
    }
}
