package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refresh-ahead on in-memory caches without a loader of their own: a {@code get(key, loader)} that finds a value
 * written refreshAfterWrite or more ago returns it and refreshes it with that loader on the executor, which the test
 * drains, so every interleaving is chosen.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalRefreshTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final Queue<Runnable> background = new ArrayDeque<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final Function<String, String> loader = key -> key + "-v" + loads.incrementAndGet();

    private CacheBuilder<Object, Object> builder() {
        return Cachet.builder("local-refresh")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .refreshAfterWrite(Duration.ofMinutes(1))
                .ticker(clock)
                .executor(background::add);
    }

    private void drain() {
        for (Runnable task; (task = background.poll()) != null; ) {
            task.run();
        }
    }

    @Test
    void aDueValueIsReturnedAndRefreshedOnceWithTheCallersLoader() {
        Cache<String, String> cache = builder().build();
        assertThat(cache.get("k", loader)).isEqualTo("k-v1");
        clock.advance(Duration.ofSeconds(59));
        assertThat(cache.get("k", loader)).isEqualTo("k-v1");
        drain();
        assertThat(loads).as("not due yet").hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("k", loader)).as("due: the old value at once").isEqualTo("k-v1");
        assertThat(cache.get("k", loader)).isEqualTo("k-v1");
        assertThat(loads).as("the refresh waits on the executor").hasValue(1);
        drain();

        assertThat(loads).as("one refresh for both reads").hasValue(2);
        assertThat(cache.get("k", loader)).isEqualTo("k-v2");
        assertThat(cache.stats().loadSuccessCount()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(4));
        assertThat(cache.getIfPresent("k"))
                .as("the refreshed value lives its own expireAfterWrite")
                .isEqualTo("k-v2");
    }

    @Test
    void getIfPresentNeverRefreshes() {
        Cache<String, String> cache = builder().build();
        cache.get("k", loader);
        clock.advance(Duration.ofMinutes(2));

        assertThat(cache.getIfPresent("k")).isEqualTo("k-v1");

        drain(); // Caffeine's maintenance runs on the executor too
        assertThat(loads).hasValue(1);
    }

    @Test
    void aFailedRefreshKeepsTheOldValueUntilItExpires() {
        Cache<String, String> cache = builder().build();
        cache.get("k", loader);
        clock.advance(Duration.ofMinutes(1));
        Function<String, String> failing = key -> {
            throw new IllegalStateException("source down");
        };

        assertThat(cache.get("k", failing)).isEqualTo("k-v1");
        drain();

        assertThat(cache.get("k", failing)).isEqualTo("k-v1");
        drain();
        assertThat(cache.stats().loadFailureCount()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(4));
        assertThatThrownBy(() -> cache.get("k", failing)).hasMessage("source down");
    }

    @Test
    void aPutOrInvalidationDuringTheRefreshWins() {
        Cache<String, String> cache = builder().build();
        cache.put("a", "old");
        cache.put("b", "old");
        clock.advance(Duration.ofMinutes(1));

        cache.get("a", key -> {
            cache.put(key, "written");
            return "refreshed";
        });
        cache.get("b", key -> {
            cache.invalidate(key);
            return "refreshed";
        });
        drain();

        assertThat(cache.getIfPresent("a")).isEqualTo("written");
        assertThat(cache.getIfPresent("b")).isNull();
    }

    @Test
    void aRefreshReplacesTheValueAsCaffeinesOwnRefreshWould() {
        List<RemovalCause> causes = new ArrayList<>();
        Cache<String, String> cache = builder()
                .removalListener((String key, String value, RemovalCause cause) -> causes.add(cause))
                .build();
        cache.get("k", loader);
        clock.advance(Duration.ofMinutes(1));
        cache.get("k", loader);

        drain();

        assertThat(cache.getIfPresent("k")).isEqualTo("k-v2");
        assertThat(causes).containsExactly(RemovalCause.REPLACED);
    }

    @Test
    void aCachedNullIsNotRefreshedButAValueRefreshedToNullIsCachedAsOne() {
        Cache<String, String> cache =
                builder().cacheNulls(Duration.ofMinutes(2)).build();
        cache.get("k", loader);
        clock.advance(Duration.ofMinutes(1));

        cache.get("k", key -> null);
        drain();

        assertThat(cache.get("k", loader)).as("the source said absent").isNull();
        clock.advance(Duration.ofMinutes(1));
        assertThat(cache.get("k", loader)).isNull();
        drain();
        assertThat(loads).as("a cached null is never refreshed").hasValue(1);
    }

    @Test
    void refreshWithoutALoaderNeedsAWriteTimeAndMustComeBeforeExpiry() {
        assertThatThrownBy(() -> Cachet.builder("c")
                        .registry(invariants.registry())
                        .refreshAfterWrite(Duration.ofMinutes(1))
                        .expireAfter(Expiry.writing((String key, String value) -> Duration.ofMinutes(5)))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refreshAfterWrite (PT1M) on an in-memory cache without a loader of its own needs"
                        + " expireAfterWrite, not expireAfter(Expiry): use build(loader), or set expireAfterWrite"
                        + " (cache 'c')");
        assertThatThrownBy(() -> Cachet.builder("c")
                        .registry(invariants.registry())
                        .refreshAfterWrite(Duration.ofMinutes(5))
                        .expireAfterWrite(Duration.ofMinutes(5))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refreshAfterWrite (PT5M) must be shorter than expireAfterWrite (PT5M): a value would"
                        + " expire before its refresh (cache 'c')");
        assertThatThrownBy(() -> Cachet.builder("c")
                        .registry(invariants.registry())
                        .refreshAfterWrite(Duration.ofMinutes(6))
                        .expireAfterWrite(Duration.ofMinutes(5))
                        .build(key -> "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refreshAfterWrite (PT6M) must be shorter than expireAfterWrite (PT5M)");
    }
}
