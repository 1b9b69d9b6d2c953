package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CacheRegistryTest {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final long WAIT_SECONDS = 10;
    private static final ValueCodec<Object> CODEC = new ObjectCodec();

    private final CacheRegistry registry = CacheRegistry.create();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void buildingTheSameNameWithEqualSettingsReturnsTheSameCache() {
        Cache<String, String> first =
                Cachet.builder("quotes").registry(registry).maximumSize(10).build();
        first.put("a", "1");
        Cache<String, String> second =
                Cachet.builder("quotes").registry(registry).maximumSize(10).build();
        assertThat(second).isSameAs(first);
        assertThat(second.getIfPresent("a")).isEqualTo("1");
        assertThat(registry.find("quotes")).containsSame(first);
        assertThat(registry.names()).containsExactly("quotes");
    }

    @Test
    void buildingTheSameNameWithOtherValuesNamesTheValueThatDiffers() {
        Cachet.builder("quotes").registry(registry).maximumSize(10).build();
        assertThatThrownBy(() -> Cachet.builder("quotes")
                        .registry(registry)
                        .maximumSize(20)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("a cache named 'quotes' is already registered with another maximumSize:"
                        + " registered 10, requested 20;");
        assertThatThrownBy(() -> Cachet.builder("quotes")
                        .registry(registry)
                        .maximumSize(10)
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another expireAfterWrite: registered none, requested PT1S");
    }

    @Test
    void aDifferentKindOfCacheUnderTheSameNameIsAnError() {
        Cachet.builder("quotes").registry(registry).build();
        assertThatThrownBy(() -> Cachet.builder("quotes").registry(registry).build(k -> "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another kind: registered cache without a loader, requested cache with a loader");
    }

    /**
     * Builders that differ in one option only, each paired with the option's name as the conflict must give it. The
     * two builds of a pair use two distinct instances of the same class, which comparing by class would take as
     * equal.
     */
    static Stream<Arguments> optionsThatDiffer() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        InMemoryRemoteTier otherTier = new InMemoryRemoteTier(Ticker.systemTicker());
        return Stream.of(
                differ("ticker", b -> b.ticker(new FakeTicker()), b -> b.ticker(new FakeTicker())),
                differ("ticker", b -> b, b -> b.ticker(new FakeTicker())),
                differ("executor", b -> b.executor(pooled()), b -> b.executor(pooled())),
                differ("executor", b -> b, b -> b.executor(Runnable::run)),
                differ("copier", b -> b.copier(copier()), b -> b.copier(copier())),
                differ("copier", b -> b, b -> b.copier(Copier.identity())),
                differ("removalListener", b -> b.removalListener(listener()), b -> b.removalListener(listener())),
                differ("onLowHitRatio handler", b -> b.onLowHitRatio(handler()), b -> b.onLowHitRatio(handler())),
                differ("weigher", b -> b.maximumWeight(10, weigher()), b -> b.maximumWeight(10, weigher())),
                differ(
                        "remote tier",
                        b -> b.expireAfterWrite(TTL).remote(tier, CODEC),
                        b -> b.expireAfterWrite(TTL).remote(otherTier, CODEC)),
                differ(
                        "remote codec",
                        b -> b.expireAfterWrite(TTL).remote(tier, CODEC),
                        b -> b.expireAfterWrite(TTL).remote(tier, new ObjectCodec())),
                differ(
                        "remote config",
                        b -> b.expireAfterWrite(TTL).remote(tier, CODEC),
                        b -> b.expireAfterWrite(TTL)
                                .remote(
                                        tier,
                                        CODEC,
                                        RemoteConfig.custom()
                                                .lockWait(Duration.ZERO)
                                                .build())),
                differ(
                        "remote config",
                        b -> b.expireAfterWrite(TTL)
                                .remote(
                                        tier,
                                        CODEC,
                                        RemoteConfig.custom()
                                                .keyEncoder(Object::toString)
                                                .build()),
                        b -> b.expireAfterWrite(TTL)
                                .remote(
                                        tier,
                                        CODEC,
                                        RemoteConfig.custom()
                                                .keyEncoder(Object::toString)
                                                .build())),
                differ(
                        "nearCache",
                        b -> b.expireAfterWrite(TTL).remote(tier, CODEC),
                        b -> b.expireAfterWrite(TTL).remote(tier, CODEC).nearCache(10, Duration.ofSeconds(1))),
                differ("hitRatioWarning threshold", b -> b, b -> b.hitRatioWarning(0.5, 1_000)),
                differ("hitRatioWarning window", b -> b, b -> b.hitRatioWarning(0.8, 10)));
    }

    private static Arguments differ(
            String option,
            UnaryOperator<CacheBuilder<Object, Object>> first,
            UnaryOperator<CacheBuilder<Object, Object>> second) {
        return Arguments.of(option, first, second);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optionsThatDiffer")
    void buildingTheSameNameWithAnotherOptionNamesTheOption(
            String option,
            UnaryOperator<CacheBuilder<Object, Object>> first,
            UnaryOperator<CacheBuilder<Object, Object>> second) {
        Cache<Object, Object> registered =
                first.apply(Cachet.builder("quotes").registry(registry)).build();
        assertThatThrownBy(() -> second.apply(Cachet.builder("quotes").registry(registry))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("a cache named 'quotes' is already registered with another " + option + ":");
        assertThat(registry.find("quotes")).containsSame(registered);
    }

    @Test
    void theSameInstancesMakeTheSameCache() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        FakeTicker ticker = new FakeTicker();
        Executor executor = pooled();
        Consumer<LowHitRatio> handler = handler();
        RemoteConfig config = RemoteConfig.custom().lockWait(Duration.ZERO).build();
        UnaryOperator<CacheBuilder<Object, Object>> options = b -> b.expireAfterWrite(TTL)
                .ticker(ticker)
                .executor(executor)
                .onLowHitRatio(handler)
                .remote(tier, CODEC, config)
                .nearCache(10, Duration.ofSeconds(1));
        Cache<Object, Object> first =
                options.apply(Cachet.builder("quotes").registry(registry)).build();
        Cache<Object, Object> second =
                options.apply(Cachet.builder("quotes").registry(registry)).build();
        assertThat(second).isSameAs(first);

        Copier<Object> copier = copier();
        RemovalListener<Object, Object> listener = listener();
        Weigher<Object, Object> weigher = weigher();
        UnaryOperator<CacheBuilder<Object, Object>> local =
                b -> b.copier(copier).removalListener(listener).maximumWeight(10, weigher);
        assertThat(local.apply(Cachet.builder("local").registry(registry)).build())
                .isSameAs(
                        local.apply(Cachet.builder("local").registry(registry)).build());
    }

    @Test
    void anEqualRemoteConfigMakesTheSameCache() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        UnaryOperator<CacheBuilder<Object, Object>> options = b -> b.expireAfterWrite(TTL)
                .remote(
                        tier,
                        CODEC,
                        RemoteConfig.custom()
                                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                                .clock(Clock.systemUTC())
                                .build());
        assertThat(options.apply(Cachet.builder("quotes").registry(registry)).build())
                .isSameAs(options.apply(Cachet.builder("quotes").registry(registry))
                        .build());
    }

    @Test
    void anUnsetOptionMatchesItsDefaultSetExplicitly() {
        Cache<Object, Object> unset =
                Cachet.builder("quotes").registry(registry).build();
        assertThat(Cachet.builder("quotes").registry(registry).build()).isSameAs(unset);
        assertThat(Cachet.builder("quotes")
                        .registry(registry)
                        .ticker(Ticker.systemTicker())
                        .copier(Copier.defensive())
                        .hitRatioWarning(0.80, 1_000)
                        .build())
                .isSameAs(unset);
    }

    @Test
    void registriesAreIndependent() {
        CacheRegistry other = CacheRegistry.create();
        Cache<String, String> a =
                Cachet.builder("same").registry(registry).maximumSize(1).build();
        Cache<String, String> b =
                Cachet.builder("same").registry(other).maximumSize(2).build();
        assertThat(a).isNotSameAs(b);
        assertThat(registry.find("same")).containsSame(a);
        assertThat(other.find("same")).containsSame(b);
    }

    @Test
    void removeForgetsTheName() {
        Cache<String, String> first = Cachet.builder("x").registry(registry).build();
        assertThat(registry.remove("x")).isTrue();
        assertThat(registry.remove("x")).isFalse();
        assertThat(registry.find("x")).isEmpty();
        Cache<String, String> second =
                Cachet.builder("x").registry(registry).maximumSize(3).build();
        assertThat(second).isNotSameAs(first);
    }

    @Test
    void listenersHearOfNewCachesOnly() {
        Cachet.builder("before").registry(registry).build();
        List<String> heard = new ArrayList<>();
        registry.onRegistration(cache -> heard.add(cache.name()));
        Cachet.builder("after").registry(registry).build();
        Cachet.builder("after").registry(registry).build(); // same settings: the existing cache, no new event
        assertThat(heard).containsExactly("after");
        assertThat(registry.caches()).extracting(Cache::name).containsExactlyInAnyOrder("before", "after");
    }

    @Test
    void threadsRacingOnOneNameGetOneCacheAndTheLosersReleaseTheirSubscriptions() throws Exception {
        int threads = 4;
        // Every thread is inside its build (subscribing) before any finishes it: all of them build, one registers.
        CyclicBarrier allBuilding = new CyclicBarrier(threads);
        TrackingTier tier = new TrackingTier(name -> await(allBuilding));
        List<Cache<?, ?>> heard = new CopyOnWriteArrayList<>();
        registry.onRegistration(heard::add);

        List<Future<Cache<Object, Object>>> builds = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            builds.add(pool.submit(() -> Cachet.builder("quotes")
                    .registry(registry)
                    .expireAfterWrite(TTL)
                    .remote(tier, CODEC)
                    .nearCache(10, Duration.ofSeconds(1))
                    .build()));
        }
        List<Cache<Object, Object>> results = new ArrayList<>();
        for (Future<Cache<Object, Object>> build : builds) {
            results.add(build.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }

        Cache<?, ?> winner = registry.find("quotes").orElseThrow();
        assertThat(results)
                .as("every thread gets the registered cache")
                .allSatisfy(cache -> assertThat(cache).isSameAs(winner));
        assertThat(heard).as("listeners hear of the winner, once").containsExactly(winner);
        assertThat(tier.channels).as("every thread built").hasSize(threads);
        assertThat(tier.channels)
                .as("only the winner keeps its subscription")
                .filteredOn(channel -> !channel.closed.get())
                .hasSize(1);
    }

    @Test
    void aLoserWithOtherSettingsGetsAConflictAndReleasesWhatItBuilt() throws Exception {
        CyclicBarrier bothBuilding = new CyclicBarrier(2);
        TrackingTier tier = new TrackingTier(name -> await(bothBuilding));
        List<Cache<?, ?>> heard = new CopyOnWriteArrayList<>();
        registry.onRegistration(heard::add);

        List<Future<Cache<Object, Object>>> builds = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FakeTicker ticker = new FakeTicker(); // a ticker of its own: the two builds conflict
            builds.add(pool.submit(() -> Cachet.builder("quotes")
                    .registry(registry)
                    .expireAfterWrite(TTL)
                    .ticker(ticker)
                    .remote(tier, CODEC)
                    .nearCache(10, Duration.ofSeconds(1))
                    .build()));
        }
        List<Cache<Object, Object>> won = new ArrayList<>();
        List<Throwable> lost = new ArrayList<>();
        for (Future<Cache<Object, Object>> build : builds) {
            try {
                won.add(build.get(WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                lost.add(e.getCause());
            }
        }

        assertThat(won).singleElement().isSameAs(registry.find("quotes").orElseThrow());
        assertThat(lost)
                .singleElement()
                .isInstanceOf(IllegalStateException.class)
                .extracting(Throwable::getMessage)
                .asString()
                .startsWith("a cache named 'quotes' is already registered with another ticker:");
        assertThat(heard).containsExactly(won.get(0));
        assertThat(tier.channels).filteredOn(channel -> channel.closed.get()).hasSize(1);
    }

    @Test
    void aSlowBuildOfOneNameDoesNotHoldUpAnother() throws Exception {
        // "Aa" and "BB" have the same hash code, so they share a bin of the registry's map whatever its size: a build
        // inside computeIfAbsent would hold the lock that registering "BB" needs.
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        CountDownLatch slowBuildStarted = new CountDownLatch(1);
        CountDownLatch releaseSlowBuild = new CountDownLatch(1);
        TrackingTier tier = new TrackingTier(name -> {
            slowBuildStarted.countDown();
            awaitQuietly(releaseSlowBuild);
        });
        CompletableFuture<Cache<Object, Object>> slow = CompletableFuture.supplyAsync(
                () -> Cachet.builder("Aa")
                        .registry(registry)
                        .expireAfterWrite(TTL)
                        .remote(tier, CODEC)
                        .nearCache(10, Duration.ofSeconds(1))
                        .build(),
                pool);
        try {
            assertThat(slowBuildStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Cache<Object, Object>> other = CompletableFuture.supplyAsync(
                    () -> Cachet.builder("BB").registry(registry).build(), pool);
            assertThat(other).succeedsWithin(Duration.ofSeconds(WAIT_SECONDS));
            assertThat(registry.names())
                    .as("the slow build has not registered yet")
                    .containsExactly("BB");
        } finally {
            releaseSlowBuild.countDown();
        }
        assertThat(slow).succeedsWithin(Duration.ofSeconds(WAIT_SECONDS));
        assertThat(registry.names()).containsExactlyInAnyOrder("Aa", "BB");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the builds did not overlap", e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A new executor each call (a non-capturing lambda would be one shared instance). */
    private static Executor pooled() {
        return new Executor() {
            @Override
            public void execute(Runnable command) {
                command.run();
            }
        };
    }

    private static Copier<Object> copier() {
        return new Copier<>() {
            @Override
            public Object copy(Object value) {
                return value;
            }
        };
    }

    private static RemovalListener<Object, Object> listener() {
        return new RemovalListener<>() {
            @Override
            public void onRemoval(Object key, Object value, RemovalCause cause) {}
        };
    }

    private static Consumer<LowHitRatio> handler() {
        return new Consumer<>() {
            @Override
            public void accept(LowHitRatio low) {}
        };
    }

    private static Weigher<Object, Object> weigher() {
        return new Weigher<>() {
            @Override
            public int weigh(Object key, Object value) {
                return 1;
            }
        };
    }

    /** Encodes values as their text, like {@link Utf8Codec}; typed for the builders' {@code Object} values. */
    private static final class ObjectCodec implements ValueCodec<Object> {
        @Override
        public String id() {
            return Utf8Codec.INSTANCE.id();
        }

        @Override
        public byte[] encode(Object value) {
            return Utf8Codec.INSTANCE.encode(value.toString());
        }

        @Override
        public Object decode(byte[] bytes) {
            return Utf8Codec.INSTANCE.decode(bytes);
        }
    }

    /** The in-memory tier, with a hook run when a near cache asks for its channel, and channels that record close. */
    private static final class TrackingTier implements RemoteTier {
        private final InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        private final Consumer<String> onInvalidations;
        final List<TrackedChannel> channels = new CopyOnWriteArrayList<>();

        TrackingTier(Consumer<String> onInvalidations) {
            this.onInvalidations = onInvalidations;
        }

        @Override
        public RemoteStore store(String cacheName) {
            return tier.store(cacheName);
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            TrackedChannel channel = new TrackedChannel(tier.invalidations(cacheName));
            channels.add(channel);
            onInvalidations.accept(cacheName);
            return channel;
        }

        @Override
        public String describe() {
            return "tracking " + tier.describe();
        }

        @Override
        public void close() {
            tier.close();
        }
    }

    private static final class TrackedChannel implements InvalidationChannel {
        private final InvalidationChannel channel;
        final AtomicBoolean closed = new AtomicBoolean();

        TrackedChannel(InvalidationChannel channel) {
            this.channel = channel;
        }

        @Override
        public void subscribe(InvalidationListener listener) {
            channel.subscribe(listener);
        }

        @Override
        public void publish(String key) {
            channel.publish(key);
        }

        @Override
        public void publishAll() {
            channel.publishAll();
        }

        @Override
        public boolean isConnected() {
            return channel.isConnected();
        }

        @Override
        public void close() {
            closed.set(true);
            channel.close();
        }
    }
}
