package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.internal.remote.Envelope;
import dev.cachet.metrics.CachetMetrics;
import dev.cachet.metrics.MetricNames;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code staleIfError} on the remote and near tiers, over the in-memory tier: the tier keeps a value for its TTL plus
 * the grace, every process reads it as a miss once its envelope expired, and a failed reload serves it. Each cache with
 * its own registry stands for one process; one fake ticker moves the tier's TTLs and the envelopes' wall clock.
 */
class RemoteStaleIfErrorTest {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static final Duration NEAR_TTL = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryRemoteTier shared = new InMemoryRemoteTier(ticker);
    private final RecordingRemoteTier tier = new RecordingRemoteTier(shared);
    private final Clock clock = new TickerClock(ticker, Instant.parse("2026-12-01T12:00:00Z"));
    private final AtomicInteger loads = new AtomicInteger();

    private CacheBuilder<Object, String> builder(@Nullable Duration grace) {
        CacheBuilder<Object, Object> builder = Cachet.builder("prices")
                .registry(CacheRegistry.create())
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfterWrite(TTL);
        if (grace != null) {
            builder.staleIfError(grace);
        }
        return builder.remote(
                tier, Utf8Codec.INSTANCE, RemoteConfig.custom().clock(clock).build());
    }

    /** A process with a remote tier only. */
    private Cache<String, String> remote(@Nullable Duration grace) {
        return builder(grace).build();
    }

    /** A process with a near tier over the remote tier. */
    private Cache<String, String> near(@Nullable Duration grace) {
        return builder(grace).nearCache(100, NEAR_TTL).build();
    }

    /** A loader that counts its calls and fails, as a source that is down. */
    private String failing(String key) {
        loads.incrementAndGet();
        throw new IllegalStateException("source down for " + key);
    }

    @Nested
    class Builder {
        @Test
        void isAcceptedWithARemoteTierAndANearTierAndIsPartOfTheConfig() {
            assertThat(remote(GRACE).config().staleIfError()).contains(GRACE);
            assertThat(near(GRACE).config().staleIfError()).contains(GRACE);
        }

        @Test
        void aZeroOrNegativeGraceIsRejectedBeforeAnyTierIsTouched() {
            CacheBuilder<Object, Object> builder = Cachet.builder("prices").expireAfterWrite(TTL);
            assertThatThrownBy(() -> builder.staleIfError(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("staleIfError must be positive, was PT0S (cache 'prices')");
            assertThatThrownBy(() -> builder.staleIfError(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("staleIfError must be positive, was PT-0.001S (cache 'prices')");
            assertThat(tier.writes()).isEmpty();
        }
    }

    @Nested
    class RemoteTier {
        @Test
        void theTierKeepsAValueForItsTtlPlusTheGraceAndTheEnvelopeKeepsTheTtl() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            assertThat(cache.get("usd", key -> "1.00")).isEqualTo("1.00");
            assertThat(tier.writes())
                    .extracting(RecordingRemoteTier.Write::ttl)
                    .containsExactly(TTL.plus(GRACE), TTL.plus(GRACE));
            for (RecordingRemoteTier.Write write : tier.writes()) {
                assertThat(Envelope.parse(write.bytes(), Utf8Codec.INSTANCE.id())
                                .expiresAtMillis())
                        .isEqualTo(clock.millis() + TTL.toMillis());
            }
        }

        @Test
        void withoutStaleIfErrorTheTierKeepsAValueForItsTtl() {
            remote(null).put("eur", "1.08");
            assertThat(tier.writes()).extracting(RecordingRemoteTier.Write::ttl).containsExactly(TTL);
        }

        @Test
        void aFailedReloadAfterExpiryReturnsTheExpiredValueAndCountsIt() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);

            assertThat(cache.getIfPresent("eur")).as("expired: a miss").isNull();
            assertThat(cache.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            assertThat(cache.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            assertThat(loads).as("each get after expiry tries the source").hasValue(2);
            assertThat(cache.stats().staleServedCount()).isEqualTo(2);
            assertThat(cache.stats().loadFailureCount()).isEqualTo(2);
            assertThat(cache.remoteStats().orElseThrow().staleServed()).isEqualTo(2);
            assertThat(shared.raw("prices", tierKey(cache, "eur")))
                    .as("the expired value stays in the tier")
                    .isNotNull();
        }

        @Test
        void anExpiredValueIsAMissInEveryProcessEvenOneWithoutStaleIfError() {
            remote(GRACE).put("eur", "1.08");
            Cache<String, String> plain = remote(null);
            ticker.advance(TTL);
            assertThat(plain.getIfPresent("eur")).isNull();
            assertThat(plain.get("eur", key -> "1.09")).isEqualTo("1.09");
            assertThat(plain.stats().missCount()).isEqualTo(2);
            assertThatThrownBy(() -> {
                        ticker.advance(TTL);
                        plain.get("eur", RemoteStaleIfErrorTest.this::failing);
                    })
                    .as("a process without staleIfError serves nothing stale")
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void anotherProcessServesTheValueThisOneWrote() {
            remote(GRACE).put("eur", "1.08");
            Cache<String, String> other = remote(GRACE);
            ticker.advance(TTL);
            assertThat(other.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            assertThat(other.stats().staleServedCount()).isEqualTo(1);
        }

        @Test
        void afterTheGraceTheFailurePropagates() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL.plus(GRACE));
            assertThatThrownBy(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("source down for eur");
            assertThat(cache.stats().staleServedCount()).isZero();
        }

        @Test
        void eachProcessServesAnExpiredValueOnlyWithinItsOwnGrace() {
            remote(GRACE).put("eur", "1.08");
            Cache<String, String> shortGrace = remote(Duration.ofMinutes(1));
            ticker.advance(TTL.plus(Duration.ofSeconds(30)));
            assertThat(shortGrace.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isEqualTo("1.08");
            ticker.advance(Duration.ofSeconds(30));
            assertThatThrownBy(() -> shortGrace.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .as("still in the tier for the writer's grace, past this process's")
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void aSuccessfulReloadReplacesTheExpiredValue() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            assertThat(cache.get("eur", key -> "1.09")).isEqualTo("1.09");
            assertThat(cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .as("fresh: no load")
                    .isEqualTo("1.09");
            ticker.advance(TTL);
            assertThat(cache.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.09");
            assertThat(loads).hasValue(1);
        }

        @Test
        void invalidateDropsTheExpiredValue() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            cache.invalidate("eur");
            assertThatThrownBy(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void aCachedNullIsNeverKeptForTheGraceNorServedStale() {
            Cache<String, String> cache =
                    builder(GRACE).cacheNulls(Duration.ofSeconds(30)).build();
            assertThat(cache.get("eur", key -> null)).isNull();
            assertThat(tier.writes())
                    .extracting(RecordingRemoteTier.Write::ttl)
                    .containsExactly(Duration.ofSeconds(30));
            ticker.advance(Duration.ofSeconds(30));
            assertThatThrownBy(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void anExpiredCachedNullWrittenWithAGraceIsAMissAndNeverServed() {
            Cache<String, String> cache =
                    builder(GRACE).cacheNulls(Duration.ofSeconds(30)).build();
            // As an older writer, or another's clock, could leave it: an expired marker still in the tier.
            byte[] marker = Envelope.nullMarker(Utf8Codec.INSTANCE.id(), 0, clock.millis(), clock.millis())
                    .toBytes();
            shared.corrupt("prices", tierKey(cache, "eur"), marker);
            assertThat(cache.getIfPresent("eur")).isNull();
            assertThatThrownBy(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void whileTheTierIsDownARemoteOnlyCacheHasNothingToServe() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            shared.setDown(true);
            assertThatThrownBy(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .as("the expired value is in the tier, out of reach: a near tier keeps copies for this")
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void everyWaiterOfAFailingSharedLoadGetsTheExpiredValue() throws Exception {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            List<String> results = sharedFailingLoad(cache, 4);
            assertThat(results).containsOnly("1.08").hasSize(4);
            assertThat(loads).as("one shared load").hasValue(1);
            assertThat(cache.stats().staleServedCount()).isEqualTo(4);
        }

        @Test
        void anExpiredValueIsLoggedOncePerKeyAndOutage() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            String first = LoggedOutput.whileRunning(() -> {
                cache.get("eur", RemoteStaleIfErrorTest.this::failing);
                cache.get("eur", RemoteStaleIfErrorTest.this::failing);
            });
            assertThat(first)
                    .containsOnlyOnce("cache 'prices': loading key")
                    .contains("failed; serving its expired value (staleIfError PT10M) until a load succeeds");
            assertThat(cache.get("eur", key -> "1.09")).isEqualTo("1.09");
            ticker.advance(TTL);
            String second = LoggedOutput.whileRunning(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing));
            assertThat(second).as("a new outage after a successful load").containsOnlyOnce("loading key");
        }

        @Test
        void theMeterCountsExpiredValuesServed() {
            Cache<String, String> cache = remote(GRACE);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CachetMetrics.bind(cache, registry);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            cache.get("eur", RemoteStaleIfErrorTest.this::failing);
            assertThat(registry.get(MetricNames.CACHE_STALE_SERVED)
                            .tag("cache", "prices")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
        }

        @Test
        void bulkReadsTreatAnExpiredValueAsAMissAndBulkWritesKeepTheGrace() {
            Cache<String, String> cache = remote(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            assertThat(cache.getAll(List.of("eur", "usd"), keys -> {
                        assertThat(List.<String>copyOf(keys)).containsExactly("eur", "usd");
                        return java.util.Map.of("eur", "1.09", "usd", "1.00");
                    }))
                    .containsExactly(java.util.Map.entry("eur", "1.09"), java.util.Map.entry("usd", "1.00"));
            assertThat(tier.writes()).extracting(RecordingRemoteTier.Write::ttl).containsOnly(TTL.plus(GRACE));
        }

        @Test
        void theAsyncViewServesTheExpiredValue() throws Exception {
            AsyncCache<String, String> async = builder(GRACE).buildAsync();
            async.synchronous().put("eur", "1.08");
            ticker.advance(TTL);
            assertThat(async.get("eur", RemoteStaleIfErrorTest.this::failing).get(10, TimeUnit.SECONDS))
                    .isEqualTo("1.08");
        }
    }

    @Nested
    class NearTier {
        @Test
        void whileTheRemoteTierIsDownTheNearCopyIsServedWhenTheLoaderFails() {
            Cache<String, String> cache = near(GRACE);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            shared.setDown(true);
            assertThat(cache.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            assertThat(cache.getIfPresent("eur")).as("never a hit").isNull();
            assertThat(cache.nearStats().orElseThrow().staleServed()).isEqualTo(1);
            assertThat(cache.remoteStats().orElseThrow().staleServed()).isZero();
            assertThat(cache.stats().staleServedCount()).isEqualTo(1);
        }

        @Test
        void theNearCopyLastsUntilTheRemoteExpiryPlusTheGraceNotTheNearExpiry() {
            Cache<String, String> writer = near(GRACE);
            writer.put("eur", "1.08");
            Cache<String, String> reader = near(GRACE);
            assertThat(reader.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            shared.setDown(true);
            ticker.advance(TTL.plus(GRACE).minusSeconds(1));
            assertThat(reader.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            ticker.advance(Duration.ofSeconds(1));
            assertThatThrownBy(() -> reader.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("source down for eur");
        }

        @Test
        void theRemoteTiersExpiredValueIsServedWhenTheNearTierHasNoneAndNotKeptNear() {
            near(GRACE).put("eur", "1.08");
            Cache<String, String> other = near(GRACE);
            ticker.advance(TTL);
            assertThat(other.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            assertThat(other.remoteStats().orElseThrow().staleServed()).isEqualTo(1);
            assertThat(other.nearStats().orElseThrow().staleServed()).isZero();
            assertThat(other.stats().staleServedCount()).isEqualTo(1);
            assertThat(other.estimatedSize())
                    .as("not kept near as a fresh copy")
                    .isZero();
            assertThat(other.get("eur", key -> "1.09")).isEqualTo("1.09");
        }

        @Test
        void anInvalidationFromAnotherProcessDropsTheNearCopy() {
            Cache<String, String> a = near(GRACE);
            Cache<String, String> b = near(GRACE);
            a.put("eur", "1.08");
            assertThat(b.get("eur", RemoteStaleIfErrorTest.this::failing)).isEqualTo("1.08");
            a.invalidate("eur");
            ticker.advance(TTL);
            shared.setDown(true);
            assertThatThrownBy(() -> b.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void withoutStaleIfErrorTheNearTierServesNothingStale() {
            Cache<String, String> cache = near(null);
            cache.put("eur", "1.08");
            ticker.advance(TTL);
            shared.setDown(true);
            assertThatThrownBy(() -> cache.get("eur", RemoteStaleIfErrorTest.this::failing))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void everyWaiterOfAFailingSharedLoadGetsTheRemoteTiersExpiredValue() throws Exception {
            near(GRACE).put("eur", "1.08");
            Cache<String, String> other = near(GRACE);
            ticker.advance(TTL);
            assertThat(sharedFailingLoad(other, 3)).containsOnly("1.08").hasSize(3);
            assertThat(loads).hasValue(1);
            assertThat(other.stats().staleServedCount()).isEqualTo(3);
        }
    }

    /** Returns what {@code callers} threads get from one load that fails once all of them wait for it. */
    private List<String> sharedFailingLoad(Cache<String, String> cache, int callers) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<String>> results = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        Function<String, String> failingOnceAllWait = key -> {
            loads.incrementAndGet();
            awaitOthersWaiting(threads, callers);
            throw new IllegalStateException("source down for " + key);
        };
        for (int i = 0; i < callers; i++) {
            CompletableFuture<String> result = new CompletableFuture<>();
            results.add(result);
            threads.add(new Thread(() -> {
                try {
                    if (!start.await(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("not started");
                    }
                    result.complete(cache.get("eur", failingOnceAllWait));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        List<String> values = new ArrayList<>();
        for (CompletableFuture<String> result : results) {
            values.add(result.get(10, TimeUnit.SECONDS));
        }
        return values;
    }

    /** Blocks the loading thread until every other caller is parked waiting for its result. */
    private static void awaitOthersWaiting(List<Thread> callers, int count) {
        Thread loader = Thread.currentThread();
        Awaitility.await("the other callers all wait for the load")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> callers.size() == count
                        && callers.stream()
                                        .filter(t -> t != loader)
                                        .filter(t -> t.getState() == Thread.State.WAITING)
                                        .count()
                                == count - 1);
    }

    /** Returns the key the tier stores {@code key} under, for a cache with a remote tier only. */
    @SuppressWarnings("unchecked")
    private static String tierKey(Cache<String, String> cache, String key) {
        return ((RemoteCache<String, String>) cache).encodeKey(key);
    }

    /** A wall clock that the fake ticker moves. */
    private static final class TickerClock extends Clock {
        private final FakeTicker ticker;
        private final Instant origin;

        TickerClock(FakeTicker ticker, Instant origin) {
            this.ticker = ticker;
            this.origin = origin;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return origin.plusNanos(ticker.read());
        }
    }
}
