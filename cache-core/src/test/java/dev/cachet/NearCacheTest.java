package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.internal.HitRatios;
import dev.cachet.internal.remote.DefaultKeyEncoder;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The two-level cache over the in-memory tier; each cache with its own registry stands for one process. */
class NearCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);

    private Cache<String, String> process() {
        return NearProcess.builder(tier, clock, Duration.ofSeconds(10)).build();
    }

    @Test
    void readsGoNearThenRemoteThenLoader() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        AtomicInteger loads = new AtomicInteger();
        assertThat(a.get("k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        int callsAfterLoad = tier.calls();
        assertThat(a.get("k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        assertThat(tier.calls()).as("a near hit never reaches the tier").isEqualTo(callsAfterLoad);
        assertThat(b.get("k", k -> "v" + loads.incrementAndGet()))
                .as("b fills from the tier")
                .isEqualTo("v1");
        assertThat(b.get("k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        assertThat(loads.get()).isEqualTo(1);

        assertThat(a.nearStats()).get().extracting(NearStats::hits).isEqualTo(1L);
        assertThat(b.nearStats())
                .get()
                .extracting(NearStats::hits, NearStats::misses)
                .containsExactly(1L, 1L);
        assertThat(b.remoteStats()).get().extracting(RemoteStats::hits).isEqualTo(1L);
        CacheStats combined = b.stats();
        assertThat(combined.hitCount()).as("near + remote hits").isEqualTo(2);
        assertThat(combined.missCount()).isZero();
    }

    @Test
    void writesInOneProcessEvictTheKeyFromOthersButNotFromItself() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        a.put("k", "old");
        assertThat(b.get("k", k -> "unused")).isEqualTo("old");
        a.put("k", "new");
        assertThat(b.getIfPresent("k")).isEqualTo("new");
        assertThat(b.nearStats().orElseThrow().invalidationsReceived()).isEqualTo(2);
        assertThat(a.nearStats().orElseThrow().invalidationsReceived())
                .as("no self-eviction")
                .isZero();
        int calls = tier.calls();
        assertThat(a.getIfPresent("k"))
                .as("a keeps what it wrote in its near tier")
                .isEqualTo("new");
        assertThat(tier.calls()).isEqualTo(calls);

        b.invalidate("k");
        assertThat(a.getIfPresent("k")).isNull();
        a.put("x", "1");
        b.get("x", k -> "unused");
        a.invalidateAll();
        assertThat(b.getIfPresent("x")).isNull();
    }

    @Test
    void aLostMessageIsBoundedByTheNearTtlAndLostConnectionsClearTheNearTier() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        a.put("k", "v1");
        b.get("k", k -> "unused");
        tier.setDown(true); // the message about the next write is lost
        tier.setDown(false);
        tier.store("quotes").put("s:k", rawOf(a, "v2"), Duration.ofMinutes(5)); // a write whose message was lost
        assertThat(b.getIfPresent("k")).as("stale within the near TTL").isEqualTo("v1");
        clock.advance(Duration.ofSeconds(10));
        assertThat(b.getIfPresent("k")).as("never stale past the near TTL").isEqualTo("v2");

        tier.store("quotes").put("s:k", rawOf(a, "v3"), Duration.ofMinutes(5));
        tier.dropSubscribers("quotes");
        assertThat(b.getIfPresent("k"))
                .as("a reconnection clears the near tier")
                .isEqualTo("v3");
        assertThat(b.nearStats().orElseThrow().clears()).isEqualTo(1);
    }

    /** Encodes a value the way the cache does, by letting a throwaway remote-only cache write it. */
    private byte[] rawOf(Cache<String, String> unused, String value) {
        Cache<String, String> writer = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
        writer.put("scratch", value);
        return tier.raw("quotes", "s:scratch"); // the default encoding of the String key
    }

    @Test
    void whileTheTierIsDownTheNearTierServesUntilItsTtlThenTheFailurePolicyApplies() {
        Cache<String, String> a = process();
        a.put("k", "v");
        tier.setDown(true);
        assertThat(a.getIfPresent("k")).isEqualTo("v");
        // An outage long enough to open the breaker: invalidations may be lost from here on. (A single failed call
        // would not clear the near tier.)
        for (int i = 0; i < RemoteConfig.ofDefaults().breakerFailureThreshold(); i++) {
            assertThat(a.getIfPresent("down" + i)).isNull();
        }
        clock.advance(Duration.ofSeconds(10));
        assertThat(a.get("k", k -> "from-loader"))
                .as("fail-open after the near TTL")
                .isEqualTo("from-loader");
        tier.setDown(false);
        clock.advance(Duration.ofSeconds(1)); // past the breaker's open period
        List<String> seen = new ArrayList<>();
        seen.add(a.get("k", k -> "fresh"));
        assertThat(seen).containsExactly("from-loader"); // still in the near tier from the fallback load
        a.get("other", k -> "probe"); // a call that reaches the tier again
        assertThat(a.nearStats().orElseThrow().clears())
                .as("cleared once on recovery")
                .isEqualTo(1);
        assertThat(a.getIfPresent("k"))
                .as("the near tier was cleared; the tier has the original")
                .isEqualTo("v");
    }

    @Test
    void aReconnectionDuringAnOutageMakesTheRecoveryClearRedundant() {
        Cache<String, String> a = process();
        a.put("k", "v");
        tier.setDown(true);
        assertThat(a.get("other", k -> "fallback")).isEqualTo("fallback"); // the outage begins
        tier.setDown(false);
        tier.dropSubscribers("quotes"); // the channel comes back first and clears
        assertThat(a.nearStats().orElseThrow().clears()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1)); // past the breaker's open period
        assertThat(a.get("k", k -> "unused")).isEqualTo("v"); // the first call that reaches the tier again
        assertThat(a.nearStats().orElseThrow().clears())
                .as("cleared once for one outage")
                .isEqualTo(1);
    }

    /**
     * A copy kept after the time it took to keep it (here a slow copier, in production a cold JVM's first fill on a
     * loaded machine) expires with the remote value it came from, not that much later: found by the two-process
     * stale-if-error test, whose second process served its near copy as fresh after the value had expired.
     */
    @Test
    void aNearCopyNeverOutlivesTheRemoteValueHoweverLongKeepingItTook() {
        RemoteConfig sharedClock = RemoteConfig.custom().clock(clock.clock()).build();
        Duration slowCopy = Duration.ofMinutes(2);
        java.util.concurrent.atomic.AtomicBoolean copyingSlowly = new java.util.concurrent.atomic.AtomicBoolean();
        Cache<String, String> a = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE, sharedClock)
                .nearCache(100, Duration.ofMinutes(10))
                .build();
        Cache<String, String> b = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .copier((String value) -> {
                    if (copyingSlowly.get()) {
                        clock.advance(slowCopy);
                    }
                    return value;
                })
                .remote(tier, Utf8Codec.INSTANCE, sharedClock)
                .nearCache(100, Duration.ofMinutes(10))
                .build();
        a.put("read", "v");
        clock.advance(Duration.ofMinutes(4)); // one minute left

        copyingSlowly.set(true);
        assertThat(b.getIfPresent("read")).isEqualTo("v");
        copyingSlowly.set(false);
        assertThat(b.getIfPresent("read"))
                .as("a getIfPresent's copy, kept two minutes after a minute was left, expired with the value")
                .isNull();

        a.put("loaded", "v");
        clock.advance(Duration.ofMinutes(4));
        copyingSlowly.set(true);
        assertThat(b.get("loaded", k -> "unused")).isEqualTo("v");
        copyingSlowly.set(false);
        assertThat(b.get("loaded", k -> "reloaded"))
                .as("a get's copy expired with the value too: the loader runs")
                .isEqualTo("reloaded");
    }

    record Point(int x, int y) {}

    @Test
    void nearTierValuesAreCopiedLikeInMemoryValues() {
        Cache<String, List<String>> cache = Cachet.builder("lists")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .remote(tier, new ListCodec())
                .nearCache(10, Duration.ofSeconds(10))
                .build();
        List<String> mine = new ArrayList<>(List.of("a"));
        cache.put("k", mine);
        mine.add("b");
        cache.getIfPresent("k").add("c");
        assertThat(cache.getIfPresent("k")).containsExactly("a");
    }

    /** Encodes lists of strings as newline-separated text. */
    static final class ListCodec implements dev.cachet.spi.ValueCodec<List<String>> {
        @Override
        public String id() {
            return "test-lines";
        }

        @Override
        public byte[] encode(List<String> value) {
            return String.join("\n", value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public List<String> decode(byte[] bytes) {
            return new ArrayList<>(List.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n")));
        }
    }

    @Test
    void nearCacheNeedsARemoteTierAndValidSettings() {
        assertThatThrownBy(() -> Cachet.builder("n")
                        .registry(CacheRegistry.create())
                        .nearCache(10, Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nearCache needs a remote tier");
        assertThatThrownBy(() -> Cachet.builder("n")
                        .registry(CacheRegistry.create())
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .remote(tier, Utf8Codec.INSTANCE)
                        .nearCache(-1, Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nearCache maximumSize must not be negative, was -1");
    }

    @Test
    void theMicrometerBindingExportsNearAndRemoteFiguresAndTheCombinedRatio() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        dev.cachet.metrics.CachetMetrics.bind(b, meters);
        a.put("k", "v");
        b.get("k", k -> "unused"); // near miss, remote hit
        b.get("k", k -> "unused"); // near hit
        assertThat(meters.get("cache.near.gets")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("cache.near.gets")
                        .tag("result", "miss")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("cache.remote.gets")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("cache.gets")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .as("combined hits")
                .isEqualTo(2.0);
        assertThat(meters.get("cache.hit.ratio").gauge().value()).isEqualTo(1.0);
        a.invalidate("k");
        assertThat(meters.get("cache.near.invalidations").functionCounter().count())
                .isEqualTo(2.0);
    }

    @Test
    void theHitRatioWarningConsidersNearAndRemoteHitsTogether() {
        List<LowHitRatio> events = new ArrayList<>();
        Cache<Integer, String> writer = Cachet.builder("ratio")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
        Cache<Integer, String> reader = Cachet.builder("ratio")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .hitRatioWarning(0.8, 100)
                .onLowHitRatio(events::add)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(1, Duration.ofSeconds(10)) // far too small: nearly every read goes to the tier
                .build();
        for (int i = 0; i < 50; i++) {
            writer.put(i, "v" + i);
        }
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 50; i++) {
                assertThat(reader.get(i, k -> "unused")).isEqualTo("v" + i);
            }
        }
        reader.get(-1, k -> "a miss closes the window");
        assertThat(events).as("near misses that hit the tier are hits").isEmpty();
        assertThat(reader.stats().hitRatio()).isGreaterThan(0.99);
    }

    /** An enum whose constants have bodies of their own, so that a constant's class is not the enum's. */
    enum Side {
        BUY {
            @Override
            public String toString() {
                return "b";
            }
        },
        SELL
    }

    /** Another enum with a constant named like {@link Side}'s. */
    enum Action {
        BUY
    }

    /** Keys of every type the default key encoder takes, with the edges of each that equals tells apart. */
    private static final List<Object> KEYS_OF_EVERY_TYPE = List.of(
            "k",
            42,
            42L,
            (short) 42,
            (byte) 42,
            BigInteger.valueOf(42),
            new BigDecimal("1.50"),
            new BigDecimal("1.5"),
            0.5,
            0.0,
            -0.0,
            Double.NaN,
            Double.NEGATIVE_INFINITY,
            0.5f,
            -0.0f,
            true,
            'x',
            '\uD800',
            new UUID(1, 2),
            Side.BUY,
            Side.SELL,
            Action.BUY);

    /** One process of a near cache of keys of any type the default encoder takes, with its codec. */
    private Cache<Object, String> objectsProcess(ValueCodec<String> codec) {
        return Cachet.builder("objects")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, codec)
                .nearCache(100, Duration.ofSeconds(10))
                .build();
    }

    /** Writes to the remote tier with no near tier and so no message: the near copies it makes stale stay. */
    private Cache<Object, String> silentWriter() {
        return Cachet.builder("objects")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();
    }

    @Test
    void aMessageDropsTheNearCopyOfAKeyOfEveryTypeAndOfNoOtherKey() {
        Cache<Object, String> reader = objectsProcess(Utf8Codec.INSTANCE);
        Cache<Object, String> writer = silentWriter();
        InvalidationChannel otherProcess = tier.invalidations("objects");
        List<Object> keys = KEYS_OF_EVERY_TYPE;
        for (int i = 0; i < keys.size(); i++) {
            writer.put(keys.get(i), "old " + i);
            assertThat(reader.get(keys.get(i), k -> "unused")).isEqualTo("old " + i);
        }
        for (int i = 0; i < keys.size(); i++) {
            writer.put(keys.get(i), "new " + i);
        }
        for (int sent = 0; sent < keys.size(); sent++) {
            Object key = keys.get(sent);
            otherProcess.publish(DefaultKeyEncoder.encode(key));
            for (int i = 0; i < keys.size(); i++) {
                Object held = keys.get(i);
                assertThat(reader.getIfPresent(held))
                        .as("after the message about %s %s: %s %s", key.getClass(), key, held.getClass(), held)
                        .isEqualTo((i <= sent ? "new " : "old ") + i);
            }
        }
        assertThat(reader.nearStats().orElseThrow().invalidationsReceived()).isEqualTo(keys.size());
    }

    @Test
    void aMessageThatNamesNoKeyOfThisProcessDropsNothing() {
        Cache<Object, String> reader = objectsProcess(Utf8Codec.INSTANCE);
        Cache<Object, String> writer = silentWriter();
        InvalidationChannel otherProcess = tier.invalidations("objects");
        for (Object key : KEYS_OF_EVERY_TYPE) {
            writer.put(key, "old");
            reader.get(key, k -> "unused");
            writer.put(key, "new");
        }
        List<String> foreign = List.of(
                "zz:1", // a tag this release does not know
                "i:042", // a form the encoder never writes
                "no colon",
                "e:java.lang.Thread$State:NEW", // an enum this cache never held a constant of
                "e:" + Side.class.getName() + ":HOLD", // no such constant
                "s:K");
        foreign.forEach(otherProcess::publish);
        for (Object key : KEYS_OF_EVERY_TYPE) {
            assertThat(reader.getIfPresent(key))
                    .as("%s %s", key.getClass(), key)
                    .isEqualTo("old");
        }
        assertThat(reader.nearStats().orElseThrow())
                .extracting(NearStats::invalidationsReceived, NearStats::clears)
                .containsExactly((long) foreign.size(), 0L);
    }

    /**
     * A message that drops nothing still stops a fill whose remote read it overtook: it may name a key this process
     * is about to hold (here it is the key of another class loader's enum, say), and a fill tells no messages apart.
     */
    @Test
    void aMessageThatDropsNothingStillStopsAFillWhoseReadItOvertook() {
        AtomicBoolean sendWhileReading = new AtomicBoolean();
        InvalidationChannel otherProcess = tier.invalidations("objects");
        ValueCodec<String> announcing = new ValueCodec<>() {
            @Override
            public String id() {
                return Utf8Codec.INSTANCE.id();
            }

            @Override
            public byte[] encode(String value) {
                return Utf8Codec.INSTANCE.encode(value);
            }

            @Override
            public String decode(byte[] bytes) {
                if (sendWhileReading.getAndSet(false)) {
                    otherProcess.publish("zz:names-no-key");
                }
                return Utf8Codec.INSTANCE.decode(bytes);
            }
        };
        Cache<Object, String> reader = objectsProcess(announcing);
        silentWriter().put(Side.BUY, "v");
        sendWhileReading.set(true);
        assertThat(reader.getIfPresent(Side.BUY)).isEqualTo("v");
        int calls = tier.calls();
        assertThat(reader.getIfPresent(Side.BUY)).isEqualTo("v");
        assertThat(tier.calls())
                .as("the fill was dropped: the tier is read again")
                .isGreaterThan(calls);
        calls = tier.calls();
        assertThat(reader.getIfPresent(Side.BUY)).isEqualTo("v");
        assertThat(tier.calls()).as("and this fill was kept").isEqualTo(calls);
    }

    @SuppressWarnings("unchecked") // the near tier of a near cache
    private static LocalCache<Object, String> nearTier(Cache<?, String> cache) {
        return (LocalCache<Object, String>) ((HitRatios) cache).tier(HitRatios.Tier.NEAR);
    }

    @Test
    void withTheDefaultEncoderTheNearTierHoldsTheCallersKeysSoAHitEncodesNothing() {
        Cache<String, String> a = process();
        Cache<String, String> b = process();
        String written = new String("quote"); // an instance of its own, not the interned literal
        a.put(written, "v");
        assertThat(nearTier(a).storeForLookups().asMap().keySet())
                .as("no encoded key kept: a lookup needs none")
                .singleElement()
                .isSameAs(written);
        String read = new String("quote");
        assertThat(b.get(read, k -> "unused")).isEqualTo("v");
        assertThat(nearTier(b).storeForLookups().asMap().keySet())
                .singleElement()
                .isSameAs(read);
        Cache<String, String> c = process();
        String listed = new String("quote");
        assertThat(c.getAll(List.of(listed), keys -> java.util.Map.of())).containsEntry("quote", "v");
        assertThat(nearTier(c).storeForLookups().asMap().keySet())
                .as("a getAll's fill keeps the caller's key too")
                .singleElement()
                .isSameAs(listed);
    }

    @Test
    void withACustomEncoderTheNearTierIsKeyedByItsStringsAndMessagesStillDrop() {
        AtomicInteger encodings = new AtomicInteger();
        RemoteConfig counting = RemoteConfig.custom()
                .keyEncoder((String key) -> {
                    encodings.incrementAndGet();
                    return "custom/" + key;
                })
                .build();
        List<Cache<String, String>> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(Cachet.builder("custom")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(5))
                    .ticker(clock)
                    .executor(Runnable::run)
                    .remote(tier, Utf8Codec.INSTANCE, counting)
                    .nearCache(100, Duration.ofSeconds(10))
                    .<String, String>build());
        }
        Cache<String, String> a = processes.get(0);
        Cache<String, String> b = processes.get(1);
        a.put("k", "v1");
        assertThat(b.get("k", k -> "unused")).isEqualTo("v1");
        assertThat(nearTier(b).storeForLookups().asMap().keySet()).containsExactly("custom/k");
        int before = encodings.get();
        assertThat(b.getIfPresent("k")).isEqualTo("v1");
        assertThat(encodings.get()).as("a near hit encodes the key once").isEqualTo(before + 1);
        a.put("k", "v2");
        assertThat(b.getIfPresent("k")).as("the message dropped b's copy").isEqualTo("v2");
        a.invalidateAll(List.of("k"));
        assertThat(b.getIfPresent("k")).isNull();
    }
}
