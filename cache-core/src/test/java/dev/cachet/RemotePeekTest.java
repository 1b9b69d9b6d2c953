package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hit needs no lease: the remote tier answers it with a plain read ({@code RemoteStore.peek}), and only a miss
 * reads again for the lease its load writes with. A {@code getIfPresent}, which never writes, takes no lease at all.
 */
@Timeout(30)
class RemotePeekTest {
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    private Cache<String, String> cache() {
        return cache(RemoteConfig.custom());
    }

    private Cache<String, String> cache(RemoteConfig.Builder remote) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .staleIfError(Duration.ofMinutes(10))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE, remote.clock(clock.clock()).build())
                .build();
    }

    @Test
    void aHitIsOnePeekAndNoLookup() {
        Cache<String, String> cache = cache();
        cache.put("k", "v");

        assertThat(cache.get("k", key -> "unused")).isEqualTo("v");
        assertThat(cache.getIfPresent("k")).isEqualTo("v");

        assertThat(tier.calls("peek")).isEqualTo(2);
        assertThat(tier.calls("lookup")).isZero();
        assertThat(cache.remoteStats().orElseThrow().hits()).isEqualTo(2);
    }

    @Test
    void aMissPeeksThenLooksUpUnderTheLockForTheLeaseItsLoadWritesWith() {
        Cache<String, String> cache = cache();

        assertThat(cache.get("k", key -> "loaded")).isEqualTo("loaded");

        assertThat(tier.calls("peek")).isEqualTo(1);
        assertThat(tier.calls("lookup"))
                .as("only the read under the lock, which hands out the lease")
                .isEqualTo(1);
        assertThat(cache.getIfPresent("k")).as("the load wrote with that lease").isEqualTo("loaded");
    }

    @Test
    void withoutAnElectionAMissLooksUpForTheLeaseOnItsOwn() {
        Cache<String, String> cache = cache(RemoteConfig.custom().lockWait(Duration.ZERO));

        assertThat(cache.get("k", key -> "loaded")).isEqualTo("loaded");

        assertThat(tier.calls("peek")).isEqualTo(1);
        assertThat(tier.calls("tryLock")).as("no election: lockWait is zero").isZero();
        assertThat(tier.calls("lookup")).as("the read that hands out the lease").isEqualTo(1);
        assertThat(cache.getIfPresent("k")).as("the load wrote with that lease").isEqualTo("loaded");
    }

    @Test
    void aValueWrittenBetweenThePeekAndTheLockIsServedNotLoaded() {
        Cache<String, String> cache = cache();
        Cache<String, String> other = cache();

        // The loader runs only if the read under the lock finds nothing; the other process writes right after the
        // peek, before the lock: the first tryLock is the moment in between.
        tier.beforeNext("tryLock", () -> other.put("k", "written"));

        assertThat(cache.get("k", key -> "loaded")).isEqualTo("written");
        assertThat(tier.calls("peek")).isEqualTo(1);
        assertThat(cache.stats().loadSuccessCount()).isZero();
    }

    @Test
    void getIfPresentMissesOfKeysNeverWrittenLeaveNoFence() {
        Cache<String, String> cache = cache();

        for (int i = 0; i < 100; i++) {
            assertThat(cache.getIfPresent("absent-" + i)).isNull();
        }

        assertThat(tier.fences()).as("fences in the tier").isZero();
        assertThat(tier.calls("lookup")).isZero();
        assertThat(cache.remoteStats().orElseThrow().misses()).isEqualTo(100);
    }

    @Test
    void anExpiredValueIsReadAgainForTheLeaseAndServedStaleIfTheReloadFails() {
        Cache<String, String> cache = cache();
        cache.put("k", "old");
        clock.advance(Duration.ofMinutes(6)); // expired, within the grace

        String served = cache.get("k", key -> {
            throw new IllegalStateException("source down");
        });

        assertThat(served).isEqualTo("old");
        assertThat(tier.calls("lookup"))
                .as("an expired value is a miss: read for the lease, and again under the lock")
                .isEqualTo(2);
        assertThat(cache.getIfPresent("k"))
                .as("expired: a miss for getIfPresent")
                .isNull();
        assertThat(cache.get("k", key -> "new"))
                .as("the reload writes over it with its lease")
                .isEqualTo("new");
        assertThat(cache.getIfPresent("k")).isEqualTo("new");
    }
}
