package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.internal.remote.Envelope;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Expiry stamps and early recompute (XFetch) over the in-memory tier: the envelope expires when the tier does, and a
 * failed early recompute never costs the caller the valid value it already read.
 */
class EarlyRecomputeTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Utf8Codec STRINGS = Utf8Codec.INSTANCE;

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryRemoteTier shared = new InMemoryRemoteTier(ticker);
    private final RecordingRemoteTier tier = new RecordingRemoteTier(shared);

    private Cache<String, String> cache(RemoteConfig config) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .ticker(ticker)
                .remote(tier, STRINGS, config)
                .build();
    }

    @Test
    void withJitterTheEnvelopeExpiresWhenTheTierDoes() {
        Clock fixed = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
        Cache<String, String> cache =
                cache(RemoteConfig.custom().ttlJitter(0.5).clock(fixed).build());
        for (int i = 0; i < 10; i++) {
            cache.put("put-" + i, "v");
            cache.get("loaded-" + i, k -> "v"); // a fenced write under the load lock
        }
        List<RecordingRemoteTier.Write> writes = tier.writes();
        assertThat(writes).hasSize(20);
        for (RecordingRemoteTier.Write write : writes) {
            long envelopeTtlMillis = Envelope.parse(write.bytes(), STRINGS.id()).expiresAtMillis() - fixed.millis();
            assertThat(envelopeTtlMillis)
                    .as("envelope expiry of %s against the TTL the tier got", write.key())
                    .isEqualTo(write.ttl().toMillis());
        }
        assertThat(writes.stream()
                        .map(RecordingRemoteTier.Write::ttl)
                        .distinct()
                        .count())
                .as("the TTLs are jittered")
                .isGreaterThan(1);
    }

    /** A loader that takes 100 ms on the ticker (XFetch's δ) and counts its runs. */
    private Function<String, String> slowLoader(AtomicInteger loads) {
        return k -> {
            ticker.advance(Duration.ofMillis(100));
            return "v" + loads.incrementAndGet();
        };
    }

    @Test
    void aFailedEarlyRecomputeReturnsTheValueTheCallerAlreadyHadAndIsCounted() {
        Cache<String, String> eager =
                cache(RemoteConfig.custom().earlyRecompute(1e9).build()); // always early
        AtomicInteger loads = new AtomicInteger();
        assertThat(eager.get("k", slowLoader(loads))).isEqualTo("v1");

        String served = eager.get("k", k -> {
            throw new IllegalStateException("source down");
        });

        assertThat(served).isEqualTo("v1");
        assertThat(eager.remoteStats().orElseThrow().earlyRecomputes()).isEqualTo(1);
        assertThat(eager.stats().loadFailureCount()).as("the failed recompute").isEqualTo(1);
        assertThat(eager.getIfPresent("k")).as("the stored value is untouched").isEqualTo("v1");
        assertThat(eager.get("k", slowLoader(loads)))
                .as("the next read recomputes again")
                .isEqualTo("v2");
    }

    @Test
    void anEarlyRecomputeWhoseWriteFailsUnderFailClosedReturnsTheValueTheCallerAlreadyHad() {
        Cache<String, String> eager = cache(RemoteConfig.custom()
                .earlyRecompute(1e9)
                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                .build());
        AtomicInteger loads = new AtomicInteger();
        assertThat(eager.get("k", slowLoader(loads))).isEqualTo("v1");
        tier.refuseWrites(true);

        assertThat(eager.get("k", slowLoader(loads))).isEqualTo("v1");

        assertThat(eager.remoteStats().orElseThrow().errors())
                .as("the refused write")
                .isEqualTo(1);
        assertThat(eager.getIfPresent("k")).isEqualTo("v1");
    }
}
