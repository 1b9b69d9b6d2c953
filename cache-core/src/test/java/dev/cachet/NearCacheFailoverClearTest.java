package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A failover (issue 12): the server the invalidation channel listened on died with the primary, so the tier answers
 * again (on the promoted replica) before the channel has subscribed again. The near tier is then cleared once, when the
 * channel is back, not a second time when the tier is.
 */
class NearCacheFailoverClearTest {
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier memory = new InMemoryRemoteTier(clock);
    private final ReconnectingTier tier = new ReconnectingTier(memory);

    @Test
    void aTierBackBeforeItsChannelClearsTheNearTierOnceWhenTheChannelIsBack() {
        Cache<String, String> cache = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(100, Duration.ofMinutes(1))
                .build();
        cache.put("k", "v");
        memory.setDown(true);
        tier.channel.connected = false; // the primary died with the subscription
        for (int i = 0; i < RemoteConfig.ofDefaults().breakerFailureThreshold(); i++) {
            assertThat(cache.get("down" + i, key -> "fallback")).isEqualTo("fallback");
        }

        memory.setDown(false); // the promoted replica answers; the channel is still subscribing
        clock.advance(RemoteConfig.ofDefaults().breakerOpenDuration());
        assertThat(cache.get("probe", key -> "loaded")).isEqualTo("loaded"); // the probe closes the breaker
        assertThat(cache.nearStats().orElseThrow().clears())
                .as("no clear while the channel is away: it clears when it is back")
                .isZero();

        tier.channel.reconnect();

        assertThat(cache.nearStats().orElseThrow().clears())
                .as("cleared once for the failover")
                .isEqualTo(1);
    }

    /** The in-memory tier, whose channel a test disconnects and reconnects on its own. */
    private static final class ReconnectingTier extends ForwardingRemoteTier {
        private final Channel channel;

        ReconnectingTier(InMemoryRemoteTier memory) {
            super(memory, "reconnecting");
            this.channel = new Channel(memory.invalidations("quotes"));
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            return channel;
        }
    }

    private static final class Channel implements InvalidationChannel {
        private final InvalidationChannel delegate;
        private volatile boolean connected = true;
        private volatile @Nullable InvalidationListener listener;

        Channel(InvalidationChannel delegate) {
            this.delegate = delegate;
        }

        void reconnect() {
            connected = true;
            InvalidationListener current = listener;
            if (current != null) {
                current.onMessagesLost();
            }
        }

        @Override
        public void subscribe(InvalidationListener listener) {
            this.listener = listener;
            delegate.subscribe(listener);
        }

        @Override
        public void publish(String key) {
            delegate.publish(key);
        }

        @Override
        public void publishAll() {
            delegate.publishAll();
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
