package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.metrics.CachetMetrics;
import dev.cachet.metrics.MetricNames;
import dev.cachet.spi.RemoteLock;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Refresh-ahead ({@code refreshAfterWrite}) on remote and near caches over the in-memory tier; each cache with its
 * own registry stands for one process. Refreshes run on an executor the test drains, so every interleaving is chosen.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RemoteRefreshAheadTest {
    private static final Duration REFRESH = Duration.ofMinutes(1);
    private static final Duration TTL = Duration.ofMinutes(5);

    private final FakeTicker ticker = new FakeTicker();
    private final Clock clock = ticker.clock();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(ticker);
    private final ManualExecutor executor = new ManualExecutor();
    private final AtomicInteger loads = new AtomicInteger();
    private final Function<String, String> loader = key -> key + "-v" + loads.incrementAndGet();

    private Cache<String, String> remote(Executor refreshes) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .refreshAfterWrite(REFRESH)
                .ticker(ticker)
                .executor(refreshes)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(clock).build())
                .build();
    }

    private Cache<String, String> near(Executor refreshes) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .refreshAfterWrite(REFRESH)
                .ticker(ticker)
                .executor(refreshes)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(clock).build())
                .nearCache(100, Duration.ofMinutes(2))
                .build();
    }

    @Test
    void aReadOfADueValueReturnsItAndOneProcessRefreshesItForAll() {
        Cache<String, String> a = remote(executor);
        Cache<String, String> b = remote(executor);
        assertThat(a.get("k", loader)).isEqualTo("k-v1");
        ticker.advance(Duration.ofSeconds(59));
        assertThat(b.get("k", loader)).as("not due yet").isEqualTo("k-v1");
        assertThat(executor.pending()).isZero();

        ticker.advance(Duration.ofSeconds(1));
        assertThat(a.get("k", loader)).as("due: the old value at once").isEqualTo("k-v1");
        assertThat(b.get("k", loader)).as("every process keeps serving it").isEqualTo("k-v1");
        assertThat(a.get("k", loader)).as("one refresh per key in a process").isEqualTo("k-v1");
        assertThat(executor.pending()).isEqualTo(2);
        executor.runAll();

        assertThat(loads).as("one load for the refresh across both processes").hasValue(2);
        assertThat(a.get("k", loader)).isEqualTo("k-v2");
        assertThat(b.get("k", loader)).isEqualTo("k-v2");
        assertThat(a.remoteStats().orElseThrow().refreshes()
                        + b.remoteStats().orElseThrow().refreshes())
                .isEqualTo(1);
        assertThat(executor.pending()).as("the new value is fresh again").isZero();
    }

    @Test
    void refreshesAreCountedInTheirMeter() {
        Cache<String, String> a = remote(executor);
        MeterRegistry meters = new SimpleMeterRegistry();
        CachetMetrics.bind(a, meters);
        a.get("k", loader);
        ticker.advance(REFRESH);
        a.get("k", loader);

        executor.runAll();

        assertThat(meters.get(MetricNames.CACHE_REMOTE_REFRESHES)
                        .tag("cache", "quotes")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aProcessSkipsTheRefreshWhileAnotherHoldsTheLock() {
        Cache<String, String> a = remote(executor);
        a.get("k", loader);
        ticker.advance(REFRESH);
        String tierKey = ((RemoteCache<String, String>) a).encodeKey("k");
        Optional<RemoteLock> other = tier.store("quotes").tryLock(tierKey, Duration.ofMinutes(10));
        assertThat(other).isPresent();

        assertThat(a.get("k", loader)).isEqualTo("k-v1");
        executor.runAll();

        assertThat(loads).as("the lock holder refreshes, not this process").hasValue(1);
        assertThat(a.remoteStats().orElseThrow().refreshes()).isZero();
        other.get().close();
        assertThat(a.get("k", loader)).as("the next read tries again").isEqualTo("k-v1");
        executor.runAll();
        assertThat(a.get("k", loader)).isEqualTo("k-v2");
    }

    @Test
    void aFailedRefreshKeepsTheOldValueUntilItExpires() {
        Cache<String, String> a = remote(executor);
        a.get("k", loader);
        ticker.advance(REFRESH);
        Function<String, String> failing = key -> {
            throw new IllegalStateException("source down");
        };

        assertThat(a.get("k", failing)).isEqualTo("k-v1");
        executor.runAll();

        assertThat(a.get("k", failing)).as("the old value stays").isEqualTo("k-v1");
        executor.runAll();
        assertThat(a.stats().loadFailureCount()).isEqualTo(2);
        assertThat(a.remoteStats().orElseThrow().refreshes()).isEqualTo(2);
        ticker.advance(TTL);
        assertThatThrownBy(() -> a.get("k", failing))
                .as("expired: a miss, whose load fails as any")
                .hasMessage("source down");
        assertThat(a.get("k", loader)).isEqualTo("k-v2");
    }

    @Test
    void aWriteDuringTheRefreshWins() {
        Cache<String, String> a = remote(executor);
        Cache<String, String> b = remote(executor);
        a.get("k", loader);
        ticker.advance(REFRESH);

        a.get("k", key -> {
            b.put(key, "written"); // another process writes while the refresh loads
            return "refreshed";
        });
        executor.runAll();

        assertThat(a.get("k", loader)).as("the refresh's lease was revoked").isEqualTo("written");
        assertThat(b.get("k", loader)).isEqualTo("written");
    }

    @Test
    void anInvalidationBeforeTheRefreshRunsLeavesTheKeyToTheNextLoad() {
        Cache<String, String> a = remote(executor);
        a.get("k", loader);
        ticker.advance(REFRESH);
        a.get("k", loader);
        a.invalidate("k");

        executor.runAll();

        assertThat(loads).as("nothing to refresh").hasValue(1);
        assertThat(a.getIfPresent("k")).isNull();
    }

    @Test
    void aValueOfAnEnvelopeWithoutWriteTimeIsDueAtOnce() {
        Cache<String, String> a = remote(executor);
        String tierKey = ((RemoteCache<String, String>) a).encodeKey("k");
        byte[] id = Utf8Codec.INSTANCE.id().getBytes(StandardCharsets.UTF_8);
        byte[] payload = "old release".getBytes(StandardCharsets.UTF_8);
        byte[] version2 = ByteBuffer.allocate(5 + id.length + 16 + payload.length)
                .put((byte) 0xCA)
                .put((byte) 0x5E)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) id.length)
                .put(id)
                .putLong(0)
                .putLong(clock.millis() + TTL.toMillis())
                .put(payload)
                .array();
        tier.corrupt("quotes", tierKey, version2);

        assertThat(a.get("k", loader)).isEqualTo("old release");
        executor.runAll();

        assertThat(a.get("k", loader)).isEqualTo("k-v1");
    }

    @Test
    void aNearCopyLivesNoLongerThanItsRefreshPoint() {
        Cache<String, String> a = near(executor);
        a.get("k", loader);
        ticker.advance(Duration.ofSeconds(59));
        int calls = tier.calls();
        assertThat(a.get("k", loader)).isEqualTo("k-v1");
        assertThat(tier.calls()).as("a near hit before the refresh point").isEqualTo(calls);

        ticker.advance(Duration.ofSeconds(1));
        assertThat(a.get("k", loader)).as("past it: the tier's value").isEqualTo("k-v1");
        assertThat(tier.calls()).isGreaterThan(calls);
        executor.runAll(); // the near tier's maintenance runs here too
        assertThat(loads).as("and its refresh").hasValue(2);
        assertThat(a.get("k", loader)).isEqualTo("k-v2");
    }

    @Test
    void aRefreshInOneProcessDropsTheNearCopiesOfAll() {
        Cache<String, String> a = near(executor);
        Cache<String, String> b = near(executor);
        a.get("k", loader);
        ticker.advance(REFRESH);
        assertThat(b.get("k", loader)).isEqualTo("k-v1");
        assertThat(a.get("k", loader)).isEqualTo("k-v1");
        executor.runAll();

        assertThat(loads).hasValue(2);
        assertThat(a.get("k", loader)).isEqualTo("k-v2");
        assertThat(b.get("k", loader)).isEqualTo("k-v2");
        long received = a.nearStats().orElseThrow().invalidationsReceived()
                + b.nearStats().orElseThrow().invalidationsReceived();
        assertThat(received).as("the refreshing process published the key").isEqualTo(1);
    }

    @Test
    void aNearCopyOfAWriteLivesNoLongerThanTheRefreshInterval() {
        Cache<String, String> a = near(executor);
        a.put("k", "written");
        ticker.advance(REFRESH);
        int calls = tier.calls();

        assertThat(a.get("k", loader)).isEqualTo("written");

        assertThat(tier.calls()).as("the copy expired at the refresh point").isGreaterThan(calls);
        executor.runAll();
        assertThat(a.get("k", loader)).isEqualTo("k-v1");
    }

    @Test
    void aLoadingCacheOverTheTierLoadsAndRefreshesWithItsOwnLoader() {
        LoadingCache<String, String> a = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .refreshAfterWrite(REFRESH)
                .ticker(ticker)
                .executor(Runnable::run)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(clock).build())
                .nearCache(100, Duration.ofMinutes(2))
                .build(loader);
        assertThat(a.get("k")).isEqualTo("k-v1");
        ticker.advance(REFRESH);

        assertThat(a.get("k"))
                .as("refreshed on the calling thread, by Runnable::run")
                .isEqualTo("k-v1");

        assertThat(a.get("k")).isEqualTo("k-v2");
        assertThat(a.remoteStats().orElseThrow().refreshes()).isEqualTo(1);
        assertThat(a.nearStats()).isPresent();
    }

    @Test
    void aRefreshOfACachedNullIsNeverScheduled() {
        Cache<String, String> a = Cachet.builder("users")
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .refreshAfterWrite(REFRESH)
                .cacheNulls(Duration.ofMinutes(2))
                .ticker(ticker)
                .executor(executor)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(clock).build())
                .build();
        assertThat(a.get("nobody", key -> null)).isNull();
        ticker.advance(REFRESH);

        assertThat(a.get("nobody", loader)).isNull();

        assertThat(executor.pending())
                .as("a cached null lives its own short TTL")
                .isZero();
    }

    @Test
    void refreshAfterWriteMustBeShorterThanExpireAfterWrite() {
        CacheBuilder<Object, String> equal = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .refreshAfterWrite(TTL)
                .remote(tier, Utf8Codec.INSTANCE);
        assertThatThrownBy(equal::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refreshAfterWrite (PT5M) must be shorter than expireAfterWrite (PT5M): a value would"
                        + " expire before its refresh (cache 'quotes')");
        CacheBuilder<Object, String> longer = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(REFRESH)
                .refreshAfterWrite(TTL)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(10, Duration.ofSeconds(5));
        assertThatThrownBy(() -> longer.build(key -> "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refreshAfterWrite (PT5M)")
                .hasMessageContaining("expireAfterWrite (PT1M)");
        assertThatThrownBy(() -> Cachet.builder("quotes").refreshAfterWrite(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("refreshAfterWrite must be positive, was PT0S (cache 'quotes')");
        assertThatThrownBy(() -> Cachet.builder("quotes").refreshAfterWrite(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("refreshAfterWrite must be positive, was PT-1S (cache 'quotes')");
    }

    /** Runs submitted tasks only when told, in submission order. */
    private static final class ManualExecutor implements Executor {
        private final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        synchronized int pending() {
            return tasks.size();
        }

        void runAll() {
            Runnable next;
            while ((next = poll()) != null) {
                next.run();
            }
        }

        private synchronized Runnable poll() {
            return tasks.poll();
        }
    }
}
