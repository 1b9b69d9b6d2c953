package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.cachet.metrics.CachetMetrics;
import dev.cachet.metrics.MetricNames;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code acknowledgedInvalidation}: the builder checks it where it is set and at build; a near cache's writes publish
 * through {@link InvalidationChannel#publishAcknowledged} (background messages do not), count each outcome, and never
 * throw for a message that could not be sent.
 */
@Timeout(10)
class AcknowledgedInvalidationTest {
    private static final Duration WAIT = Duration.ofMillis(250);

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier memory = new InMemoryRemoteTier(clock);
    private final ScriptedTier tier = new ScriptedTier(memory);

    @Test
    void theOptionIsCheckedWhereItIsSet() {
        assertThatNullPointerException()
                .isThrownBy(() -> Cachet.builder("c").acknowledgedInvalidation(null))
                .withMessageContaining("acknowledgedInvalidation");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Cachet.builder("c").acknowledgedInvalidation(Duration.ZERO))
                .withMessageContaining("acknowledgedInvalidation")
                .withMessageContaining("PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Cachet.builder("c").acknowledgedInvalidation(Duration.ofMillis(-1)))
                .withMessageContaining("PT-0.001S");
        assertThatIllegalStateException()
                .isThrownBy(
                        () -> Cachet.builder("c").acknowledgedInvalidation(WAIT).acknowledgedInvalidation(WAIT))
                .withMessageContaining("acknowledgedInvalidation");
    }

    @Test
    void theOptionNeedsANearTier() {
        assertThatIllegalStateException()
                .isThrownBy(() -> Cachet.builder("remote-only")
                        .registry(CacheRegistry.create())
                        .expireAfterWrite(Duration.ofMinutes(5))
                        .remote(memory, Utf8Codec.INSTANCE)
                        .acknowledgedInvalidation(WAIT)
                        .build())
                .withMessageContaining("acknowledgedInvalidation (PT0.25S) needs a near tier")
                .withMessageContaining("remote-only");
        assertThatIllegalStateException()
                .isThrownBy(() -> Cachet.builder("in-memory")
                        .registry(CacheRegistry.create())
                        .maximumSize(10)
                        .acknowledgedInvalidation(WAIT)
                        .build())
                .withMessageContaining("needs a near tier");
    }

    @Test
    void everyCallersWriteWaitsForAcknowledgementsAndCountsTheOutcome() {
        Cache<String, String> cache = nearCache(true);

        cache.put("a", "1");
        cache.put("b", "2", Duration.ofMinutes(1));
        cache.putAll(Map.of("c", "3", "d", "4"));
        cache.invalidate("a");
        cache.invalidateAll(List.of("b", "c"));
        cache.invalidateAll();

        assertThat(tier.channel.acknowledgedCalls)
                .containsExactly("k:s:a", "k:s:b", "k:s:c,s:d", "k:s:a", "k:s:b,s:c", "all");
        assertThat(tier.channel.plainCalls)
                .as("no message, and no write announced ahead: the receivers' answers are waited for instead")
                .isEmpty();
        NearStats stats = cache.nearStats().orElseThrow();
        assertThat(stats.acknowledged()).isEqualTo(6);
        assertThat(stats.unacknowledged()).isZero();
    }

    @Test
    void withoutTheOptionNothingWaitsAndEachWriteIsAnnouncedAhead() {
        Cache<String, String> cache = nearCache(false);

        cache.put("a", "1");
        cache.invalidate("a");
        cache.putAll(Map.of("c", "3", "d", "4"));
        cache.invalidateAll(List.of("b", "c"));
        cache.invalidateAll();

        assertThat(tier.channel.acknowledgedCalls).isEmpty();
        assertThat(tier.channel.plainCalls)
                .containsExactly(
                        "ahead:s:a",
                        "k:s:a",
                        "ahead:s:a",
                        "k:s:a",
                        "ahead:s:c,s:d",
                        "k:s:c,s:d",
                        "ahead:s:b,s:c",
                        "k:s:b,s:c",
                        "all");
        assertThat(cache.nearStats().orElseThrow().acknowledged()).isZero();
        assertThat(cache.nearStats().orElseThrow().unacknowledged()).isZero();
    }

    @Test
    void aWaitThatRunsOutOrAMessageThatCannotBeSentCountsAsUnacknowledgedAndNeverThrows() {
        Cache<String, String> cache = nearCache(true);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CachetMetrics.bind(cache, meters);

        tier.channel.answer = false;
        cache.put("a", "1");
        tier.channel.failing = true;
        cache.put("a", "2");
        cache.invalidateAll();
        tier.channel.failing = false;
        tier.channel.answer = true;
        cache.invalidate("a");

        NearStats stats = cache.nearStats().orElseThrow();
        assertThat(stats.unacknowledged()).isEqualTo(3);
        assertThat(stats.acknowledged()).isEqualTo(1);
        assertThat(meters.get(MetricNames.CACHE_NEAR_ACKNOWLEDGEMENTS)
                        .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_UNACKNOWLEDGED)
                        .functionCounter()
                        .count())
                .isEqualTo(3.0);
        assertThat(meters.get(MetricNames.CACHE_NEAR_ACKNOWLEDGEMENTS)
                        .tag(MetricNames.TAG_RESULT, MetricNames.RESULT_ACKNOWLEDGED)
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(cache.getIfPresent("a"))
                .as("the write went through all the same")
                .isNull();
    }

    @Test
    void theInMemoryTierDeliversOnTheCallersThreadSoEveryWriteIsAcknowledged() {
        Cache<String, String> a = Cachet.builder("shared")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(memory, Utf8Codec.INSTANCE)
                .nearCache(100, Duration.ofMinutes(1))
                .acknowledgedInvalidation(WAIT)
                .build();
        Cache<String, String> b = Cachet.builder("shared")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(memory, Utf8Codec.INSTANCE)
                .nearCache(100, Duration.ofMinutes(1))
                .build();
        a.put("k", "1");
        assertThat(b.getIfPresent("k")).isEqualTo("1");
        a.put("k", "2");
        assertThat(b.getIfPresent("k")).isEqualTo("2");
        assertThat(a.nearStats().orElseThrow().acknowledged()).isEqualTo(2);
    }

    private Cache<String, String> nearCache(boolean acknowledged) {
        var builder = NearProcess.builder(tier, clock, Duration.ofMinutes(1));
        if (acknowledged) {
            builder.acknowledgedInvalidation(WAIT);
        }
        return builder.build();
    }

    /** The in-memory tier, with a channel that records what is published and answers as the test says. */
    private static final class ScriptedTier extends ForwardingRemoteTier {
        final ScriptedChannel channel = new ScriptedChannel();

        ScriptedTier(InMemoryRemoteTier memory) {
            super(memory, "scripted");
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            return channel;
        }
    }

    private static final class ScriptedChannel implements InvalidationChannel {
        final List<String> acknowledgedCalls = new ArrayList<>();
        final List<String> plainCalls = new ArrayList<>();
        volatile boolean answer = true;
        volatile boolean failing;

        @Override
        public void subscribe(InvalidationListener listener) {}

        @Override
        public void publish(String key) {
            plainCalls.add("k:" + key);
        }

        @Override
        public void publishEach(Collection<String> keys) {
            plainCalls.add("k:" + sorted(keys));
        }

        @Override
        public void publishAhead(Collection<String> keys) {
            plainCalls.add("ahead:" + sorted(keys));
        }

        @Override
        public void publishAll() {
            plainCalls.add("all");
        }

        @Override
        public boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
            assertThat(maxWait).isEqualTo(WAIT);
            fail();
            acknowledgedCalls.add("k:" + sorted(keys));
            return answer;
        }

        private static String sorted(Collection<String> keys) {
            return String.join(",", Set.copyOf(keys).stream().sorted().toList());
        }

        @Override
        public boolean publishAllAcknowledged(Duration maxWait) {
            assertThat(maxWait).isEqualTo(WAIT);
            fail();
            acknowledgedCalls.add("all");
            return answer;
        }

        private void fail() {
            if (failing) {
                throw new CacheUnavailableException("scripted: the message could not be sent", null);
            }
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void close() {}
    }
}
