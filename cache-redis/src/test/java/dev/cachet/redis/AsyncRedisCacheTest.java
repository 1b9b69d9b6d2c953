package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.AsyncCache;
import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The asynchronous cache over real Redis, remote-only and near, with two processes (two caches of one name, each with
 * its own registry and its own tier): one load across both, failures never written, and no Redis call on a caller's
 * thread.
 */
@RedisTest
class AsyncRedisCacheTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static RedisServer redis;

    private final String name = "async-" + NAMES.incrementAndGet();
    private final List<RedisTier> tiers = new ArrayList<>();
    private final List<AsyncCache<?, ?>> caches = new ArrayList<>();
    private final List<String> tierThreads = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(8, runnable -> {
        Thread thread = new Thread(runnable, "async-redis-test");
        thread.setDaemon(true);
        return thread;
    });

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
    }

    @AfterEach
    void checkAndDisconnect() throws InterruptedException {
        try {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            for (AsyncCache<?, ?> cache : caches) {
                CacheInvariants.check(cache.synchronous());
                assertThat(CacheInvariants.loadsInFlight(cache.synchronous())).isZero();
            }
            assertThat(tierThreads)
                    .as("threads of Redis calls")
                    .isNotEmpty()
                    .allSatisfy(thread -> assertThat(thread).isEqualTo("async-redis-test"));
        } finally {
            tiers.forEach(RedisTier::close);
        }
    }

    private AsyncCache<String, String> process(boolean near) {
        RedisTier tier = RedisTier.connect(redis.uri());
        tiers.add(tier);
        CacheBuilder<Object, String> builder = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .executor(pool)
                .expireAfterWrite(Duration.ofMinutes(1))
                .remote(
                        new ThreadRecordingTier(tier, tierThreads),
                        Codec.string(),
                        RemoteConfig.custom().lockWait(AWAIT).build());
        if (near) {
            builder.nearCache(100, Duration.ofMinutes(1));
        }
        AsyncCache<String, String> cache = builder.<String, String>buildAsync();
        caches.add(cache);
        return cache;
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void twoProcessesMissingOneKeyLoadItOnce(boolean near) throws InterruptedException {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        CompletableFuture<String> source = new CompletableFuture<>();
        CountDownLatch loading = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();

        CompletableFuture<String> first = a.get("k", (key, executor) -> {
            loads.incrementAndGet();
            loading.countDown();
            return source;
        });
        assertThat(loading.await(10, TimeUnit.SECONDS))
                .as("a holds the load lock")
                .isTrue();
        CompletableFuture<String> second = b.get("k", (key, executor) -> {
            loads.incrementAndGet();
            return CompletableFuture.completedFuture("b's own load");
        });
        CompletableFuture<String> third = a.get("k", key -> "a's second load");
        assertThat(second).isNotDone();
        source.complete("v1");

        assertThat(first).succeedsWithin(AWAIT).isEqualTo("v1");
        assertThat(second).succeedsWithin(AWAIT).isEqualTo("v1");
        assertThat(third).succeedsWithin(AWAIT).isEqualTo("v1");
        assertThat(loads).as("one load across both processes").hasValue(1);
        assertThat(a.synchronous().stats().loadSuccessCount()).isEqualTo(1);
        assertThat(b.synchronous().stats().loadSuccessCount()).isZero();
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void aFailedFutureIsNotWrittenAndTheNextCallLoadsAgain(boolean near) {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        IllegalStateException down = new IllegalStateException("source down");

        CompletableFuture<String> failed = a.get("k", (key, executor) -> CompletableFuture.failedFuture(down));

        assertThat(failed.handle((value, failure) -> failure).join()).isSameAs(down);
        assertThat(b.getIfPresent("k")).isNotNull().succeedsWithin(AWAIT).isNull();
        assertThat(b.get("k", key -> "v2")).succeedsWithin(AWAIT).isEqualTo("v2");
        assertThat(a.get("k", key -> "not loaded")).succeedsWithin(AWAIT).isEqualTo("v2");
    }

    @ParameterizedTest(name = "near={0}")
    @ValueSource(booleans = {false, true})
    void cancellingACallersFutureLeavesTheLoadToFinishForTheOthers(boolean near) {
        AsyncCache<String, String> a = process(near);
        AsyncCache<String, String> b = process(near);
        CompletableFuture<String> source = new CompletableFuture<>();

        CompletableFuture<String> cancelled = a.get("k", (key, executor) -> source);
        CompletableFuture<String> kept = a.get("k", (key, executor) -> source);
        cancelled.cancel(true);
        source.complete("v1");

        assertThat(kept).succeedsWithin(AWAIT).isEqualTo("v1");
        assertThat(b.get("k", key -> "loaded again")).succeedsWithin(AWAIT).isEqualTo("v1");
    }

    /** Records the thread of every call that reaches the tier's stores. */
    private static final class ThreadRecordingTier extends ForwardingRemoteTier {
        private final List<String> threads;

        ThreadRecordingTier(RemoteTier delegate, List<String> threads) {
            super(delegate, "thread-recording");
            this.threads = threads;
        }

        @Override
        public RemoteStore store(String cacheName) {
            return new ForwardingRemoteStore(delegate().store(cacheName)) {
                @Override
                public Lookup lookup(String key, long maxBytes) {
                    threads.add(Thread.currentThread().getName());
                    return super.lookup(key, maxBytes);
                }

                @Override
                public boolean putIfUnchanged(String key, byte[] value, java.time.Duration ttl, long lease) {
                    threads.add(Thread.currentThread().getName());
                    return super.putIfUnchanged(key, value, ttl, lease);
                }

                @Override
                public Optional<RemoteLock> tryLock(String key, java.time.Duration lease) {
                    threads.add(Thread.currentThread().getName());
                    return super.tryLock(key, lease);
                }
            };
        }
    }
}
