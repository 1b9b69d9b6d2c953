package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The asynchronous view of a remote and of a near cache over the in-memory tier: every tier call runs on the executor,
 * and single flight, failures and puts behave as in memory. Each registry stands for one process.
 */
class AsyncRemoteCacheTest {
    private static final int THREADS = 8;

    private final FakeTicker clock = new FakeTicker();
    private final InMemoryRemoteTier memory = new InMemoryRemoteTier(clock);
    private final ThreadRecordingTier tier = new ThreadRecordingTier(memory);
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, runnable -> {
        Thread thread = new Thread(runnable, "async-remote-test");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void noTierCallRanOnTheTestThread() {
        assertThat(tier.threads)
                .isNotEmpty()
                .allSatisfy(thread -> assertThat(thread)
                        .as("a tier call ran on the caller's thread")
                        .isEqualTo("async-remote-test"));
    }

    private AsyncCache<String, String> process(boolean near) {
        CacheBuilder<Object, String> builder = Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .ticker(clock)
                .executor(pool)
                .expireAfterWrite(Duration.ofMinutes(5))
                .remote(tier, Utf8Codec.INSTANCE);
        if (near) {
            builder.nearCache(100, Duration.ofSeconds(10));
        }
        return builder.<String, String>buildAsync();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        return future.handle((value, failure) -> failure).join();
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void aLoadRunsOnTheExecutorAndOtherProcessesReadItsValue(boolean near) {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        List<String> loaderThreads = new CopyOnWriteArrayList<>();

        assertThat(a.get("AAPL", key -> {
                            loaderThreads.add(Thread.currentThread().getName());
                            return key + "=1";
                        })
                        .join())
                .isEqualTo("AAPL=1");
        assertThat(b.get("AAPL", key -> "loaded again").join()).isEqualTo("AAPL=1");
        assertThat(b.getIfPresent("AAPL"))
                .isNotNull()
                .succeedsWithin(Duration.ofSeconds(10))
                .isEqualTo("AAPL=1");

        assertThat(loaderThreads).containsExactly("async-remote-test");
        assertThat(a.synchronous().stats().loadSuccessCount()).isEqualTo(1);
        assertThat(b.synchronous().stats().loadSuccessCount()).isZero();
        assertThat(b.synchronous().stats().hitCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void getIfPresentOfAnAbsentKeyIsAFutureOfNull(boolean near) {
        AsyncCache<String, String> cache = process(near);

        assertThat(cache.getIfPresent("AAPL"))
                .isNotNull()
                .succeedsWithin(Duration.ofSeconds(10))
                .isNull();
        assertThat(cache.synchronous().stats().missCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void callersThatMissTogetherShareOneLoadOfTheFutureLoader(boolean near) {
        AsyncCache<String, String> cache = process(near);
        CompletableFuture<String> source = new CompletableFuture<>();
        AtomicInteger loads = new AtomicInteger();

        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(cache.get("AAPL", (key, executor) -> {
                loads.incrementAndGet();
                return source;
            }));
        }
        assertThat(futures).noneMatch(CompletableFuture::isDone);
        source.complete("AAPL=1");

        assertThat(futures)
                .allSatisfy(future -> assertThat(future)
                        .succeedsWithin(Duration.ofSeconds(10))
                        .isEqualTo("AAPL=1"));
        assertThat(loads).hasValue(1);
        assertThat(cache.synchronous().stats().loadSuccessCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void cancellingOneCallersFutureDoesNotCancelTheSharedLoad(boolean near) {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> first = a.get("AAPL", (key, executor) -> source);
        CompletableFuture<String> second = a.get("AAPL", (key, executor) -> source);

        first.cancel(true);
        source.complete("AAPL=1");

        assertThat(second).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("AAPL=1");
        assertThat(source).isCompletedWithValue("AAPL=1");
        assertThat(b.get("AAPL", key -> "loaded again").join()).isEqualTo("AAPL=1");
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void aFailedFutureIsNeverCachedAndReachesTheCallerUnchanged(boolean near) {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        IllegalStateException down = new IllegalStateException("exchange closed");

        assertThat(failureOf(a.get("AAPL", (key, executor) -> CompletableFuture.failedFuture(down))))
                .isSameAs(down);
        assertThat(failureOf(a.get("AAPL", (key, executor) -> null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("null future for key AAPL");
        assertThat(failureOf(a.get("AAPL", (key, executor) -> {
                    throw down;
                })))
                .isSameAs(down);

        assertThat(b.getIfPresent("AAPL"))
                .isNotNull()
                .succeedsWithin(Duration.ofSeconds(10))
                .isNull();
        assertThat(a.synchronous().stats().loadFailureCount()).isEqualTo(3);
        assertThat(a.get("AAPL", key -> "AAPL=2").join()).isEqualTo("AAPL=2");
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void aPutReachesOtherProcessesWhenItsFutureCompletesAndAFailedOneWritesNothing(boolean near) {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        CompletableFuture<String> value = new CompletableFuture<>();

        a.put("AAPL", CompletableFuture.failedFuture(new IllegalStateException("no quote")));
        a.put("AAPL", value);
        assertThat(b.getIfPresent("AAPL"))
                .isNotNull()
                .succeedsWithin(Duration.ofSeconds(10))
                .isNull();
        value.complete("AAPL=1");

        // The write runs on the executor, after the future completed: b sees it once it has landed.
        await("the put reaches the other process")
                .untilAsserted(() -> assertThat(b.getIfPresent("AAPL"))
                        .isNotNull()
                        .succeedsWithin(Duration.ofSeconds(10))
                        .isEqualTo("AAPL=1"));
        assertThat(a.synchronous().stats().putCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void getAllLoadsTheMissingKeysOnTheExecutor(boolean near) {
        AsyncCache<String, String> cache = process(near);
        cache.synchronous().put("a", "A");
        tier.threads.clear(); // that put ran on this thread, as synchronous calls do

        Map<String, String> values = cache.getAll(List.of("a", "b"), keys -> {
                    assertThat(Set.<String>copyOf(keys)).containsExactly("b");
                    return Map.of("b", "B");
                })
                .join();

        assertThat(values).containsExactly(Map.entry("a", "A"), Map.entry("b", "B"));
        assertThat(cache.getIfPresent("b"))
                .isNotNull()
                .succeedsWithin(Duration.ofSeconds(10))
                .isEqualTo("B");
    }

    /** Records the thread of every call that reaches the tier's stores. */
    static final class ThreadRecordingTier extends ForwardingRemoteTier {
        final List<String> threads = new CopyOnWriteArrayList<>();

        ThreadRecordingTier(InMemoryRemoteTier delegate) {
            super(delegate, "thread-recording");
        }

        @Override
        public RemoteStore store(String cacheName) {
            return new ForwardingRemoteStore(delegate().store(cacheName)) {
                private void record() {
                    threads.add(Thread.currentThread().getName());
                }

                @Override
                public Lookup lookup(String key, long maxBytes) {
                    record();
                    return super.lookup(key, maxBytes);
                }

                @Override
                public void put(String key, byte[] value, Duration ttl) {
                    record();
                    super.put(key, value, ttl);
                }

                @Override
                public boolean putIfUnchanged(String key, byte[] value, Duration ttl, long lease) {
                    record();
                    return super.putIfUnchanged(key, value, ttl, lease);
                }

                @Override
                public void delete(String key) {
                    record();
                    super.delete(key);
                }

                @Override
                public OptionalLong deleteIfUnchanged(String key, byte[] expected) {
                    record();
                    return super.deleteIfUnchanged(key, expected);
                }

                @Override
                public Optional<RemoteLock> tryLock(String key, Duration lease) {
                    record();
                    return super.tryLock(key, lease);
                }
            };
        }
    }
}
