package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code staleIfError} remembers which keys it served stale, to log each outage of a key once; that memory must not
 * outlive the stale copies, or random keys served stale during an outage and never asked again would stay forever.
 */
class StaleOutageHygieneTest {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static final int KEYS = 1_000;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();

    private LocalCache<String, String> cache(long maximumSize) {
        return (LocalCache<String, String>) Cachet.builder("outages-" + maximumSize)
                .registry(invariants.registry())
                .ticker(clock)
                .executor(Runnable::run)
                .maximumSize(maximumSize)
                .expireAfterWrite(TTL)
                .staleIfError(GRACE)
                .<String, String>build();
    }

    private static String failing(String key) {
        throw new IllegalStateException("source down for " + key);
    }

    /** Loads every key, lets them expire and serves each stale once. */
    private void serveEveryKeyStale(LocalCache<String, String> cache) {
        for (int i = 0; i < KEYS; i++) {
            cache.get("k" + i, key -> key + "=v");
        }
        clock.advance(TTL.plusSeconds(1));
        for (int i = 0; i < KEYS; i++) {
            assertThat(cache.get("k" + i, StaleOutageHygieneTest::failing)).isEqualTo("k" + i + "=v");
        }
    }

    @Test
    void keysServedStaleAreForgottenWhenTheirStaleCopiesExpire() {
        LocalCache<String, String> cache = cache(10 * KEYS);
        serveEveryKeyStale(cache);
        assertThat(cache.staleOutages()).isEqualTo(KEYS);

        clock.advance(GRACE.plusSeconds(1));
        cache.cleanUp();

        assertThat(cache.staleOutages())
                .as("keys remembered after their stale copies expired")
                .isZero();
    }

    @Test
    void keysServedStaleAreForgottenWhenTheirStaleCopiesAreEvicted() {
        LocalCache<String, String> cache = cache(100);
        int served = 0;
        for (int round = 0; round < KEYS / 100; round++) {
            // Each round's copies compete with the last round's for 100 places; which stay is the policy's choice.
            for (int i = round * 100; i < round * 100 + 100; i++) {
                cache.get("k" + i, key -> key + "=v");
            }
            clock.advance(TTL.plusSeconds(1));
            for (int i = round * 100; i < round * 100 + 100; i++) {
                try {
                    cache.get("k" + i, StaleOutageHygieneTest::failing);
                    served++;
                } catch (IllegalStateException e) {
                    // its stale copy was not kept
                }
            }
        }
        cache.cleanUp();

        assertThat(served).as("keys served stale").isGreaterThan(100);
        assertThat(cache.staleOutages())
                .as("keys remembered, with at most 100 stale copies")
                .isLessThanOrEqualTo(100);
    }

    @Test
    void invalidateAndInvalidateAllForgetTheirKeys() {
        LocalCache<String, String> cache = cache(10 * KEYS);
        serveEveryKeyStale(cache);

        cache.invalidate("k0");
        assertThat(cache.staleOutages()).isEqualTo(KEYS - 1);

        cache.invalidateAll();
        assertThat(cache.staleOutages()).isZero();
    }
}
