package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.Copier;
import dev.cachet.RemoteConfig;
import dev.cachet.RemovalCause;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code @Cached} without settings in front of a cache registered beforehand, whatever its tier: in-memory with
 * settings of its own, remote-only over the in-memory tier, near; conflicts between explicit settings and the
 * registered cache, names nothing registered, and keys a remote tier's encoder refuses. Each registry over the shared
 * tier stands for one process.
 */
class RegisteredCacheProxyTest {
    private static final int THREADS = 16;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(clock);
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    interface Quotes {
        @Cached(name = "quotes")
        String quote(String symbol);

        @Cached(name = "quotes-by-venue")
        String quote(String symbol, int venue);

        @Cached(name = "quotes-maybe")
        Optional<String> find(String symbol);

        @Cached(name = "quotes-later")
        CompletableFuture<String> quoteLater(String symbol);

        @CacheInvalidate(name = "quotes")
        void requote(String symbol);

        @CacheInvalidate(name = "quotes-by-venue")
        void requote(String symbol, int venue);

        @CacheInvalidate(name = "quotes", allEntries = true)
        void requoteAll();
    }

    /** Counts calls per method; {@code quote} answers with the call's number, so a second call shows. */
    static final class CountingQuotes implements Quotes {
        final String process;
        final AtomicInteger calls = new AtomicInteger();
        final Set<Thread> callers = ConcurrentHashMap.newKeySet();

        CountingQuotes(String process) {
            this.process = process;
        }

        @Override
        public String quote(String symbol) {
            int call = calls.incrementAndGet();
            if (!callers.isEmpty()) {
                awaitOthersWaitingForThisCall(callers);
            }
            return symbol + " from " + process + " #" + call;
        }

        @Override
        public String quote(String symbol, int venue) {
            return symbol + "@" + venue + " from " + process + " #" + calls.incrementAndGet();
        }

        @Override
        public Optional<String> find(String symbol) {
            calls.incrementAndGet();
            return symbol.equals("NONE") ? Optional.empty() : Optional.of(symbol + " found by " + process);
        }

        @Override
        public CompletableFuture<String> quoteLater(String symbol) {
            return CompletableFuture.completedFuture(
                    symbol + " later from " + process + " #" + calls.incrementAndGet());
        }

        @Override
        public void requote(String symbol) {}

        @Override
        public void requote(String symbol, int venue) {}

        @Override
        public void requoteAll() {}
    }

    /** A process: its own registry with the four caches of {@link Quotes} over the shared tier, then the proxy. */
    private Quotes process(CacheRegistry registry, CountingQuotes target, boolean near) {
        for (String name : List.of("quotes", "quotes-by-venue", "quotes-maybe", "quotes-later")) {
            var builder = Cachet.builder(name)
                    .registry(registry)
                    .expireAfterWrite(Duration.ofMinutes(5))
                    .ticker(clock)
                    .executor(Runnable::run)
                    .remote(tier, Utf8Codec.INSTANCE);
            if (near) {
                builder.nearCache(100, Duration.ofSeconds(10));
            }
            builder.build();
        }
        return Cachet.proxy(Quotes.class, target, registry);
    }

    @SuppressWarnings("unchecked")
    private static Cache<Object, String> cache(CacheRegistry registry, String name) {
        return (Cache<Object, String>) registry.find(name).orElseThrow();
    }

    @Test
    void aCacheWithoutSettingsInTheAnnotationIsTheRegisteredInMemoryCacheWithItsOwnSettings() {
        List<RemovalCause> removals = new CopyOnWriteArrayList<>();
        Cache<String, String> registered = Cachet.builder("quotes")
                .registry(invariants.registry())
                .maximumSize(10)
                .expireAfterWrite(Duration.ofSeconds(30))
                .ticker(clock)
                .executor(Runnable::run)
                .copier(Copier.<String>identity())
                .removalListener((key, value, cause) -> removals.add(cause))
                .build();
        CountingQuotes target = new CountingQuotes("memory");
        Quotes quotes = Cachet.proxy(Quotes.class, target, invariants.registry());

        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL from memory #1");
        assertThat(quotes.quote("AAPL")).as("a hit").isEqualTo("AAPL from memory #1");
        assertThat(registered.getIfPresent("AAPL"))
                .as("the proxy's entry is the registered cache's, under the argument itself")
                .isEqualTo("AAPL from memory #1");
        registered.put("MSFT", "put by the application");
        assertThat(quotes.quote("MSFT")).isEqualTo("put by the application");

        clock.advance(Duration.ofSeconds(31));
        assertThat(quotes.quote("AAPL"))
                .as("the registered cache's ticker and TTL")
                .isEqualTo("AAPL from memory #2");
        quotes.requote("AAPL");
        assertThat(registered.getIfPresent("AAPL")).isNull();
        assertThat(removals).contains(RemovalCause.EXPIRED, RemovalCause.EXPLICIT);
        assertThat(target.calls.get()).isEqualTo(2);
    }

    @Test
    void overARemoteCacheAProxyLoadsOnceAcrossProcessesAndInvalidatesThere() {
        CacheRegistry first = CacheRegistry.create();
        CacheRegistry second = CacheRegistry.create();
        CountingQuotes firstTarget = new CountingQuotes("first");
        CountingQuotes secondTarget = new CountingQuotes("second");
        Quotes a = process(first, firstTarget, false);
        Quotes b = process(second, secondTarget, false);

        assertThat(a.quote("AAPL")).isEqualTo("AAPL from first #1");
        assertThat(b.quote("AAPL")).as("the other process reads the tier").isEqualTo("AAPL from first #1");
        assertThat(cache(second, "quotes").getIfPresent("AAPL"))
                .as("a key of one argument is the argument itself")
                .isEqualTo("AAPL from first #1");
        assertThat(tier.raw("quotes", "s:AAPL")).isNotNull();
        assertThat(secondTarget.calls.get()).isZero();

        b.requote("AAPL");
        assertThat(tier.raw("quotes", "s:AAPL")).isNull();
        assertThat(a.quote("AAPL")).as("invalidated in the tier").isEqualTo("AAPL from first #2");

        assertThat(a.quote("AAPL", 7)).isEqualTo("AAPL@7 from first #3");
        assertThat(b.quote("AAPL", 7)).as("keys of several arguments").isEqualTo("AAPL@7 from first #3");
        assertThat(b.quote("AAPL", 8)).isEqualTo("AAPL@8 from second #1");
        assertThat(tier.raw("quotes-by-venue", "s:cachet:a2|6:s:AAPL|3:i:7")).isNotNull();
        a.requote("AAPL", 7);
        assertThat(b.quote("AAPL", 7)).isEqualTo("AAPL@7 from second #2");
        assertThat(b.quote("AAPL", 8)).as("another key is untouched").isEqualTo("AAPL@8 from second #1");

        assertThat(first.find("quotes").orElseThrow().remoteStats()).isPresent();
    }

    @Test
    void optionalAndFutureResultsOverARemoteCacheAreCachedAsOverAnInMemoryOne() {
        CountingQuotes firstTarget = new CountingQuotes("first");
        CountingQuotes secondTarget = new CountingQuotes("second");
        Quotes a = process(CacheRegistry.create(), firstTarget, false);
        Quotes b = process(CacheRegistry.create(), secondTarget, false);

        assertThat(a.find("AAPL")).contains("AAPL found by first");
        assertThat(b.find("AAPL")).contains("AAPL found by first");
        assertThat(a.find("NONE")).isEmpty();
        assertThat(b.find("NONE")).as("an empty Optional is not cached").isEmpty();
        assertThat(secondTarget.calls.get()).isEqualTo(1);

        // Over a remote tier the cache is reached on the executor, so the futures complete there.
        assertThat(a.quoteLater("AAPL")).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("AAPL later from first #3");
        assertThat(a.quoteLater("AAPL")).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("AAPL later from first #3");
        assertThat(b.quoteLater("AAPL")).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("AAPL later from first #3");
        assertThat(firstTarget.calls.get()).isEqualTo(3);
        assertThat(secondTarget.calls.get()).isEqualTo(1);
    }

    @Test
    void overANearCacheAnInvalidationThroughTheProxyReachesTheOtherProcesses() {
        CacheRegistry first = CacheRegistry.create();
        CacheRegistry second = CacheRegistry.create();
        Quotes a = process(first, new CountingQuotes("first"), true);
        Quotes b = process(second, new CountingQuotes("second"), true);

        assertThat(a.quote("AAPL")).isEqualTo("AAPL from first #1");
        assertThat(b.quote("AAPL")).isEqualTo("AAPL from first #1");
        int calls = tier.calls();
        assertThat(b.quote("AAPL")).as("a near hit").isEqualTo("AAPL from first #1");
        assertThat(tier.calls()).isEqualTo(calls);
        assertThat(first.find("quotes").orElseThrow().nearStats()).isPresent();

        a.requote("AAPL");
        assertThat(b.quote("AAPL")).as("gone from b's near tier too").isEqualTo("AAPL from second #1");

        assertThat(a.quote("MSFT", 1)).isEqualTo("MSFT@1 from first #2");
        assertThat(b.quote("MSFT", 1)).isEqualTo("MSFT@1 from first #2");
        b.requote("MSFT", 1);
        assertThat(a.quote("MSFT", 1)).isEqualTo("MSFT@1 from first #3");
    }

    @Test
    void manyThreadsMissingOneKeyOfARemoteCacheCallTheTargetOnce() throws Exception {
        CountingQuotes target = new CountingQuotes("first");
        Quotes quotes = process(invariants.registry(), target, false);
        for (int round = 1; round <= 5; round++) {
            quotes.requote("AAPL");
            List<String> results = callTogether(target, () -> quotes.quote("AAPL"));

            assertThat(results).as("round %d", round).containsOnly("AAPL from first #" + round);
            assertThat(target.calls.get()).as("calls after round %d", round).isEqualTo(round);
        }
    }

    interface PlainQuotes {
        @Cached(name = "quotes")
        String quote(String symbol);
    }

    interface SizedQuotes {
        @Cached(name = "quotes", maximumSize = 100)
        String quote(String symbol);
    }

    interface TimedQuotes {
        @Cached(name = "quotes", expireAfterWrite = "5m")
        String quote(String symbol);
    }

    interface ShortLivedQuotes {
        @Cached(name = "quotes", expireAfterWrite = "30s", maximumSize = 100)
        String quote(String symbol);
    }

    @Test
    void explicitSettingsThatDifferFromTheRegisteredCacheAreAConflictNamingMethodCacheAndSetting() {
        process(invariants.registry(), new CountingQuotes("first"), false);

        assertThatThrownBy(() -> Cachet.proxy(ShortLivedQuotes.class, symbol -> symbol, invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ShortLivedQuotes.quote(String): @Cached(name = \"quotes\", maximumSize = 100,"
                        + " expireAfterWrite = PT30S) conflicts with the cache 'quotes' registered in the proxy's"
                        + " registry: maximumSize = 100 in the annotation, but the registered cache has no"
                        + " maximumSize; settings in @Cached only build a cache when none is registered: remove them"
                        + " to use the registered cache as it is, or make them equal");
        assertThatThrownBy(() -> Cachet.proxy(SizedQuotes.class, symbol -> symbol, invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maximumSize = 100 in the annotation, but the registered cache has no");
    }

    @Test
    void explicitSettingsEqualToTheRegisteredCacheAreFine() {
        process(invariants.registry(), new CountingQuotes("first"), false);
        cache(invariants.registry(), "quotes").put("AAPL", "registered");

        TimedQuotes quotes = Cachet.proxy(TimedQuotes.class, symbol -> "target", invariants.registry());

        assertThat(quotes.quote("AAPL")).isEqualTo("registered");
    }

    @Test
    void aNameNothingRegisteredIsBuiltWithTheAnnotationsSettingsAndALaterBuildSaysWhoBuiltIt() {
        ShortLivedQuotes quotes = Cachet.proxy(ShortLivedQuotes.class, symbol -> "v", invariants.registry());
        assertThat(quotes.quote("AAPL")).isEqualTo("v");
        Cache<?, ?> built = invariants.registry().find("quotes").orElseThrow();
        assertThat(built.config().maximumSize()).hasValue(100);
        assertThat(built.config().expireAfterWrite()).contains(Duration.ofSeconds(30));
        assertThat(built.remoteStats()).isEmpty();

        PlainQuotes plain = Cachet.proxy(PlainQuotes.class, symbol -> "other", invariants.registry());
        assertThat(plain.quote("AAPL")).as("the cache the first proxy built").isEqualTo("v");
        assertThatThrownBy(() -> Cachet.proxy(TimedQuotes.class, symbol -> "other", invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("conflicts with the cache 'quotes' registered in the proxy's registry (built by"
                        + " Cachet.proxy for ShortLivedQuotes.quote(String)): expireAfterWrite = PT5M in the"
                        + " annotation, but the registered cache has expireAfterWrite PT30S;");

        assertThatThrownBy(() -> Cachet.builder("quotes")
                        .registry(invariants.registry())
                        .expireAfterWrite(Duration.ofMinutes(5))
                        .remote(tier, Utf8Codec.INSTANCE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a cache named 'quotes' is already registered with another")
                .hasMessageContaining("(built by Cachet.proxy for ShortLivedQuotes.quote(String); build a cache"
                        + " before creating the proxies that use it)");
    }

    interface SharedQuotes {
        @Cached(name = "quotes")
        String bid(String symbol);

        @Cached(name = "quotes")
        String ask(String symbol);

        @CacheInvalidate(name = "quotes")
        void requote(String symbol);
    }

    @Test
    void methodsSharingARemoteCacheKeepTheirEntriesApartAndAreInvalidatedTogether() {
        process(invariants.registry(), new CountingQuotes("first"), false);
        AtomicInteger calls = new AtomicInteger();
        SharedQuotes quotes = Cachet.proxy(
                SharedQuotes.class,
                new SharedQuotes() {
                    @Override
                    public String bid(String symbol) {
                        return "bid " + calls.incrementAndGet();
                    }

                    @Override
                    public String ask(String symbol) {
                        return "ask " + calls.incrementAndGet();
                    }

                    @Override
                    public void requote(String symbol) {}
                },
                invariants.registry());

        assertThat(quotes.bid("AAPL")).isEqualTo("bid 1");
        assertThat(quotes.ask("AAPL")).isEqualTo("ask 2");
        assertThat(quotes.bid("AAPL")).isEqualTo("bid 1");
        quotes.requote("AAPL");
        assertThat(quotes.bid("AAPL")).isEqualTo("bid 3");
        assertThat(quotes.ask("AAPL")).isEqualTo("ask 4");
    }

    interface MixedSettings {
        @Cached(name = "mixed")
        String first(String key);

        @Cached(name = "mixed", maximumSize = 5)
        String second(String key);
    }

    @Test
    void aMethodWithoutSettingsSharesTheCacheAnotherMethodGivesSettings() {
        MixedSettings mixed = Cachet.proxy(
                MixedSettings.class,
                new MixedSettings() {
                    @Override
                    public String first(String key) {
                        return "first";
                    }

                    @Override
                    public String second(String key) {
                        return "second";
                    }
                },
                invariants.registry());

        assertThat(mixed.first("k")).isEqualTo("first");
        assertThat(mixed.second("k")).isEqualTo("second");
        assertThat(invariants.registry().find("mixed").orElseThrow().config().maximumSize())
                .hasValue(5);
    }

    interface ByDate {
        @Cached(name = "quotes")
        String quote(LocalDate day);
    }

    interface ByList {
        @Cached(name = "quotes")
        String quote(String venue, List<String> symbols);
    }

    interface InvalidateByArray {
        @CacheInvalidate(name = "quotes")
        void requote(String[] symbols);
    }

    interface ByAnything {
        @Cached(name = "quotes")
        String quote(Object key);

        @Cached(name = "quotes-by-venue")
        String quote(Number venue, CharSequence symbol);
    }

    @Test
    void keyParametersTheDefaultEncoderCanNeverTakeAreRejectedWhenTheProxyIsCreated() {
        process(invariants.registry(), new CountingQuotes("first"), false);

        assertThatThrownBy(() -> Cachet.proxy(ByDate.class, day -> "x", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ByDate.quote(LocalDate): parameter 1 (LocalDate) cannot be part of a key of cache"
                        + " 'quotes': its remote tier's default key encoder takes String, Integer, Long, Short, Byte,"
                        + " Double, Float, BigInteger, BigDecimal, Boolean, Character, UUID, enums; select other"
                        + " parameters with @CacheKey, or give the cache a RemoteConfig.custom().keyEncoder(...)");
        assertThatThrownBy(() -> Cachet.proxy(ByList.class, (venue, symbols) -> "x", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ByList.quote(String, List): parameter 2 (List) cannot be part of a key");
        assertThatThrownBy(() -> Cachet.proxy(InvalidateByArray.class, symbols -> {}, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "InvalidateByArray.requote(String[]): parameter 1 (String[]) cannot be part of a key");
    }

    @Test
    void aKeyTheEncoderRefusesAtACallFailsThatCallNamingCacheAndTypeAndCachesNothing() {
        process(invariants.registry(), new CountingQuotes("first"), false);
        AtomicInteger calls = new AtomicInteger();
        ByAnything quotes = Cachet.proxy(
                ByAnything.class,
                new ByAnything() {
                    @Override
                    public String quote(Object key) {
                        return "quote " + calls.incrementAndGet();
                    }

                    @Override
                    public String quote(Number venue, CharSequence symbol) {
                        return "venue quote " + calls.incrementAndGet();
                    }
                },
                invariants.registry());

        assertThat(quotes.quote("AAPL")).isEqualTo("quote 1");
        assertThat(quotes.quote((Object) 42)).isEqualTo("quote 2");
        assertThatThrownBy(() -> quotes.quote(LocalDate.of(2026, 1, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cache 'quotes' has a remote tier whose key encoder cannot encode a key"
                        + " argument of type java.time.LocalDate: keys of type java.time.LocalDate have no default"
                        + " string form");
        assertThatThrownBy(() -> quotes.quote(new java.util.concurrent.atomic.AtomicLong(1), "AAPL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.concurrent.atomic.AtomicLong");
        assertThatThrownBy(() -> quotes.quote(new BitSet()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.BitSet");
        assertThat(calls.get())
                .as("the target is not called for a key that cannot be cached")
                .isEqualTo(2);
        assertThat(quotes.quote(7, "AAPL")).isEqualTo("venue quote 3");
        assertThat(quotes.quote(7, "AAPL")).isEqualTo("venue quote 3");
    }

    @Test
    void aConfiguredKeyEncoderDecidesWhichKeysItTakes() {
        Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().keyEncoder(key -> "text:" + key).build())
                .build();
        AtomicInteger calls = new AtomicInteger();
        ByDate quotes = Cachet.proxy(ByDate.class, day -> "quote " + calls.incrementAndGet(), invariants.registry());

        assertThat(quotes.quote(LocalDate.of(2026, 1, 2))).isEqualTo("quote 1");
        assertThat(quotes.quote(LocalDate.of(2026, 1, 2))).isEqualTo("quote 1");
        assertThat(tier.raw("quotes", "text:2026-01-02")).isNotNull();
    }

    @Test
    void aProxyCreatedBeforeItsCacheIsRegisteredKeepsTheCacheItBuilt() {
        CountingQuotes target = new CountingQuotes("first");
        PlainQuotes quotes = Cachet.proxy(PlainQuotes.class, target::quote, invariants.registry());
        assertThat(quotes.quote("AAPL")).isEqualTo("AAPL from first #1");
        assertThat(invariants.registry().find("quotes").orElseThrow().remoteStats())
                .isEmpty();

        invariants.registry().remove("quotes");
        Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .remote(tier, Utf8Codec.INSTANCE)
                .build();

        assertThat(quotes.quote("AAPL")).as("resolved at creation").isEqualTo("AAPL from first #1");
        assertThat(tier.raw("quotes", "s:AAPL")).isNull();
        PlainQuotes later = Cachet.proxy(PlainQuotes.class, target::quote, invariants.registry());
        assertThat(later.quote("AAPL")).as("a new proxy uses the new cache").isEqualTo("AAPL from first #2");
        assertThat(tier.raw("quotes", "s:AAPL")).isNotNull();
    }

    /**
     * Blocks the thread calling the target until every other caller waits for that call's result, parked in a {@code
     * CompletableFuture} as single-flight waiters are; then none of them can miss and call again.
     */
    private static void awaitOthersWaitingForThisCall(Set<Thread> callers) {
        Thread calling = Thread.currentThread();
        await("the other callers all wait for the call in flight")
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    long waiting = callers.stream()
                            .filter(t -> t != calling)
                            .map(LockSupport::getBlocker)
                            .filter(blocker -> blocker != null
                                    && blocker.getClass()
                                            .getName()
                                            .startsWith("java.util.concurrent.CompletableFuture"))
                            .count();
                    return callers.size() == THREADS && waiting == THREADS - 1;
                });
    }

    private <T> List<T> callTogether(CountingQuotes target, Callable<T> call) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(THREADS);
        target.callers.clear();
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                target.callers.add(Thread.currentThread());
                barrier.await(10, TimeUnit.SECONDS);
                return call.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(10, TimeUnit.SECONDS));
        }
        target.callers.clear();
        return results;
    }
}
