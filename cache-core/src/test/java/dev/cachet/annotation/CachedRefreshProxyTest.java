package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code @Cached(refreshAfterWrite = ...)}: the annotated method refreshes a due value in the background, on every
 * kind of cache. Caches are registered first with a fake ticker and a same-thread executor; the annotation agrees.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CachedRefreshProxyTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();

    interface Quotes {
        @Cached(name = "quotes", expireAfterWrite = "5m", refreshAfterWrite = "1m")
        String quote(String symbol);
    }

    /** A quote per call: the n-th call returns {@code symbol@n}. */
    static final class CountingQuotes implements Quotes {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String quote(String symbol) {
            return symbol + "@" + calls.incrementAndGet();
        }
    }

    @Test
    void theAnnotationBuildsAnInMemoryCacheThatRefreshes() {
        Cachet.proxy(Quotes.class, new CountingQuotes(), invariants.registry());

        Cache<?, ?> quotes = invariants.registry().find("quotes").orElseThrow();

        assertThat(quotes.config().refreshAfterWrite()).contains(Duration.ofMinutes(1));
    }

    @Test
    void inMemoryTheMethodRefreshesADueValue() {
        Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .executor(Runnable::run)
                .build();
        assertRefreshes(invariants.registry());
    }

    @Test
    void onARemoteTierTheMethodRefreshesADueValue() {
        CacheRegistry registry = CacheRegistry.create();
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cachet.builder("quotes")
                .registry(registry)
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(clock.clock()).build())
                .build();
        assertRefreshes(registry);
        assertThat(registry.find("quotes")
                        .orElseThrow()
                        .remoteStats()
                        .orElseThrow()
                        .refreshes())
                .isEqualTo(1);
    }

    @Test
    void onANearCacheTheMethodRefreshesADueValue() {
        CacheRegistry registry = CacheRegistry.create();
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        Cachet.builder("quotes")
                .registry(registry)
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(clock.clock()).build())
                .nearCache(100, Duration.ofMinutes(2))
                .build();
        assertRefreshes(registry);
    }

    private void assertRefreshes(CacheRegistry registry) {
        CountingQuotes target = new CountingQuotes();
        Quotes quotes = Cachet.proxy(Quotes.class, target, registry);
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL@1");
        clock.advance(Duration.ofSeconds(59));
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL@1");
        assertThat(target.calls).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(quotes.quote("AAPL"))
                .as("due: the old value, and the refresh")
                .isEqualTo("AAPL@1");

        assertThat(target.calls).hasValue(2);
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL@2");
    }

    interface TooLate {
        @Cached(name = "late", expireAfterWrite = "1m", refreshAfterWrite = "1m")
        String value(String key);
    }

    interface NotPositive {
        @Cached(name = "zero", expireAfterWrite = "1m", refreshAfterWrite = "0s")
        String value(String key);
    }

    interface NoWriteTime {
        @Cached(name = "no-write-time", refreshAfterWrite = "1m")
        String value(String key);
    }

    @Test
    void badSettingsFailWhenTheProxyIsCreated() {
        assertThatThrownBy(() -> Cachet.proxy(TooLate.class, key -> key, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "@Cached(refreshAfterWrite = \"1m\") must be shorter than expireAfterWrite" + " = \"1m\"");
        assertThatThrownBy(() -> Cachet.proxy(NotPositive.class, key -> key, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refreshAfterWrite");
        assertThatThrownBy(() -> Cachet.proxy(NoWriteTime.class, key -> key, invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refreshAfterWrite (PT1M) on an in-memory cache without a loader of its own"
                        + " needs expireAfterWrite");
    }

    @Test
    void aRegisteredCacheWithAnotherRefreshIsRejected() {
        Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(2))
                .build();

        assertThatThrownBy(() -> Cachet.proxy(Quotes.class, new CountingQuotes(), invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refreshAfterWrite = PT1M in the annotation, but the registered cache has"
                        + " refreshAfterWrite PT2M");
    }
}
