package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.internal.remote.Envelope;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Per-entry expiry on the remote and near tiers: the TTL each write sends, the envelope's stamp, and near copies that
 * never outlive the remote value. Each cache with its own registry stands for one process.
 */
class ExpiryTiersTest {
    private static final Utf8Codec STRINGS = Utf8Codec.INSTANCE;
    /** A value "v:<seconds>" lives that many seconds. */
    private static final Expiry<String, String> OWN_TTL =
            Expiry.writing((String key, String value) -> Duration.ofSeconds(Long.parseLong(value.split(":")[1])));

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryRemoteTier shared = new InMemoryRemoteTier(ticker);
    private final RecordingRemoteTier tier = new RecordingRemoteTier(shared);
    /** The wall clock of the envelope stamps, moved by the same fake ticker as the tier's TTLs. */
    private final Clock clock = new TickerClock(ticker, Instant.parse("2024-05-01T12:00:00Z"));

    private CacheBuilder<Object, Object> builder() {
        return Cachet.builder("tokens")
                .registry(CacheRegistry.create())
                .ticker(ticker)
                .executor(Runnable::run);
    }

    private RemoteConfig remoteConfig() {
        return RemoteConfig.custom().clock(clock).build();
    }

    private Cache<String, String> remoteWithExpiry() {
        return builder()
                .expireAfter(OWN_TTL)
                .remote(tier, STRINGS, remoteConfig())
                .build();
    }

    private Cache<String, String> nearWithExpiry() {
        return builder()
                .expireAfter(OWN_TTL)
                .remote(tier, STRINGS, remoteConfig())
                .nearCache(100, Duration.ofSeconds(60))
                .build();
    }

    private Cache<String, String> nearWithFixedTtl() {
        return builder()
                .expireAfterWrite(Duration.ofMinutes(10))
                .remote(tier, STRINGS, remoteConfig())
                .nearCache(100, Duration.ofSeconds(60))
                .build();
    }

    /** Checks the last write: its TTL, and an envelope stamped to expire exactly then. */
    private void assertLastWrite(String key, Duration ttl) {
        List<RecordingRemoteTier.Write> writes = tier.writes();
        RecordingRemoteTier.Write last = writes.get(writes.size() - 1);
        assertThat(last.key()).endsWith(":" + key);
        assertThat(last.ttl()).isEqualTo(ttl);
        long stampedTtl = Envelope.parse(last.bytes(), STRINGS.id()).expiresAtMillis() - clock.millis();
        assertThat(stampedTtl).as("the envelope's expiry stamp").isEqualTo(ttl.toMillis());
    }

    @Test
    void aRemoteCacheNeedsExpireAfterWriteOrAnExpiry() {
        assertThatThrownBy(() -> builder().remote(tier, STRINGS).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterWrite or an expireAfter(Expiry)");
        assertThat(remoteWithExpiry().config().expireAfterWrite()).isEmpty();
    }

    @Test
    void theRemoteTierWritesEachLoadAndPutWithItsOwnTtl() {
        Cache<String, String> cache = remoteWithExpiry();
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("a", k -> "v:30")).isEqualTo("v:30");
        assertLastWrite("a", Duration.ofSeconds(30));
        cache.put("b", "v:5");
        assertLastWrite("b", Duration.ofSeconds(5));
        cache.put("c", "v:5", Duration.ofMillis(1500));
        assertLastWrite("c", Duration.ofMillis(1500));

        ticker.advance(Duration.ofSeconds(6));
        assertThat(cache.getIfPresent("b")).isNull();
        assertThat(cache.getIfPresent("c")).isNull();
        assertThat(cache.get("a", k -> "v:" + loads.incrementAndGet())).isEqualTo("v:30");
        ticker.advance(Duration.ofSeconds(25));
        assertThat(cache.get("a", k -> "v:" + (100 + loads.incrementAndGet())))
                .as("expired after its 30 s, loaded again")
                .isEqualTo("v:101");
    }

    @Test
    void aFixedTtlRemoteCacheTakesPerEntryTtlsToo() {
        Cache<String, String> cache = builder()
                .expireAfterWrite(Duration.ofMinutes(10))
                .remote(tier, STRINGS, remoteConfig())
                .build();
        cache.put("k", "v", Duration.ofSeconds(3));
        assertLastWrite("k", Duration.ofSeconds(3));
        cache.put("fixed", "v");
        assertLastWrite("fixed", Duration.ofMinutes(10));
        ticker.advance(Duration.ofSeconds(4));
        assertThat(cache.getIfPresent("k")).isNull();
        assertThat(cache.getIfPresent("fixed")).isEqualTo("v");
    }

    @Test
    void ttlJitterNeverLengthensAPerEntryTtl() {
        Cache<String, String> cache = builder()
                .expireAfter(OWN_TTL)
                .remote(
                        tier,
                        STRINGS,
                        RemoteConfig.custom().clock(clock).ttlJitter(0.5).build())
                .build();
        for (int i = 0; i < 20; i++) {
            cache.put("k" + i, "v:100");
        }
        assertThat(tier.writes())
                .extracting(RecordingRemoteTier.Write::ttl)
                .allSatisfy(ttl -> assertThat(ttl).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(100)));
        assertThat(tier.writes().stream()
                        .map(RecordingRemoteTier.Write::ttl)
                        .distinct()
                        .count())
                .isGreaterThan(1);
    }

    @Test
    void onTheRemoteTierBadInputAndAFailingExpiryWriteNothing() {
        Cache<String, String> cache = remoteWithExpiry();
        cache.put("k", "v:60");
        int writes = tier.writes().size();
        assertThatThrownBy(() -> cache.put("k", "not a number"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cache 'tokens'")
                .hasMessageContaining("expireAfterCreate failed for key k")
                .hasCauseInstanceOf(ArrayIndexOutOfBoundsException.class);
        assertThatThrownBy(() -> cache.put("k", "v:-1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned PT-1S");
        assertThatThrownBy(() -> cache.put("k", "v:1", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.put("k", "v:1", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.get("other", key -> "bad"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterCreate failed for key other");
        assertThat(tier.writes()).hasSize(writes);
        assertThat(cache.getIfPresent("k")).isEqualTo("v:60");
        assertThat(cache.getIfPresent("other")).isNull();
    }

    @Test
    void aNearCopyOfAValueWrittenWithAShortTtlLivesNoLonger() {
        Cache<String, String> a = nearWithFixedTtl();
        a.put("k", "v", Duration.ofSeconds(5));
        assertThat(a.getIfPresent("k")).isEqualTo("v");
        ticker.advance(Duration.ofSeconds(6));
        assertThat(a.getIfPresent("k"))
                .as("the near copy ends with the value's 5 s, not the near tier's 60 s")
                .isNull();
    }

    @Test
    void aNearCopyReadFromTheRemoteTierLivesNoLongerThanItsRemainingTtl() {
        Cache<String, String> writer = nearWithFixedTtl();
        Cache<String, String> reader = nearWithFixedTtl();
        writer.put("got", "v", Duration.ofSeconds(10));
        writer.put("peeked", "v", Duration.ofSeconds(10));
        ticker.advance(Duration.ofSeconds(7));
        assertThat(reader.get("got", k -> "loaded")).isEqualTo("v");
        assertThat(reader.getIfPresent("peeked")).isEqualTo("v");
        ticker.advance(Duration.ofSeconds(2));
        int calls = shared.calls();
        assertThat(reader.getIfPresent("got")).isEqualTo("v");
        assertThat(reader.getIfPresent("peeked")).isEqualTo("v");
        assertThat(shared.calls()).as("both near hits").isEqualTo(calls);
        ticker.advance(Duration.ofSeconds(2)); // 11 s after the write: 3 s remained when read, 4 s ago
        assertThat(reader.getIfPresent("got")).isNull();
        assertThat(reader.getIfPresent("peeked")).isNull();
    }

    @Test
    void aNearCacheWithAnExpiryKeepsEachCopyNoLongerThanTheValuesOwnTtl() {
        Cache<String, String> a = nearWithExpiry();
        Cache<String, String> b = nearWithExpiry();
        assertThat(a.get("loaded", k -> "v:5")).isEqualTo("v:5");
        a.put("put", "v:5");
        assertThat(b.get("loaded", k -> "other")).isEqualTo("v:5");
        assertThat(a.getIfPresent("put")).isEqualTo("v:5");
        ticker.advance(Duration.ofSeconds(6));
        for (Cache<String, String> process : List.of(a, b)) {
            assertThat(process.getIfPresent("loaded")).isNull();
            assertThat(process.getIfPresent("put")).isNull();
        }
        a.put("long", "v:600");
        ticker.advance(Duration.ofSeconds(61));
        int calls = shared.calls();
        assertThat(a.getIfPresent("long"))
                .as("the near tier's own 60 s still bound the copy")
                .isEqualTo("v:600");
        assertThat(shared.calls()).as("read again from the remote tier").isGreaterThan(calls);
    }

    @Test
    void aNearCacheRejectsBadTtlsAndKeepsTheOldValue() {
        Cache<String, String> a = nearWithExpiry();
        a.put("k", "v:60");
        assertThatThrownBy(() -> a.put("k", "v:1", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl must be positive");
        assertThatThrownBy(() -> a.put("k", "v:-1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned PT-1S");
        assertThat(a.getIfPresent("k")).isEqualTo("v:60");
        assertThat(nearWithExpiry().getIfPresent("k")).as("remote too").isEqualTo("v:60");
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
