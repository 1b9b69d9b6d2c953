package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.InvalidationListener;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.RemoteWrite;
import dev.cachet.testing.FakeTicker;
import dev.cachet.testing.ForwardingRemoteStore;
import dev.cachet.testing.ForwardingRemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bulk operations ({@code getAll}, {@code putAll}, {@code invalidateAll(keys)}) on every kind of cache, over the
 * in-memory tier: each remote or near cache with its own registry stands for one process. A counting tier shows that
 * a remote cache uses the store's bulk calls, once per operation; the rules of {@code get} (fail-open, pending
 * invalidations, cacheNulls, staleIfError) hold for them too.
 */
@Timeout(10)
class BulkOperationsTest {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(10);

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryRemoteTier shared = new InMemoryRemoteTier(ticker);
    private final CountingTier tier = new CountingTier(shared);

    private CacheBuilder<Object, Object> builder() {
        return Cachet.builder("prices")
                .registry(CacheRegistry.create())
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfterWrite(TTL);
    }

    private Cache<String, String> remote(CacheBuilder<Object, Object> builder) {
        return builder.remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(ticker.clock()).build())
                .build();
    }

    private Cache<String, String> near(CacheBuilder<Object, Object> builder) {
        return builder.remote(
                        tier,
                        Utf8Codec.INSTANCE,
                        RemoteConfig.custom().clock(ticker.clock()).build())
                .nearCache(1_000, TTL)
                .build();
    }

    private static Map<String, String> values(String prefix, int count) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            values.put("k" + i, prefix + i);
        }
        return values;
    }

    private static Map<String, String> loadAll(Set<? extends String> keys) {
        Map<String, String> loaded = new LinkedHashMap<>();
        keys.forEach(key -> loaded.put(key, "loaded-" + key));
        return loaded;
    }

    @Nested
    class RemoteTierCalls {
        @Test
        void getAllReadsOnceLoadsOnceAndWritesOnce() {
            Cache<String, String> cache = remote(builder());
            cache.put("k0", "present");
            tier.reset();
            AtomicInteger bulkLoads = new AtomicInteger();

            Map<String, String> all = cache.getAll(List.of("k0", "k1", "k2"), keys -> {
                bulkLoads.incrementAndGet();
                assertThat(List.<String>copyOf(keys)).containsExactly("k1", "k2");
                return loadAll(keys);
            });

            assertThat(all)
                    .containsExactly(
                            Map.entry("k0", "present"), Map.entry("k1", "loaded-k1"), Map.entry("k2", "loaded-k2"));
            assertThat(bulkLoads).hasValue(1);
            assertThat(tier.calls()).containsExactly("lookupAll[3]", "putAllIfUnchanged[2]");
            assertThat(remote(builder()).getAllPresent(List.of("k1", "k2"))).hasSize(2);
        }

        @Test
        void getAllPresentIsOneReadAndANearCacheKeepsWhatItRead() {
            remote(builder()).putAll(values("v", 30));
            Cache<String, String> near = near(builder());
            tier.reset();

            assertThat(near.getAllPresent(values("v", 40).keySet())).isEqualTo(values("v", 30));
            assertThat(near.getAllPresent(values("v", 30).keySet())).isEqualTo(values("v", 30));

            assertThat(tier.calls()).containsExactly("peekAll[40]");
            assertThat(near.nearStats().orElseThrow().hits()).isEqualTo(30);
        }

        @Test
        void putAllAndInvalidateAllOfKeysAreOneCallEach() {
            Cache<String, String> cache = remote(builder());
            tier.reset();

            cache.putAll(values("v", 50));
            cache.invalidateAll(values("v", 50).keySet());

            assertThat(tier.calls()).containsExactly("putAll[50]", "deleteEach[50]");
            assertThat(remote(builder()).getAllPresent(values("v", 50).keySet()))
                    .isEmpty();
        }

        @Test
        void aNearCachePublishesOneMessagePerBatch() {
            Cache<String, String> a = near(builder());
            Cache<String, String> b = near(builder());
            assertThat(b.getAll(values("v", 20).keySet(), BulkOperationsTest::loadAll))
                    .hasSize(20);
            tier.reset();

            a.putAll(values("new", 20));
            assertThat(b.getAll(values("v", 20).keySet(), keys -> Map.of())).isEqualTo(values("new", 20));
            a.invalidateAll(values("v", 20).keySet());
            assertThat(b.getAll(values("v", 20).keySet(), keys -> Map.of())).isEmpty();

            assertThat(tier.messages())
                    .containsExactly("publishAhead[20]", "publishEach[20]", "publishAhead[20]", "publishEach[20]");
        }

        /**
         * A near cache announces a bulk write, once for the batch, before the remote write goes out (other processes
         * drop their copies while it is on its way), as it does a single-key one; an empty batch sends nothing.
         */
        @Test
        void aNearCacheAnnouncesABulkWriteAheadOfTheRemoteWrite() {
            Cache<String, String> a = near(builder());
            tier.reset();

            a.putAll(values("v", 20));
            a.invalidateAll(values("v", 20).keySet());
            a.putAll(Map.of());
            a.invalidateAll(List.of());

            assertThat(tier.sequence())
                    .containsExactly(
                            "publishAhead[20]",
                            "putAll[20]",
                            "publishEach[20]",
                            "publishAhead[20]",
                            "deleteEach[20]",
                            "publishEach[20]");
        }

        @Test
        void aWriteDuringABulkLoadIsNotUndone() {
            Cache<String, String> a = remote(builder());
            Cache<String, String> b = near(builder());

            Map<String, String> all = b.getAll(List.of("k", "j"), keys -> {
                a.put("k", "new");
                a.invalidate("j");
                return Map.of("k", "old", "j", "old");
            });

            assertThat(all).containsEntry("k", "old").containsEntry("j", "old");
            assertThat(remote(builder()).getIfPresent("k")).isEqualTo("new");
            assertThat(remote(builder()).getIfPresent("j")).isNull();
            assertThat(b.getIfPresent("k")).as("B's near tier").isEqualTo("new");
            assertThat(b.getIfPresent("j")).isNull();
        }
    }

    @Nested
    class FailurePolicy {
        @Test
        void aGetAllWhileTheTierIsDownReturnsTheLoadersValues() {
            Cache<String, String> cache = remote(builder());
            shared.setDown(true);

            assertThat(cache.getAll(List.of("a", "b"), BulkOperationsTest::loadAll))
                    .containsExactly(Map.entry("a", "loaded-a"), Map.entry("b", "loaded-b"));
            assertThat(cache.remoteStats().orElseThrow().errors()).isPositive();
        }

        @Test
        void anInvalidateAllOfKeysThatFailsIsPendingAndAppliedOnceTheTierIsBack() {
            Cache<String, String> cache = remote(builder());
            Cache<String, String> other = remote(builder());
            cache.putAll(values("v", 10));
            shared.setDown(true);

            cache.invalidateAll(values("v", 10).keySet());

            assertThat(cache.remoteStats().orElseThrow().pendingInvalidations()).isEqualTo(10);
            shared.setDown(false);
            assertThat(cache.getAll(List.of("unrelated"), keys -> Map.of())).isEmpty(); // applies them first
            assertThat(cache.remoteStats().orElseThrow().pendingInvalidations()).isZero();
            assertThat(other.getAllPresent(values("v", 10).keySet())).isEmpty();
        }

        @Test
        void aPutAllThatFailsLeavesItsKeysPendingInvalidation() {
            Cache<String, String> cache = remote(builder());
            Cache<String, String> other = remote(builder());
            other.putAll(values("old", 5));
            shared.setDown(true);

            cache.putAll(values("new", 5));

            assertThat(cache.remoteStats().orElseThrow().pendingInvalidations()).isEqualTo(5);
            shared.setDown(false);
            cache.getIfPresent("unrelated");
            assertThat(other.getAllPresent(values("old", 5).keySet()))
                    .as("the old values are gone, never kept")
                    .isEmpty();
        }
    }

    @Nested
    class NullsAndStaleValues {
        @Test
        void withCacheNullsAKeyTheBulkLoaderLeavesOutIsCachedAsNullOnEveryTier() {
            List<Cache<String, String>> caches = List.of(
                    builder().cacheNulls(Duration.ofSeconds(30)).build(),
                    remote(builder().cacheNulls(Duration.ofSeconds(30))),
                    near(builder().cacheNulls(Duration.ofSeconds(30))));
            int i = 0;
            for (Cache<String, String> cache : caches) {
                // Keys of their own: the remote and near caches share the tier.
                String found = "found" + i;
                String absent = "absent" + i++;
                List<Set<String>> asked = new ArrayList<>();
                for (int call = 0; call < 2; call++) {
                    Map<String, String> all = cache.getAll(List.of(found, absent), keys -> {
                        asked.add(Set.copyOf(keys));
                        return Map.of(found, "1");
                    });
                    assertThat(all).containsExactly(Map.entry(found, "1"));
                }
                assertThat(asked).as(cache.toString()).containsExactly(Set.of(found, absent));
                assertThat(cache.get(absent, key -> "loaded"))
                        .as("a cached null")
                        .isNull();
            }
        }

        @Test
        void withoutCacheNullsAKeyTheBulkLoaderLeavesOutIsAskedForAgain() {
            Cache<String, String> cache = remote(builder());
            AtomicInteger asked = new AtomicInteger();
            for (int call = 0; call < 2; call++) {
                cache.getAll(List.of("absent"), keys -> {
                    asked.incrementAndGet();
                    return Map.of();
                });
            }
            assertThat(asked).hasValue(2);
        }

        @Test
        void aFailedBulkLoadServesExpiredValuesWithinTheGraceOnEveryTier() {
            List<Cache<String, String>> caches = List.of(
                    builder().staleIfError(GRACE).build(),
                    remote(builder().staleIfError(GRACE)),
                    near(builder().staleIfError(GRACE)));
            for (Cache<String, String> cache : caches) {
                cache.putAll(Map.of("a", "1", "b", "2"));
            }
            ticker.advance(TTL.plusSeconds(1));
            for (Cache<String, String> cache : caches) {
                Map<String, String> all = cache.getAll(List.of("a", "b"), keys -> {
                    throw new IllegalStateException("source down");
                });
                assertThat(all).as(cache.toString()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
                assertThat(cache.stats().staleServedCount())
                        .as(cache.toString())
                        .isEqualTo(2);
                assertThatIllegalStateException()
                        .as("a key without a stale value: the failure")
                        .isThrownBy(() -> cache.getAll(List.of("a", "never"), keys -> {
                            throw new IllegalStateException("source down");
                        }));
            }
        }

        @Test
        void aFailedBulkLoadWithoutStaleIfErrorThrows() {
            Cache<String, String> cache = remote(builder());
            cache.put("a", "1");
            ticker.advance(TTL.plusSeconds(1));
            assertThatThrownBy(() -> cache.getAll(List.of("a"), keys -> {
                        throw new IllegalStateException("source down");
                    }))
                    .hasMessage("source down");
        }
    }

    @Nested
    class EveryKindOfCache {
        @Test
        void putAllAndInvalidateAllOfKeysWorkInMemoryAndThroughLoadingAndAsyncViews() {
            List<Cache<String, String>> caches = List.of(
                    builder().build(),
                    builder().build(key -> "loaded"),
                    remote(builder()),
                    near(builder()),
                    builder().remote(tier, Utf8Codec.INSTANCE).build(key -> "loaded"),
                    builder()
                            .remote(tier, Utf8Codec.INSTANCE)
                            .nearCache(10, TTL)
                            .<String, String>buildAsync()
                            .synchronous());
            int i = 0;
            for (Cache<String, String> cache : caches) {
                Map<String, String> entries = Map.of("x" + i, "1", "y" + i, "2");
                cache.putAll(entries);
                assertThat(cache.getAllPresent(entries.keySet()))
                        .as(cache.toString())
                        .isEqualTo(entries);
                cache.invalidateAll(entries.keySet());
                assertThat(cache.getAllPresent(entries.keySet()))
                        .as(cache.toString())
                        .isEmpty();
                assertThatNullPointerException()
                        .isThrownBy(() -> cache.invalidateAll(java.util.Arrays.asList("a", null)));
                Map<String, String> withNull = new HashMap<>();
                withNull.put("z", null);
                assertThatNullPointerException().isThrownBy(() -> cache.putAll(withNull));
                i++;
            }
        }

        @Test
        void aForwardingCacheUsesTheBulkCallsNotOneCallPerKey() {
            LoadingCache<String, String> loading =
                    builder().remote(tier, Utf8Codec.INSTANCE).build(key -> "loaded");
            tier.reset();

            loading.putAll(values("v", 10));
            loading.invalidateAll(values("v", 10).keySet());

            assertThat(tier.calls()).containsExactly("putAll[10]", "deleteEach[10]");
        }

        @Test
        void anInMemoryPutAllStoresNothingWhenAValueCannotBeCopied() {
            Cache<String, Object> cache = Cachet.builder("copies")
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(TTL)
                    .copier((Object value) -> {
                        if (value.equals("bad")) {
                            throw new IllegalArgumentException("cannot copy");
                        }
                        return value;
                    })
                    .build();
            Map<String, Object> entries = new LinkedHashMap<>();
            entries.put("good", "1");
            entries.put("bad", "bad");

            assertThatThrownBy(() -> cache.putAll(entries)).isInstanceOf(IllegalArgumentException.class);
            assertThat(cache.getIfPresent("good")).isNull();
        }
    }

    /** Records the bulk calls a process makes to the store, and its invalidation messages. */
    private static final class CountingTier extends ForwardingRemoteTier {
        private final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<String> sequence = new java.util.concurrent.CopyOnWriteArrayList<>();

        CountingTier(RemoteTier shared) {
            super(shared, "counting");
        }

        void reset() {
            calls.clear();
            messages.clear();
            sequence.clear();
        }

        private void call(String call) {
            calls.add(call);
            sequence.add(call);
        }

        private void message(String message) {
            messages.add(message);
            sequence.add(message);
        }

        List<String> calls() {
            return List.copyOf(calls);
        }

        List<String> messages() {
            return List.copyOf(messages);
        }

        /** Returns the store calls and the messages together, in the order they were made. */
        List<String> sequence() {
            return List.copyOf(sequence);
        }

        @Override
        public RemoteStore store(String cacheName) {
            return new ForwardingRemoteStore(delegate().store(cacheName)) {
                @Override
                public Lookup lookup(String key, long maxBytes) {
                    call("lookup");
                    return super.lookup(key, maxBytes);
                }

                @Override
                public List<Lookup> lookupAll(List<String> keys, long maxBytes) {
                    call("lookupAll[" + keys.size() + "]");
                    return delegate().lookupAll(keys, maxBytes);
                }

                @Override
                public List<Optional<byte[]>> peekAll(List<String> keys, long maxBytes) {
                    call("peekAll[" + keys.size() + "]");
                    return delegate().peekAll(keys, maxBytes);
                }

                @Override
                public void put(String key, byte[] value, Duration ttl) {
                    call("put");
                    super.put(key, value, ttl);
                }

                @Override
                public void putAll(List<RemoteWrite> writes) {
                    call("putAll[" + writes.size() + "]");
                    delegate().putAll(writes);
                }

                @Override
                public List<Boolean> putAllIfUnchanged(List<RemoteWrite> writes, long[] leases) {
                    call("putAllIfUnchanged[" + writes.size() + "]");
                    return delegate().putAllIfUnchanged(writes, leases);
                }

                @Override
                public void delete(String key) {
                    call("delete");
                    super.delete(key);
                }

                @Override
                public void deleteEach(Collection<String> keys) {
                    call("deleteEach[" + keys.size() + "]");
                    delegate().deleteEach(keys);
                }
            };
        }

        @Override
        public InvalidationChannel invalidations(String cacheName) {
            InvalidationChannel channel = delegate().invalidations(cacheName);
            return new InvalidationChannel() {
                @Override
                public void subscribe(InvalidationListener listener) {
                    channel.subscribe(listener);
                }

                @Override
                public void publish(String key) {
                    message("publish");
                    channel.publish(key);
                }

                @Override
                public void publishEach(Collection<String> keys) {
                    message("publishEach[" + keys.size() + "]");
                    channel.publishEach(keys);
                }

                @Override
                public void publishAhead(Collection<String> keys) {
                    message("publishAhead[" + keys.size() + "]");
                    channel.publishAhead(keys);
                }

                @Override
                public void publishAll() {
                    message("publishAll");
                    channel.publishAll();
                }

                @Override
                public boolean isConnected() {
                    return channel.isConnected();
                }

                @Override
                public void close() {
                    channel.close();
                }
            };
        }
    }
}
