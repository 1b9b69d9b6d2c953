package dev.cachet.benchmarks.peers.cachet;

import dev.cachet.benchmarks.peers.PeerSmokeAssertions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The smoke run of this peer for CI (see {@link PeerSmokeAssertions}); no timings are asserted. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CachetPeerTest {

    @Test
    void everyVariantAnswersHitsAndGetAllAndItsRedisCommandsAreCounted() throws Exception {
        PeerSmokeAssertions.runAndCheck(new CachetPeer(), "cachet", "cachet-near", "cachet-near-ack");
    }
}
