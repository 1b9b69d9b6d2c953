package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.testing.CacheInvariants;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HitRatioWarningTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final List<LowHitRatio> events = new CopyOnWriteArrayList<>();

    private Cache<Integer, String> cache(String name, long bound, double threshold, int window) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .maximumSize(bound)
                .executor(Runnable::run)
                .hitRatioWarning(threshold, window)
                .onLowHitRatio(events::add)
                .build();
    }

    @Test
    void aCacheTooSmallForItsKeysRaisesOneEventPerWindow() {
        Cache<Integer, String> cache = cache("too-small", 10, 0.80, 1_000);
        for (int i = 0; i < 5_000; i++) {
            cache.get(i % 1_000, k -> "v" + k); // cycles 1,000 keys through 10 entries: almost every request misses
        }
        assertThat(events).hasSize(5);
        LowHitRatio event = events.get(0);
        assertThat(event.cacheName()).isEqualTo("too-small");
        assertThat(event.requests()).isEqualTo(1_000);
        assertThat(event.hitRatio()).isLessThan(0.05);
        assertThat(event.threshold()).isEqualTo(0.80);
        assertThat(event.bound()).isEqualTo(OptionalLong.of(10));
        assertThat(event.size()).isBetween(1L, 11L);
        assertThat(event.describe())
                .contains("cache 'too-small'", "below 80.0%", "bound 10", "over the last 1000 requests");
    }

    @Test
    void aWellSizedCacheRaisesNothing() {
        Cache<Integer, String> cache = cache("fine", 2_000, 0.80, 1_000);
        for (int i = 0; i < 10_000; i++) {
            cache.get(i % 100, k -> "v" + k);
        }
        assertThat(cache.stats().hitRatio()).isGreaterThan(0.95);
        assertThat(events).isEmpty();
    }

    @Test
    void onlyWindowsBelowTheThresholdCount() {
        Cache<Integer, String> cache = cache("mixed", 1_000, 0.50, 100);
        for (int i = 0; i < 100; i++) {
            cache.get(i, k -> "v"); // window 1: all misses
        }
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 100; i++) {
                cache.get(i, k -> "v"); // windows 2..: all hits
            }
        }
        cache.get(-1, k -> "v"); // the miss that closes the window
        assertThat(events).hasSize(1);
        assertThat(events.get(0).hitRatio()).isEqualTo(0.0);
    }

    @Test
    void thresholdZeroTurnsTheCheckOff() {
        Cache<Integer, String> cache = cache("off", 1, 0.0, 10);
        for (int i = 0; i < 1_000; i++) {
            cache.get(i, k -> "v");
        }
        assertThat(events).isEmpty();
    }

    @Test
    void aFailingHandlerNeverBreaksTheCache() {
        Cache<Integer, String> cache = Cachet.builder("bad-handler")
                .registry(invariants.registry())
                .maximumSize(1)
                .hitRatioWarning(0.9, 10)
                .onLowHitRatio(event -> {
                    throw new IllegalStateException("handler bug");
                })
                .build();
        for (int i = 0; i < 100; i++) {
            assertThat(cache.get(i, k -> "v" + k)).isEqualTo("v" + i);
        }
    }
}
