package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The two-level cache over the in-memory tier; each cache with its own registry stands for one process. */
class NearCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    private Cache<String, String> process() {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(100, Duration.ofSeconds(10))
                .build();
    }

    @Test
    void readsGoNearThenRemoteThenLoader() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        AtomicInteger loads = new AtomicInteger();
        assertThat(a.get("k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        int callsAfterLoad = tier.calls();
        assertThat(a.get("k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        assertThat(tier.calls()).as("a near hit never reaches the tier").isEqualTo(callsAfterLoad);
        assertThat(b.get("k", k -> "v" + loads.incrementAndGet()))
                .as("b fills from the tier")
                .isEqualTo("v1");
        assertThat(b.get("k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        assertThat(loads.get()).isEqualTo(1);

        assertThat(a.nearStats()).get().extracting(NearStats::hits).isEqualTo(1L);
        assertThat(b.nearStats())
                .get()
                .extracting(NearStats::hits, NearStats::misses)
                .containsExactly(1L, 1L);
        assertThat(b.remoteStats()).get().extracting(RemoteStats::hits).isEqualTo(1L);
        CacheStats combined = b.stats();
        assertThat(combined.hitCount()).as("near + remote hits").isEqualTo(2);
        assertThat(combined.missCount()).isZero();
    }

    @Test
    void writesInOneProcessEvictTheKeyFromOthersButNotFromItself() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        a.put("k", "old");
        assertThat(b.get("k", k -> "unused")).isEqualTo("old");
        a.put("k", "new");
        assertThat(b.getIfPresent("k")).isEqualTo("new");
        assertThat(b.nearStats().orElseThrow().invalidationsReceived()).isEqualTo(2);
        assertThat(a.nearStats().orElseThrow().invalidationsReceived())
                .as("no self-eviction")
                .isZero();
        int calls = tier.calls();
        assertThat(a.getIfPresent("k"))
                .as("a keeps what it wrote in its near tier")
                .isEqualTo("new");
        assertThat(tier.calls()).isEqualTo(calls);

        b.invalidate("k");
        assertThat(a.getIfPresent("k")).isNull();
        a.put("x", "1");
        b.get("x", k -> "unused");
        a.invalidateAll();
        assertThat(b.getIfPresent("x")).isNull();
    }

    @Test
    void aLostMessageIsBoundedByTheNearTtlAndLostConnectionsClearTheNearTier() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        a.put("k", "v1");
        b.get("k", k -> "unused");
        tier.setDown(true); // the message about the next write is lost
        tier.setDown(false);
        tier.store("quotes").put("s:k", rawOf(a, "v2"), Duration.ofMinutes(5)); // a write whose message was lost
        assertThat(b.getIfPresent("k")).as("stale within the near TTL").isEqualTo("v1");
        clock.advance(Duration.ofSeconds(10));
        assertThat(b.getIfPresent("k")).as("never stale past the near TTL").isEqualTo("v2");

        tier.store("quotes").put("s:k", rawOf(a, "v3"), Duration.ofMinutes(5));
        tier.dropSubscribers("quotes");
        assertThat(b.getIfPresent("k"))
                .as("a reconnection clears the near tier")
                .isEqualTo("v3");
        assertThat(b.nearStats().orElseThrow().clears()).isEqualTo(1);
    }

    /** Encodes a value the way the cache does, by letting a throwaway remote-only cache write it. */
    private byte[] rawOf(Cache<String, String> unused, String value) {
        Cache<String, String> writer = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
        writer.put("scratch", value);
        return tier.raw("quotes", "s:scratch"); // the default encoding of the String key
    }

    @Test
    void whileTheTierIsDownTheNearTierServesUntilItsTtlThenTheFailurePolicyApplies() {
        Cache<String, String> a = process();
        a.put("k", "v");
        tier.setDown(true);
        assertThat(a.getIfPresent("k")).isEqualTo("v");
        // An outage long enough to open the breaker: invalidations may be lost from here on. (A single failed call
        // would not clear the near tier.)
        for (int i = 0; i < RemoteConfig.ofDefaults().breakerFailureThreshold(); i++) {
            assertThat(a.getIfPresent("down" + i)).isNull();
        }
        clock.advance(Duration.ofSeconds(10));
        assertThat(a.get("k", k -> "from-loader"))
                .as("fail-open after the near TTL")
                .isEqualTo("from-loader");
        tier.setDown(false);
        clock.advance(Duration.ofSeconds(1)); // past the breaker's open period
        List<String> seen = new ArrayList<>();
        seen.add(a.get("k", k -> "fresh"));
        assertThat(seen).containsExactly("from-loader"); // still in the near tier from the fallback load
        a.get("other", k -> "probe"); // a call that reaches the tier again
        assertThat(a.nearStats().orElseThrow().clears())
                .as("cleared once on recovery")
                .isEqualTo(1);
        assertThat(a.getIfPresent("k"))
                .as("the near tier was cleared; the tier has the original")
                .isEqualTo("v");
    }

    @Test
    void aReconnectionDuringAnOutageMakesTheRecoveryClearRedundant() {
        Cache<String, String> a = process();
        a.put("k", "v");
        tier.setDown(true);
        assertThat(a.get("other", k -> "fallback")).isEqualTo("fallback"); // the outage begins
        tier.setDown(false);
        tier.dropSubscribers("quotes"); // the channel comes back first and clears
        assertThat(a.nearStats().orElseThrow().clears()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1)); // past the breaker's open period
        assertThat(a.get("k", k -> "unused")).isEqualTo("v"); // the first call that reaches the tier again
        assertThat(a.nearStats().orElseThrow().clears())
                .as("cleared once for one outage")
                .isEqualTo(1);
    }

    /**
     * A copy kept after the time it took to keep it (here a slow copier, in production a cold JVM's first fill on a
     * loaded machine) expires with the remote value it came from, not that much later: found by the two-process
     * stale-if-error test, whose second process served its near copy as fresh after the value had expired.
     */
    @Test
    void aNearCopyNeverOutlivesTheRemoteValueHoweverLongKeepingItTook() {
        RemoteConfig sharedClock = RemoteConfig.custom().clock(clock.clock()).build();
        Duration slowCopy = Duration.ofMinutes(2);
        java.util.concurrent.atomic.AtomicBoolean copyingSlowly = new java.util.concurrent.atomic.AtomicBoolean();
        Cache<String, String> a = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE, sharedClock)
                .nearCache(100, Duration.ofMinutes(10))
                .build();
        Cache<String, String> b = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .copier((String value) -> {
                    if (copyingSlowly.get()) {
                        clock.advance(slowCopy);
                    }
                    return value;
                })
                .remote(tier, Utf8Codec.INSTANCE, sharedClock)
                .nearCache(100, Duration.ofMinutes(10))
                .build();
        a.put("read", "v");
        clock.advance(Duration.ofMinutes(4)); // one minute left

        copyingSlowly.set(true);
        assertThat(b.getIfPresent("read")).isEqualTo("v");
        copyingSlowly.set(false);
        assertThat(b.getIfPresent("read"))
                .as("a getIfPresent's copy, kept two minutes after a minute was left, expired with the value")
                .isNull();

        a.put("loaded", "v");
        clock.advance(Duration.ofMinutes(4));
        copyingSlowly.set(true);
        assertThat(b.get("loaded", k -> "unused")).isEqualTo("v");
        copyingSlowly.set(false);
        assertThat(b.get("loaded", k -> "reloaded"))
                .as("a get's copy expired with the value too: the loader runs")
                .isEqualTo("reloaded");
    }

    record Point(int x, int y) {}

    @Test
    void nearTierValuesAreCopiedLikeInMemoryValues() {
        Cache<String, List<String>> cache = Cachet.builder("lists")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .remote(tier, new ListCodec())
                .nearCache(10, Duration.ofSeconds(10))
                .build();
        List<String> mine = new ArrayList<>(List.of("a"));
        cache.put("k", mine);
        mine.add("b");
        cache.getIfPresent("k").add("c");
        assertThat(cache.getIfPresent("k")).containsExactly("a");
    }

    /** Encodes lists of strings as newline-separated text. */
    static final class ListCodec implements dev.cachet.spi.ValueCodec<List<String>> {
        @Override
        public String id() {
            return "test-lines";
        }

        @Override
        public byte[] encode(List<String> value) {
            return String.join("\n", value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public List<String> decode(byte[] bytes) {
            return new ArrayList<>(List.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n")));
        }
    }

    @Test
    void nearCacheNeedsARemoteTierAndValidSettings() {
        assertThatThrownBy(() -> Cachet.builder("n")
                        .registry(CacheRegistry.create())
                        .nearCache(10, Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nearCache needs a remote tier");
        assertThatThrownBy(() -> Cachet.builder("n")
                        .registry(CacheRegistry.create())
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .remote(tier, Utf8Codec.INSTANCE)
                        .nearCache(-1, Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nearCache maximumSize must not be negative, was -1");
    }

    @Test
    void theMicrometerBindingExportsNearAndRemoteFiguresAndTheCombinedRatio() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        dev.cachet.metrics.CachetMetrics.bind(b, meters);
        a.put("k", "v");
        b.get("k", k -> "unused"); // near miss, remote hit
        b.get("k", k -> "unused"); // near hit
        assertThat(meters.get("cache.near.gets")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("cache.near.gets")
                        .tag("result", "miss")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("cache.remote.gets")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("cache.gets")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .as("combined hits")
                .isEqualTo(2.0);
        assertThat(meters.get("cache.hit.ratio").gauge().value()).isEqualTo(1.0);
        a.invalidate("k");
        assertThat(meters.get("cache.near.invalidations").functionCounter().count())
                .isEqualTo(2.0);
    }

    @Test
    void theHitRatioWarningConsidersNearAndRemoteHitsTogether() {
        List<LowHitRatio> events = new ArrayList<>();
        Cache<Integer, String> writer = Cachet.builder("ratio")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
        Cache<Integer, String> reader = Cachet.builder("ratio")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .hitRatioWarning(0.8, 100)
                .onLowHitRatio(events::add)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(1, Duration.ofSeconds(10)) // far too small: nearly every read goes to the tier
                .build();
        for (int i = 0; i < 50; i++) {
            writer.put(i, "v" + i);
        }
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 50; i++) {
                assertThat(reader.get(i, k -> "unused")).isEqualTo("v" + i);
            }
        }
        reader.get(-1, k -> "a miss closes the window");
        assertThat(events).as("near misses that hit the tier are hits").isEmpty();
        assertThat(reader.stats().hitRatio()).isGreaterThan(0.99);
    }
}
