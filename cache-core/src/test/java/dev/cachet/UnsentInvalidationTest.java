package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.metrics.CachetMetrics;
import dev.cachet.metrics.MetricNames;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.ForwardingInvalidationChannel;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A near cache whose invalidation messages cannot be sent while its writes go through (a tier that refuses {@code
 * PUBLISH}, say): the caller's write stands and nothing is thrown, each message that was not sent is counted, and the
 * first of each run of failures is logged as a warning, since the other processes keep the copies it would have
 * dropped. What the lost messages were about is sent again after the next message that goes through.
 */
@Timeout(10)
class UnsentInvalidationTest {
    private static final Duration NEAR_TTL = Duration.ofMinutes(1);

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier memory = new InMemoryRemoteTier(clock);
    private final RefusingTier refusing = new RefusingTier(memory);
    private final Function<String, String> noLoad = key -> {
        throw new AssertionError("no load expected for " + key);
    };

    @Test
    void aMessageThatCannotBeSentIsCountedAndTheFirstOfEachRunIsAWarning() {
        Cache<String, String> writer = nearCache(refusing);
        Cache<String, String> reader = nearCache(memory);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CachetMetrics.bind(writer, meters);
        writer.put("k", "v1");
        assertThat(reader.get("k", noLoad)).isEqualTo("v1");

        refusing.channel.refuse = true;
        String firstRun = LoggedOutput.whileRunning(() -> {
            writer.put("k", "v2");
            writer.put("k", "v3");
        });
        assertThat(writer.get("k", noLoad)).as("the writes stand").isEqualTo("v3");
        assertThat(notSent(writer)).as("two messages per put: ahead and after").isEqualTo(4);
        assertThat(firstRun)
                .containsOnlyOnce("invalidation message not sent")
                .contains("WARN", "cache 'quotes'", "until their near TTL (" + NEAR_TTL + ")", "scripted refusal");
        assertThat(reader.get("k", noLoad))
                .as("what the warning is about: the other process still serves its copy")
                .isEqualTo("v1");

        refusing.channel.refuse = false;
        String sentAgain = LoggedOutput.whileRunning(() -> writer.put("k", "v4"));
        assertThat(sentAgain).doesNotContain("invalidation message not sent");
        assertThat(reader.get("k", noLoad)).isEqualTo("v4");
        assertThat(notSent(writer)).isEqualTo(4);

        refusing.channel.refuse = true;
        String secondRun = LoggedOutput.whileRunning(() -> writer.invalidate("k"));
        assertThat(secondRun).as("a new run of failures").containsOnlyOnce("invalidation message not sent");
        assertThat(notSent(writer)).isEqualTo(6);
        assertThat(meters.get(MetricNames.CACHE_NEAR_INVALIDATIONS_UNSENT)
                        .functionCounter()
                        .count())
                .isEqualTo(6);
        assertThat(reader.nearStats().orElseThrow().invalidationsNotSent()).isZero();
    }

    @Test
    void whatTheLostMessagesWereAboutIsSentAgainWithTheNextMessageThatGoesThrough() {
        Cache<String, String> writer = nearCache(refusing);
        Cache<String, String> reader = nearCache(memory);
        writer.put("k", "v1");
        writer.put("other", "o1");
        assertThat(reader.get("k", noLoad)).isEqualTo("v1");
        assertThat(reader.get("other", noLoad)).isEqualTo("o1");

        refusing.channel.refuse = true;
        writer.put("k", "v2");
        assertThat(reader.get("k", noLoad)).as("not told yet").isEqualTo("v1");
        refusing.channel.refuse = false;
        String logged = LoggedOutput.whileRunning(() -> writer.put("x", "x1"));

        assertThat(logged).contains("invalidation messages are sent again", "(1 key(s))");
        long nearHits = reader.nearStats().orElseThrow().hits();
        assertThat(reader.get("k", noLoad)).as("told with the next message").isEqualTo("v2");
        assertThat(reader.get("other", noLoad)).isEqualTo("o1");
        NearStats stats = reader.nearStats().orElseThrow();
        assertThat(stats.hits()).as("the other key stayed near").isEqualTo(nearHits + 1);
        assertThat(stats.clears()).as("no key but the lost one dropped").isZero();
    }

    @Test
    void pastTheBoundWhatIsOwedIsOneMessageThatDropsEveryKey() {
        Cache<String, String> writer = nearCache(refusing);
        Cache<String, String> reader = nearCache(memory);
        writer.put("other", "o1");
        assertThat(reader.get("other", noLoad)).isEqualTo("o1");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= UnsentMessages.MAX_KEYS; i++) {
            many.put("k" + i, "v" + i);
        }

        refusing.channel.refuse = true;
        writer.putAll(many);
        refusing.channel.refuse = false;
        String logged = LoggedOutput.whileRunning(() -> writer.put("x", "x1"));

        assertThat(logged).contains("(every key)");
        assertThat(reader.nearStats().orElseThrow().clears()).isEqualTo(1);
        assertThat(reader.get("other", noLoad)).isEqualTo("o1");
        assertThat(reader.nearStats().orElseThrow().hits())
                .as("dropped with every key, so read from the tier again")
                .isZero();
    }

    @Test
    void nothingIsOwedOnceThisProcesssOwnSubscriptionWasLostSinceTheOthersClearedThenToo() {
        Cache<String, String> writer = nearCache(refusing);
        refusing.channel.refuse = true;
        writer.put("k", "v1");
        refusing.channel.listener.onMessagesLost();
        refusing.channel.refuse = false;
        refusing.channel.sent.clear();

        writer.put("x", "x1");

        assertThat(refusing.channel.sent).containsExactly("ahead s:x", "s:x");
    }

    @Test
    void anAcknowledgedWriteWhoseMessageCannotBeSentIsCountedToo() {
        Cache<String, String> writer = nearCacheBuilder(refusing)
                .acknowledgedInvalidation(Duration.ofMillis(50))
                .build();
        refusing.channel.refuse = true;

        String logged = LoggedOutput.whileRunning(() -> writer.put("k", "v1"));

        assertThat(logged).containsOnlyOnce("invalidation message not sent");
        NearStats stats = writer.nearStats().orElseThrow();
        assertThat(stats.invalidationsNotSent()).isEqualTo(1);
        assertThat(stats.unacknowledged()).isEqualTo(1);
    }

    private static long notSent(Cache<?, ?> cache) {
        return cache.nearStats().orElseThrow().invalidationsNotSent();
    }

    private Cache<String, String> nearCache(RemoteTier tier) {
        return nearCacheBuilder(tier).build();
    }

    private CacheBuilder<Object, String> nearCacheBuilder(RemoteTier tier) {
        return NearProcess.builder(tier, clock, NEAR_TTL);
    }

    /** The in-memory tier, one process's view of it, whose channel refuses to publish while told to. */
    private static final class RefusingTier extends ForwardingRemoteTier {
        RefusingChannel channel;

        RefusingTier(InMemoryRemoteTier memory) {
            super(memory, "refusing");
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            channel = new RefusingChannel(super.invalidations(cacheName));
            return channel;
        }
    }

    /** Refuses to publish while {@link #refuse} is set; records what it sent, and the listener it was given. */
    private static final class RefusingChannel extends ForwardingInvalidationChannel {
        volatile boolean refuse;
        final List<String> sent = new CopyOnWriteArrayList<>();
        volatile InvalidationListener listener;

        RefusingChannel(InvalidationChannel delegate) {
            super(delegate);
        }

        @Override
        public void subscribe(InvalidationListener listener) {
            this.listener = listener;
            super.subscribe(listener);
        }

        private void check() {
            if (refuse) {
                throw new CacheUnavailableException("scripted refusal: NOPERM no permission to run 'publish'", null);
            }
        }

        @Override
        public void publish(String key) {
            check();
            super.publish(key);
            sent.add(key);
        }

        @Override
        public void publishEach(Collection<String> keys) {
            check();
            super.publishEach(keys);
            sent.add(String.join(",", keys));
        }

        @Override
        public void publishAhead(Collection<String> keys) {
            check();
            super.publishAhead(keys);
            sent.add("ahead " + String.join(",", keys));
        }

        @Override
        public void publishAll() {
            check();
            super.publishAll();
            sent.add("all");
        }

        @Override
        public boolean publishAcknowledged(Collection<String> keys, Duration maxWait) {
            check();
            return super.publishAcknowledged(keys, maxWait);
        }

        @Override
        public boolean publishAllAcknowledged(Duration maxWait) {
            check();
            return super.publishAllAcknowledged(maxWait);
        }
    }
}
