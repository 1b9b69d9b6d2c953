package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @Cached(staleIfError = ...)}: an expired result returned when the target throws on its reload. */
class CachedStaleProxyTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();

    interface Rates {
        @Cached(name = "rates", expireAfterWrite = "1m", staleIfError = "10m")
        String rate(String currency);
    }

    /** Answers until told the source is down, then throws. */
    static final class FlakyRates implements Rates {
        final AtomicBoolean down = new AtomicBoolean();

        @Override
        public String rate(String currency) {
            if (down.get()) {
                throw new IllegalStateException("rates source down");
            }
            return currency + "=1.08";
        }
    }

    @Test
    void buildsTheCacheWithTheGrace() {
        Cachet.proxy(Rates.class, new FlakyRates(), invariants.registry());
        Cache<?, ?> rates = invariants.registry().find("rates").orElseThrow();
        assertThat(rates.config().staleIfError()).contains(Duration.ofMinutes(10));
    }

    @Test
    void aFailingTargetAfterExpiryReturnsTheStaleResult() {
        // Registered first, with a fake clock; the annotation's settings agree with it.
        Cache<Object, Object> cache = Cachet.builder("rates")
                .registry(invariants.registry())
                .ticker(clock)
                .expireAfterWrite(Duration.ofMinutes(1))
                .staleIfError(Duration.ofMinutes(10))
                .build();
        FlakyRates target = new FlakyRates();
        Rates rates = Cachet.proxy(Rates.class, target, invariants.registry());

        assertThat(rates.rate("EUR")).isEqualTo("EUR=1.08");
        target.down.set(true);
        clock.advance(Duration.ofMinutes(1));
        assertThat(rates.rate("EUR")).isEqualTo("EUR=1.08");
        assertThat(cache.stats().staleServedCount()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThatThrownBy(() -> rates.rate("EUR"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rates source down");
    }

    @Test
    void aRegisteredCacheWithAnotherGraceIsAConflict() {
        Cachet.builder("rates")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(1))
                .staleIfError(Duration.ofMinutes(5))
                .build();
        assertThatThrownBy(() -> Cachet.proxy(Rates.class, new FlakyRates(), invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "staleIfError = PT10M in the annotation, but the registered cache has" + " staleIfError PT5M");
    }

    /** Registers "rates" over the shared in-memory tier in a registry of its own: one process. */
    private CacheRegistry process(InMemoryRemoteTier tier, boolean near) {
        CacheRegistry registry = CacheRegistry.create();
        CacheBuilder<Object, String> builder = Cachet.builder("rates")
                .registry(registry)
                .ticker(clock)
                .executor(Runnable::run)
                .expireAfterWrite(Duration.ofMinutes(1))
                .staleIfError(Duration.ofMinutes(10))
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(new TickerClock(clock)).build());
        if (near) {
            builder.nearCache(100, Duration.ofSeconds(10));
        }
        builder.build();
        return registry;
    }

    @Test
    void overARegisteredRemoteCacheAFailingTargetAfterExpiryReturnsTheExpiredResultInEveryProcess() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        CacheRegistry first = process(tier, false);
        CacheRegistry second = process(tier, false);
        FlakyRates target = new FlakyRates();
        Rates inFirst = Cachet.proxy(Rates.class, target, first);
        Rates inSecond = Cachet.proxy(Rates.class, target, second);
        assertThat(inFirst.rate("EUR")).isEqualTo("EUR=1.08");
        target.down.set(true);
        clock.advance(Duration.ofMinutes(1));
        assertThat(inSecond.rate("EUR")).isEqualTo("EUR=1.08");
        assertThat(second.find("rates").orElseThrow().stats().staleServedCount())
                .isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThatThrownBy(() -> inSecond.rate("EUR"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rates source down");
    }

    @Test
    void overARegisteredNearCacheTheNearCopyIsReturnedWhileTheTierIsDownAndTheTargetFails() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
        CacheRegistry registry = process(tier, true);
        FlakyRates target = new FlakyRates();
        Rates rates = Cachet.proxy(Rates.class, target, registry);
        assertThat(rates.rate("EUR")).isEqualTo("EUR=1.08");
        target.down.set(true);
        tier.setDown(true);
        clock.advance(Duration.ofMinutes(1));
        assertThat(rates.rate("EUR")).isEqualTo("EUR=1.08");
        Cache<?, ?> cache = registry.find("rates").orElseThrow();
        assertThat(cache.nearStats().orElseThrow().staleServed()).isEqualTo(1);
        assertThat(cache.stats().staleServedCount()).isEqualTo(1);
    }

    interface NegativeGrace {
        @Cached(name = "negative", expireAfterWrite = "1m", staleIfError = "-1m")
        String value(String key);
    }

    interface NoExpiry {
        @Cached(name = "noExpiry", staleIfError = "10m")
        String value(String key);
    }

    interface ZeroGrace {
        @Cached(name = "zero", expireAfterWrite = "1m", staleIfError = "0s")
        String value(String key);
    }

    @Test
    void badSettingsFailAtProxyCreationNamingTheMethod() {
        assertThatThrownBy(() -> Cachet.proxy(NoExpiry.class, key -> key, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NoExpiry.value(String): @Cached(staleIfError = \"10m\") needs expireAfterWrite or"
                        + " expiry: a value must expire before it can be stale");
        assertThatThrownBy(() -> Cachet.proxy(ZeroGrace.class, key -> key, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ZeroGrace.value(String): @Cached(staleIfError = \"0s\") must be positive");
        assertThatThrownBy(() -> Cachet.proxy(NegativeGrace.class, key -> key, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("NegativeGrace.value(String): @Cached(staleIfError = \"-1m\")");
    }

    /** A wall clock for the envelopes' stamps that the fake ticker moves. */
    private static final class TickerClock extends Clock {
        private static final Instant ORIGIN = Instant.parse("2026-12-01T12:00:00Z");
        private final FakeTicker ticker;

        TickerClock(FakeTicker ticker) {
            this.ticker = ticker;
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
            return ORIGIN.plusNanos(ticker.read());
        }
    }
}
