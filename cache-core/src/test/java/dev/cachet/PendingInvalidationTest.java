package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cachet.FaultyRemoteTier.Call;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Writes that cannot reach the tier under fail-open (contract item 3): each becomes a pending invalidation of its key,
 * this process reads no value from the tier until it is applied, and it is applied (and published to other near
 * tiers) by the next tier call once the tier answers. Process A's calls fail on demand; process B shares the tier.
 */
class PendingInvalidationTest {
    private static final Duration OPEN = RemoteConfig.ofDefaults().breakerOpenDuration();
    private static final Function<String, String> NO_LOAD = k -> fail("no load expected for " + k);

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier shared = new InMemoryRemoteTier(clock);
    private final FaultyRemoteTier faulty = new FaultyRemoteTier(shared);

    private Cache<String, String> process(RemoteTier tier) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
    }

    private Cache<String, String> nearProcess(RemoteTier tier) {
        return NearProcess.builder(tier, clock, Duration.ofSeconds(10)).build();
    }

    /** The fault heals: the next call after the breaker's open period probes the tier and applies what is pending. */
    private void heal(Call call) {
        faulty.fail(call, 0);
        clock.advance(OPEN);
    }

    private static RemoteStats remote(Cache<?, ?> cache) {
        return cache.remoteStats().orElseThrow();
    }

    @Test
    void aFailedInvalidateIsNeverServedByThisProcessAndReachesTheTierOnceItHeals() {
        Cache<String, String> a = process(faulty);
        Cache<String, String> b = process(shared);
        a.put("k", "v1");
        faulty.fail(Call.DELETE, Integer.MAX_VALUE);

        a.invalidate("k"); // returns normally under fail-open

        assertThat(a.getIfPresent("k")).as("A after its invalidate").isNull();
        assertThat(a.get("k", k -> "v2"))
                .as("A loads instead of reading the tier")
                .isEqualTo("v2");
        assertThat(b.getIfPresent("k"))
                .as("other processes may read the old value until the invalidation is applied")
                .isEqualTo("v1");
        assertThat(remote(a).pendingInvalidations()).isEqualTo(1);
        assertThat(remote(a).errors()).isPositive();

        heal(Call.DELETE);
        assertThat(a.getIfPresent("other")).isNull(); // any call applies what is pending first

        assertThat(shared.raw("quotes", "s:k"))
                .as("the old value is gone from the tier")
                .isNull();
        assertThat(b.getIfPresent("k")).isNull();
        assertThat(remote(a).pendingInvalidations()).isZero();
        a.put("k", "v3");
        assertThat(a.getIfPresent("k")).as("A reads the tier again").isEqualTo("v3");
        assertThat(b.getIfPresent("k")).isEqualTo("v3");
    }

    @Test
    void aFailedPutBecomesAPendingInvalidationOfItsKey() {
        Cache<String, String> a = process(faulty);
        Cache<String, String> b = process(shared);
        a.put("k", "v1");
        faulty.fail(Call.PUT, Integer.MAX_VALUE);

        a.put("k", "v2"); // did not reach the tier, which still holds v1

        assertThat(remote(a).pendingInvalidations()).isEqualTo(1);
        assertThat(b.getIfPresent("k")).as("until applied").isEqualTo("v1");
        // Deletes still work: A's next call applies the invalidation, then reads.
        assertThat(a.getIfPresent("k"))
                .as("A never serves the value its put replaced")
                .isNull();
        assertThat(b.getIfPresent("k")).as("the stale v1 is deleted").isNull();
        assertThat(remote(a).pendingInvalidations()).isZero();
    }

    @Test
    void aFailedInvalidateAllIsPendingUntilTheTierAnswers() {
        Cache<String, String> a = process(faulty);
        Cache<String, String> b = process(shared);
        a.put("k1", "v1");
        a.put("k2", "v2");
        faulty.fail(Call.DELETE_ALL, Integer.MAX_VALUE);

        a.invalidateAll();

        assertThat(a.getIfPresent("k1")).isNull();
        assertThat(b.getIfPresent("k2")).as("until applied").isEqualTo("v2");
        assertThat(remote(a).pendingInvalidations()).isEqualTo(1);

        heal(Call.DELETE_ALL);
        assertThat(a.getIfPresent("other")).isNull();
        assertThat(b.getIfPresent("k1")).isNull();
        assertThat(b.getIfPresent("k2")).isNull();
        assertThat(remote(a).pendingInvalidations()).isZero();
    }

    @Test
    void pastTheBoundThePendingKeysBecomeOnePendingInvalidateAll() {
        Cache<String, String> a = process(faulty);
        Cache<String, String> b = process(shared);
        a.put("never-invalidated", "v");
        faulty.fail(Call.DELETE, Integer.MAX_VALUE);

        for (int i = 0; i < RemoteCache.MAX_PENDING_INVALIDATIONS; i++) {
            a.invalidate("k" + i);
        }
        assertThat(remote(a).pendingInvalidations()).isEqualTo(RemoteCache.MAX_PENDING_INVALIDATIONS);
        a.invalidate("one-too-many");
        assertThat(remote(a).pendingInvalidations())
                .as("one pending invalidateAll")
                .isEqualTo(1);

        heal(Call.DELETE);
        assertThat(a.getIfPresent("other")).isNull();
        assertThat(b.getIfPresent("never-invalidated"))
                .as("deleting too much is safe, forgetting a delete is not")
                .isNull();
        assertThat(remote(a).pendingInvalidations()).isZero();
    }

    @Test
    void aPendingInvalidationIsPublishedAgainToOtherNearTiersOnceApplied() {
        Cache<String, String> a = nearProcess(faulty);
        Cache<String, String> b = nearProcess(shared);
        a.put("k", "v1");
        assertThat(b.get("k", NO_LOAD)).isEqualTo("v1");
        faulty.fail(Call.DELETE, Integer.MAX_VALUE);

        a.invalidate("k"); // its message reaches B, but the tier keeps v1

        assertThat(b.get("k", NO_LOAD))
                .as("B refills its near tier from the old value until the invalidation is applied")
                .isEqualTo("v1");
        assertThat(a.get("k", k -> "v2")).as("A loads").isEqualTo("v2");

        heal(Call.DELETE);
        assertThat(a.getIfPresent("other")).isNull();

        assertThat(b.getIfPresent("k"))
                .as("B's near copy of v1 was dropped again")
                .isNull();
    }

    @Test
    void aDeleteThatFailedOnceIsAppliedByTheNextCallWhichThenReadsTheTier() {
        Cache<String, String> a = process(faulty);
        a.put("k", "v1");
        a.put("j", "w1");
        faulty.fail(Call.DELETE, 1);

        a.invalidate("k"); // fails once; the next call applies it

        assertThat(a.getIfPresent("j")).as("applied, then read").isEqualTo("w1");
        assertThat(a.getIfPresent("k")).isNull();
        assertThat(remote(a).pendingInvalidations()).isZero();
        assertThat(remote(a).errors()).isEqualTo(1);
    }
}
