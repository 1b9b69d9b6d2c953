package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What core does over the remote-tier SPI, against an in-memory tier: two caches with separate registries stand for
 * two processes sharing one Redis.
 */
class RemoteTierTest {
    private static final Utf8Codec STRINGS = Utf8Codec.INSTANCE;

    private final FakeTicker clock = new FakeTicker();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static Cache<String, String> process(InMemoryRemoteTier tier, Ticker ticker, RemoteConfig config) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofSeconds(30))
                .ticker(ticker)
                .remote(tier, STRINGS, config)
                .build();
    }

    @Test
    void aValueLoadedByOneProcessIsAHitInAnother() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> a = process(tier, clock, RemoteConfig.ofDefaults());
        Cache<String, String> b = process(tier, clock, RemoteConfig.ofDefaults());
        AtomicInteger loads = new AtomicInteger();
        assertThat(a.get("AAPL", k -> k + "=" + loads.incrementAndGet())).isEqualTo("AAPL=1");
        assertThat(b.get("AAPL", k -> k + "=" + loads.incrementAndGet())).isEqualTo("AAPL=1");
        assertThat(loads.get()).isEqualTo(1);
        assertThat(b.stats().hitCount()).isEqualTo(1);
        assertThat(b.remoteStats()).get().extracting(RemoteStats::hits).isEqualTo(1L);
        assertThat(a.stats().putCount()).isEqualTo(1);

        b.invalidate("AAPL");
        assertThat(a.getIfPresent("AAPL")).isNull();
        a.put("MSFT", "m");
        assertThat(b.getIfPresent("MSFT")).isEqualTo("m");
        b.invalidateAll();
        assertThat(a.getIfPresent("MSFT")).isNull();
    }

    @Test
    void valuesExpireInTheTierAfterExpireAfterWrite() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> cache = process(tier, clock, RemoteConfig.ofDefaults());
        cache.put("k", "v");
        clock.advance(Duration.ofSeconds(29));
        assertThat(cache.getIfPresent("k")).isEqualTo("v");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void aSecondProcessWaitsForTheFirstProcesssLoad() throws Exception {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        Cache<String, String> a = process(tier, Ticker.systemTicker(), RemoteConfig.ofDefaults());
        Cache<String, String> b = process(tier, Ticker.systemTicker(), RemoteConfig.ofDefaults());
        CountDownLatch aLoading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> a.get("k", key -> {
            aLoading.countDown();
            InMemoryCacheTest.await(release);
            return "from-a";
        }));
        assertThat(aLoading.await(5, TimeUnit.SECONDS)).isTrue();
        AtomicInteger bLoads = new AtomicInteger();
        Future<String> second = pool.submit(() -> b.get("k", key -> "from-b-" + bLoads.incrementAndGet()));
        await("B waits for A's lock")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> b.remoteStats().orElseThrow().lockWaits() == 1);
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("from-a");
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("from-a");
        assertThat(bLoads.get()).isZero();
        assertThat(b.remoteStats().orElseThrow().lockTimeouts()).isZero();
    }

    @Test
    void aWaitThatRunsOutLoadsItselfAndIsCounted() throws Exception {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        RemoteConfig shortWait = RemoteConfig.custom()
                .lockWait(Duration.ofMillis(50))
                .lockPollInterval(Duration.ofMillis(5))
                .build();
        Cache<String, String> a = process(tier, Ticker.systemTicker(), shortWait);
        Cache<String, String> b = process(tier, Ticker.systemTicker(), shortWait);
        CountDownLatch aLoading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> a.get("k", key -> {
            aLoading.countDown();
            InMemoryCacheTest.await(release);
            return "from-a";
        }));
        assertThat(aLoading.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(b.get("k", key -> "from-b")).isEqualTo("from-b");
        assertThat(b.remoteStats().orElseThrow().lockTimeouts()).isEqualTo(1);
        assertThat(a.getIfPresent("k"))
                .as("B wrote with the lease of its latest miss")
                .isEqualTo("from-b");
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("from-a");
        assertThat(b.getIfPresent("k"))
                .as("A's lease was used up by B's write, so A's write is refused")
                .isEqualTo("from-b");
    }

    @Test
    void failOpenServesTheLoaderAndTheBreakerStopsCallingADeadTier() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        RemoteConfig config =
                RemoteConfig.custom().circuitBreaker(3, Duration.ofSeconds(1)).build();
        Cache<String, String> cache = process(tier, clock, config);
        tier.setDown(true);
        for (int i = 0; i < 10; i++) {
            assertThat(cache.get("k" + i, k -> "loaded-" + k)).isEqualTo("loaded-k" + i);
        }
        int callsWhileOpen = tier.calls();
        for (int i = 0; i < 100; i++) {
            assertThat(cache.get("x", k -> "fallback")).isEqualTo("fallback");
        }
        assertThat(tier.calls()).as("no calls while the breaker is open").isEqualTo(callsWhileOpen);
        RemoteStats stats = cache.remoteStats().orElseThrow();
        assertThat(stats.errors()).isEqualTo(3);
        assertThat(stats.fallbackLoads()).isEqualTo(110);

        tier.setDown(false);
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("y", k -> "fresh")).isEqualTo("fresh");
        assertThat(cache.getIfPresent("y"))
                .as("the tier is used again once a probe succeeds")
                .isEqualTo("fresh");
    }

    @Test
    void failClosedThrowsCacheUnavailable() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> cache = process(
                tier,
                clock,
                RemoteConfig.custom().failurePolicy(FailurePolicy.FAIL_CLOSED).build());
        tier.setDown(true);
        assertThatThrownBy(() -> cache.get("k", k -> "v"))
                .isInstanceOf(CacheUnavailableException.class)
                .hasMessageContaining("'quotes'");
        assertThatThrownBy(() -> cache.put("k", "v")).isInstanceOf(CacheUnavailableException.class);
    }

    @Test
    void anUndecodableValueIsAMissThatIsDeletedReloadedAndCounted() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> cache = process(tier, clock, RemoteConfig.ofDefaults());
        tier.corrupt("quotes", "s:k", "not an envelope".getBytes(StandardCharsets.UTF_8));
        assertThat(cache.get("k", k -> "reloaded")).isEqualTo("reloaded");
        assertThat(cache.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
        assertThat(cache.getIfPresent("k")).isEqualTo("reloaded");
    }

    @Test
    void aValueFromAnotherCodecIsNotDecoded() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> cache = process(tier, clock, RemoteConfig.ofDefaults());
        cache.put("k", "v");
        byte[] raw = tier.raw("quotes", "s:k"); // the default encoding of the String key
        byte[] foreign = raw.clone();
        foreign[5] = 'X'; // inside the codec id
        tier.corrupt("quotes", "s:k", foreign);
        assertThat(cache.getIfPresent("k")).isNull();
        assertThat(cache.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
    }

    @Test
    void anOversizedValueIsRejectedBeforeItIsWrittenAndTheOldValueSurvives() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> cache =
                process(tier, clock, RemoteConfig.custom().maxValueBytes(10).build());
        cache.put("k", "small");
        assertThatThrownBy(() -> cache.put("k", "x".repeat(100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'quotes'")
                .hasMessageContaining("100 bytes exceeds maxValueBytes 10");
        assertThat(cache.getIfPresent("k")).isEqualTo("small");
    }

    @Test
    void earlyRecomputeRefreshesAHotKeyBeforeItExpires() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<String, String> eager =
                process(tier, clock, RemoteConfig.custom().earlyRecompute(1e9).build());
        AtomicInteger loads = new AtomicInteger();
        java.util.function.Function<String, String> slowLoader = k -> {
            clock.advance(Duration.ofMillis(100)); // δ = 100 ms
            return "v" + loads.incrementAndGet();
        };
        assertThat(eager.get("k", slowLoader)).isEqualTo("v1");
        assertThat(eager.get("k", slowLoader)).as("β huge: recomputed at once").isEqualTo("v2");
        assertThat(eager.remoteStats().orElseThrow().earlyRecomputes()).isEqualTo(1);

        Cache<String, String> plain = Cachet.builder("plain")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofSeconds(30))
                .ticker(clock)
                .remote(tier, STRINGS)
                .build();
        plain.get("k", slowLoader);
        plain.get("k", slowLoader);
        assertThat(plain.remoteStats().orElseThrow().earlyRecomputes()).isZero();
    }

    @Test
    void remoteCachesNeedATtlAndRejectLocalOnlyOptions() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        assertThatThrownBy(() -> Cachet.builder("r")
                        .registry(CacheRegistry.create())
                        .remote(tier, STRINGS)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs a positive expireAfterWrite");
        assertThatThrownBy(() -> Cachet.builder("r")
                        .registry(CacheRegistry.create())
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .maximumSize(10)
                        .remote(tier, STRINGS)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maximumSize applies to in-memory caches");
    }

    record Composite(String a, int b) {}

    @Test
    void keysWithoutAStringFormNeedAKeyEncoder() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cache<Composite, String> cache = Cachet.builder("r")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofSeconds(1))
                .remote(tier, STRINGS)
                .build();
        assertThatThrownBy(() -> cache.put(new Composite("a", 1), "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Composite.class.getName())
                .hasMessageContaining("keyEncoder");
        Cache<Composite, String> encoded = Cachet.builder("r2")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofSeconds(1))
                .remote(
                        tier,
                        STRINGS,
                        RemoteConfig.custom()
                                .<Composite>keyEncoder(c -> c.a() + "|" + c.b())
                                .build())
                .build();
        encoded.put(new Composite("a", 1), "v");
        assertThat(encoded.getIfPresent(new Composite("a", 1))).isEqualTo("v");
    }

    @Test
    void remoteConfigValidatesItsSettings() {
        assertThatThrownBy(() -> RemoteConfig.custom().maxValueBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxValueBytes must be positive, was 0");
        assertThatThrownBy(() -> RemoteConfig.custom().ttlJitter(0.9).build())
                .hasMessage("ttlJitter must be between 0 and 0.5, was 0.9");
        assertThatThrownBy(() -> RemoteConfig.custom().lockLease(Duration.ZERO).build())
                .hasMessage("lockLease must be positive, was PT0S");
        assertThatThrownBy(() -> RemoteConfig.custom().earlyRecompute(-1).build())
                .hasMessageContaining("earlyRecomputeBeta");
    }
}
