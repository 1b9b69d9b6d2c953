package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-entry expiry in memory: {@link Expiry}, its factories, {@code put(key, value, ttl)} and bad input. */
class ExpiryTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();

    /** An access token that carries its own lifetime. */
    record Token(String value, Duration lifetime) {}

    private CacheBuilder<Object, Object> builder(String name) {
        return Cachet.builder(name)
                .registry(invariants.registry())
                .ticker(clock)
                .executor(Runnable::run);
    }

    @Test
    void anAccessTokenLivesAsLongAsItSays() {
        Cache<String, Token> tokens = builder("tokens")
                .expireAfter(Expiry.writing((String audience, Token token) -> token.lifetime()))
                .build();
        AtomicInteger fetches = new AtomicInteger();
        tokens.get("billing", audience -> new Token("t" + fetches.incrementAndGet(), Duration.ofMinutes(5)));
        tokens.get("search", audience -> new Token("s" + fetches.incrementAndGet(), Duration.ofMinutes(50)));

        clock.advance(Duration.ofMinutes(4));
        assertThat(tokens.getIfPresent("billing")).extracting(Token::value).isEqualTo("t1");
        clock.advance(Duration.ofMinutes(2));
        assertThat(tokens.getIfPresent("billing")).as("past its own 5 minutes").isNull();
        assertThat(tokens.getIfPresent("search")).as("its own 50 minutes").isNotNull();
        assertThat(tokens.get("billing", audience -> new Token("t" + fetches.incrementAndGet(), Duration.ofHours(1))))
                .extracting(Token::value)
                .isEqualTo("t3");
    }

    @Test
    void creatingKeepsTheExpiryOnReplacementWritingRenewsItAccessingRenewsItOnReads() {
        Cache<String, Integer> creating = builder("creating")
                .expireAfter(Expiry.creating((String k, Integer v) -> Duration.ofSeconds(v)))
                .build();
        Cache<String, Integer> writing = builder("writing")
                .expireAfter(Expiry.writing((String k, Integer v) -> Duration.ofSeconds(v)))
                .build();
        Cache<String, Integer> accessing = builder("accessing")
                .expireAfter(Expiry.accessing((String k, Integer v) -> Duration.ofSeconds(v)))
                .build();
        for (Cache<String, Integer> cache : java.util.List.of(creating, writing, accessing)) {
            cache.put("k", 10);
        }
        clock.advance(Duration.ofSeconds(8));
        creating.put("k", 10);
        writing.put("k", 10);
        assertThat(accessing.getIfPresent("k")).isEqualTo(10);
        clock.advance(Duration.ofSeconds(8)); // 16 s after the first write, 8 s after the second write or the read
        assertThat(creating.getIfPresent("k"))
                .as("creating: the replacement kept the first expiry")
                .isNull();
        assertThat(writing.getIfPresent("k"))
                .as("writing: the replacement renewed it")
                .isEqualTo(10);
        assertThat(accessing.getIfPresent("k"))
                .as("accessing: the read renewed it")
                .isEqualTo(10);
    }

    @Test
    void anExpiryOfItsOwnSeesUpdatesAndReadsWithTheCurrentDuration() {
        Expiry<String, Integer> halving = new Expiry<>() {
            @Override
            public Duration expireAfterCreate(String key, Integer value) {
                return Duration.ofSeconds(value);
            }

            @Override
            public Duration expireAfterUpdate(String key, Integer value, Duration currentDuration) {
                return currentDuration.dividedBy(2);
            }

            @Override
            public Duration expireAfterRead(String key, Integer value, Duration currentDuration) {
                return currentDuration;
            }
        };
        Cache<String, Integer> cache = builder("halving").expireAfter(halving).build();
        cache.put("k", 100);
        cache.put("k", 1); // 100 s left, halved to 50
        clock.advance(Duration.ofSeconds(49));
        assertThat(cache.getIfPresent("k")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void putWithATtlOverridesTheExpiryForThatEntry() {
        Cache<String, String> cache = builder("ttl")
                .expireAfter(Expiry.writing((String k, String v) -> Duration.ofHours(1)))
                .build();
        cache.put("short", "v", Duration.ofSeconds(5));
        cache.put("default", "v");
        clock.advance(Duration.ofSeconds(6));
        assertThat(cache.getIfPresent("short")).isNull();
        assertThat(cache.getIfPresent("default")).isEqualTo("v");
        assertThat(cache.stats().putCount()).isEqualTo(2);
    }

    @Test
    void aLoadingCacheRefreshesUnderItsExpiry() {
        AtomicInteger loads = new AtomicInteger();
        LoadingCache<String, Integer> cache = builder("refreshing")
                .expireAfter(Expiry.writing((String k, Integer v) -> Duration.ofSeconds(10)))
                .refreshAfterWrite(Duration.ofSeconds(5))
                .build(k -> loads.incrementAndGet());
        assertThat(cache.get("k")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(6));
        cache.get("k"); // a stale read: refreshed on the executor, here the calling thread
        assertThat(loads.get()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(8)); // 14 s after the load, 8 s after the refresh
        assertThat(cache.getIfPresent("k"))
                .as("past the first value's 10 s: present only because the refresh renewed the expiry")
                .isNotNull();
    }

    @Test
    void putWithATtlOnACacheWithAFixedExpiryIsRejectedAndStoresNothing() {
        Cache<String, String> cache =
                builder("fixed").expireAfterWrite(Duration.ofMinutes(1)).build();
        cache.put("k", "old");
        assertThatThrownBy(() -> cache.put("k", "new", Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cache 'fixed'")
                .hasMessageContaining("expireAfter(Expiry)")
                .hasMessageContaining("expireAfterWrite PT1M");
        assertThat(cache.getIfPresent("k")).isEqualTo("old");
    }

    @Test
    void aTtlThatIsNullZeroOrNegativeIsRejectedAndTheOldValueStays() {
        Cache<String, String> cache = builder("badTtl")
                .expireAfter(Expiry.writing((String k, String v) -> Duration.ofHours(1)))
                .build();
        cache.put("k", "old");
        assertThatThrownBy(() -> cache.put("k", "new", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ttl");
        assertThatThrownBy(() -> cache.put("k", "new", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl must be positive, was PT0S")
                .hasMessageContaining("cache 'badTtl'");
        assertThatThrownBy(() -> cache.put("k", "new", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was PT-1S");
        assertThat(cache.getIfPresent("k")).isEqualTo("old");
        clock.advance(Duration.ofMinutes(59));
        assertThat(cache.getIfPresent("k")).as("with its old expiry too").isEqualTo("old");
    }

    @Test
    void anExpiryThatThrowsFailsTheWriteClearlyAndLosesNothing() {
        RuntimeException boom = new IllegalArgumentException("no expiry on this token");
        Cache<String, Token> tokens = builder("throwing")
                .expireAfter(Expiry.writing((String k, Token token) -> {
                    if (token.lifetime() == null) {
                        throw boom;
                    }
                    return token.lifetime();
                }))
                .build();
        tokens.put("k", new Token("good", Duration.ofMinutes(1)));

        assertThatThrownBy(() -> tokens.put("k", new Token("bad", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cache 'throwing'")
                .hasMessageContaining("expireAfterUpdate failed for key k")
                .hasCause(boom);
        assertThat(tokens.getIfPresent("k")).extracting(Token::value).isEqualTo("good");

        assertThatThrownBy(() -> tokens.get("other", k -> new Token("bad", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterCreate failed for key other")
                .hasCause(boom);
        assertThat(tokens.getIfPresent("other")).isNull();
        assertThat(tokens.get("other", k -> new Token("fine", Duration.ofMinutes(1))))
                .as("the next call loads again")
                .extracting(Token::value)
                .isEqualTo("fine");

        assertThatThrownBy(() -> tokens.getAll(
                        Set.of("a", "b"),
                        keys -> Map.of("a", new Token("fine", Duration.ofMinutes(1)), "b", new Token("bad", null))))
                .isInstanceOf(IllegalStateException.class)
                .hasCause(boom);
        assertThat(tokens.getIfPresent("a"))
                .as("a bulk load stores all or nothing")
                .isNull();
        clock.advance(Duration.ofSeconds(59));
        assertThat(tokens.getIfPresent("k"))
                .as("with its old expiry")
                .extracting(Token::value)
                .isEqualTo("good");
    }

    @Test
    void anExpiryThatReturnsANegativeOrNullDurationFailsTheWriteAndLosesNothing() {
        Cache<String, Integer> cache = builder("negative")
                .expireAfter(Expiry.writing((String k, Integer v) -> v == 0 ? null : Duration.ofSeconds(v)))
                .build();
        cache.put("k", 60);
        assertThatThrownBy(() -> cache.put("k", -5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cache 'negative'")
                .hasMessageContaining("expireAfterUpdate returned PT-5S for key k");
        assertThatThrownBy(() -> cache.put("k", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned null");
        assertThatThrownBy(() -> cache.get("x", k -> -1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfterCreate returned PT-1S for key x");
        assertThat(cache.getIfPresent("k")).isEqualTo(60);
        assertThat(cache.getIfPresent("x")).isNull();
    }

    @Test
    void anExpiryThatFailsOnAReadKeepsTheEntryAndItsExpiry() {
        Cache<String, Integer> cache = builder("readFails")
                .expireAfter(new Expiry<String, Integer>() {
                    @Override
                    public Duration expireAfterCreate(String key, Integer value) {
                        return Duration.ofSeconds(10);
                    }

                    @Override
                    public Duration expireAfterUpdate(String key, Integer value, Duration currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public Duration expireAfterRead(String key, Integer value, Duration currentDuration) {
                        throw new IllegalStateException("read");
                    }
                })
                .build();
        cache.put("k", 1);
        assertThat(cache.getIfPresent("k")).isEqualTo(1);
        assertThat(cache.getIfPresent("k")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(11));
        assertThat(cache.getIfPresent("k")).isNull();
    }

    @Test
    void theBuilderRejectsExpireAfterWithAFixedExpiryNamingBoth() {
        Expiry<Object, Object> expiry = Expiry.writing((k, v) -> Duration.ofSeconds(1));
        assertThatThrownBy(() -> builder("both")
                        .expireAfter(expiry)
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfter(Expiry) and expireAfterWrite (PT1S) cannot be combined")
                .hasMessageContaining("cache 'both'");
        assertThatThrownBy(() -> builder("both2")
                        .expireAfterAccess(Duration.ofSeconds(2))
                        .expireAfter(expiry)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfter(Expiry) and expireAfterAccess (PT2S) cannot be combined");
        assertThatThrownBy(() -> builder("twice").expireAfter(expiry).expireAfter(expiry))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expireAfter was already set");
        assertThatThrownBy(() -> builder("null").expireAfter(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("expiry");
        assertThatThrownBy(() -> Expiry.writing(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theExpiryIsPartOfTheRegistrysFingerprint() {
        Expiry<Object, Object> expiry = Expiry.writing((k, v) -> Duration.ofSeconds(1));
        Cache<Object, Object> first = builder("shared").expireAfter(expiry).build();
        assertThat(builder("shared").expireAfter(expiry).build()).isSameAs(first);
        assertThatThrownBy(() -> builder("shared")
                        .expireAfter(Expiry.writing((k, v) -> Duration.ofSeconds(1)))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another expireAfter");
        assertThatThrownBy(() -> builder("shared").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another expireAfter");
    }

    @Test
    void aDurationBeyondCaffeinesRangeMeansForever() {
        Cache<String, String> cache = builder("forever")
                .expireAfter(Expiry.writing((String k, String v) -> Duration.ofSeconds(Long.MAX_VALUE)))
                .build();
        cache.put("k", "v");
        clock.advance(Duration.ofDays(365L * 100));
        assertThat(cache.getIfPresent("k")).isEqualTo("v");
    }
}
