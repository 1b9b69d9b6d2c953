package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.FaultyRemoteTier.Call;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Small faults cause no big flushes (issue 10, violation 7): the near tier is cleared only when invalidations may have
 * been lost (the breaker opened), and a busy connection pool is no tier failure.
 */
class SmallFaultTest {
    private final FakeTicker clock = new FakeTicker();
    private final FaultyRemoteTier faulty = new FaultyRemoteTier(new InMemoryRemoteTier(clock));

    private Cache<String, String> nearProcess(RemoteConfig config) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(faulty, Utf8Codec.INSTANCE, config)
                .nearCache(100, Duration.ofSeconds(10))
                .build();
    }

    private static NearStats near(Cache<?, ?> cache) {
        return cache.nearStats().orElseThrow();
    }

    @Test
    void oneFailedCallDoesNotClearTheNearTier() {
        Cache<String, String> cache = nearProcess(RemoteConfig.ofDefaults());
        cache.put("k", "v");
        faulty.fail(Call.GET, 1);

        assertThat(cache.get("x", key -> "loaded")).isEqualTo("loaded"); // its read fails, fail-open loads
        assertThat(cache.get("y", key -> "loaded")).isEqualTo("loaded"); // the tier answers again

        assertThat(near(cache).clears())
                .as("no clear after a single failed call")
                .isZero();
        long nearHits = near(cache).hits();
        assertThat(cache.getIfPresent("k")).isEqualTo("v");
        assertThat(near(cache).hits()).as("k is still near").isEqualTo(nearHits + 1);
    }

    @Test
    void aBreakerThatOpenedClearsTheNearTierOnceTheTierIsBack() {
        RemoteConfig config = RemoteConfig.ofDefaults();
        Cache<String, String> cache = nearProcess(config);
        cache.put("k", "v");
        faulty.fail(Call.GET, config.breakerFailureThreshold());
        for (int i = 0; i < config.breakerFailureThreshold(); i++) {
            cache.getIfPresent("x" + i);
        }
        assertThat(near(cache).clears()).as("no clear while the tier is down").isZero();

        clock.advance(config.breakerOpenDuration());
        assertThat(cache.getIfPresent("y")).isNull(); // the probe succeeds

        assertThat(near(cache).clears())
                .as("messages may have been lost while the breaker was open")
                .isEqualTo(1);
    }

    @Test
    void anExhaustedConnectionPoolDoesNotOpenTheBreaker() {
        RemoteConfig config = RemoteConfig.ofDefaults();
        Cache<String, String> cache = nearProcess(config);
        int busyCalls = config.breakerFailureThreshold() * 3;
        faulty.busy(Call.GET, busyCalls);

        for (int i = 0; i < busyCalls; i++) {
            assertThat(cache.getIfPresent("x" + i)).isNull();
        }

        assertThat(faulty.calls())
                .as("every read still went to the tier: the breaker stayed closed")
                .isEqualTo(busyCalls);
        assertThat(cache.remoteStats().orElseThrow().errors())
                .as("each is still counted")
                .isEqualTo(busyCalls);
        cache.put("k", "v");
        assertThat(cache.getIfPresent("k")).isEqualTo("v");
        assertThat(near(cache).clears()).isZero();
    }

    @Test
    void aProbeThatFindsThePoolExhaustedLetsTheNextOneGoAfterAnOpenPeriod() {
        RemoteConfig config = RemoteConfig.ofDefaults();
        Cache<String, String> cache = nearProcess(config);
        faulty.fail(Call.GET, config.breakerFailureThreshold());
        for (int i = 0; i < config.breakerFailureThreshold(); i++) {
            cache.getIfPresent("x" + i);
        }
        clock.advance(config.breakerOpenDuration());
        faulty.busy(Call.GET, 1);
        assertThat(cache.getIfPresent("probe")).isNull(); // the probe: no free connection, which tells nothing
        int calls = faulty.calls();

        assertThat(cache.getIfPresent("y")).isNull();
        assertThat(faulty.calls()).as("the breaker is still open").isEqualTo(calls);
        clock.advance(config.breakerOpenDuration());

        assertThat(cache.getIfPresent("z")).isNull();
        assertThat(faulty.calls()).as("the next probe went to the tier").isEqualTo(calls + 1);
        assertThat(cache.getIfPresent("w")).isNull();
        assertThat(faulty.calls()).as("and closed the breaker").isEqualTo(calls + 2);
    }

    @Test
    void failClosedCallersGetTheBusyException() {
        Cache<String, String> cache = nearProcess(
                RemoteConfig.custom().failurePolicy(FailurePolicy.FAIL_CLOSED).build());
        faulty.busy(Call.GET, 1);
        assertThatThrownBy(() -> cache.getIfPresent("k"))
                .isInstanceOf(RemoteTierBusyException.class)
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("no free connection");
    }
}
