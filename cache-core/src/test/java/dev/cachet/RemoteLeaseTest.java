package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachet.internal.remote.Envelope;
import dev.cachet.spi.RemoteTier;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.InMemoryRemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leases over the in-memory tier (issue 10, violations 3 and 9): a load that began before a put or an invalidation
 * returned never writes over it, in this process or another; a value that cannot be decoded is deleted only while the
 * tier still holds the bytes read; a value of a newer envelope version is left alone.
 */
class RemoteLeaseTest {
    private static final String KEY = "s:k"; // the tier's name of the String key "k"

    private final InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final CountDownLatch loading = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdownNow();
    }

    private static <V> Cache<String, V> process(RemoteTier tier, ValueCodec<V> codec) {
        return process(tier, codec, RemoteConfig.ofDefaults());
    }

    private static <V> Cache<String, V> process(RemoteTier tier, ValueCodec<V> codec, RemoteConfig config) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofSeconds(30))
                .remote(tier, codec, config)
                .build();
    }

    /** Starts {@code cache}'s load of "k", which reads the old row and then waits for {@link #release}. */
    private Future<String> loadOfTheOldRow(Cache<String, String> cache) throws InterruptedException {
        Future<String> load = pool.submit(() -> cache.get("k", key -> {
            loading.countDown();
            InMemoryCacheTest.await(release);
            return "old";
        }));
        assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        return load;
    }

    @Test
    void aLoadInFlightCannotBringBackWhatAnotherProcessInvalidated() throws Exception {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        Cache<String, String> b = process(tier, Utf8Codec.INSTANCE);
        Future<String> load = loadOfTheOldRow(a);

        b.invalidate("k"); // B updated the source of truth first

        release.countDown();
        assertThat(load.get(5, TimeUnit.SECONDS))
                .as("A's caller still gets its value")
                .isEqualTo("old");
        assertThat(b.getIfPresent("k")).as("A's write was refused").isNull();
        assertThat(a.getIfPresent("k")).isNull();
    }

    @Test
    void aLoadInFlightCannotOverwriteWhatAnotherProcessPut() throws Exception {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        Cache<String, String> b = process(tier, Utf8Codec.INSTANCE);
        Future<String> load = loadOfTheOldRow(a);

        b.put("k", "new");

        release.countDown();
        assertThat(load.get(5, TimeUnit.SECONDS)).isEqualTo("old");
        assertThat(b.getIfPresent("k")).as("A's write was refused").isEqualTo("new");
        assertThat(a.getIfPresent("k")).isEqualTo("new");
    }

    /**
     * The history checker's find: a caller of A that begins after B's invalidate returned misses, joins A's load that
     * began before it, and must not be handed that load's older row.
     */
    @Test
    void aCallerThatBeginsAfterAnotherProcessInvalidatedDoesNotShareAnOlderLoad() throws Exception {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        Cache<String, String> b = process(tier, Utf8Codec.INSTANCE);
        Future<String> first = loadOfTheOldRow(a);
        b.invalidate("k"); // B updated the source of truth to "new" first

        Future<String> second = aLaterCallerJoiningTheLoadOf(a);
        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS))
                .as("began before the invalidate")
                .isEqualTo("old");
        assertThat(second.get(5, TimeUnit.SECONDS))
                .as("began after the invalidate returned")
                .isEqualTo("new");
    }

    /**
     * As above, while A cannot reach the tier (fail-open): its callers' reads carry no fence, so a caller that began
     * after B's invalidate must not share a load that began before it.
     */
    @Test
    void aCallerThatBeginsAfterAnotherProcessInvalidatedDoesNotShareAnOlderLoadWhileItsTierIsUnreachable()
            throws Exception {
        FaultyRemoteTier unreachable = new FaultyRemoteTier(tier).fail(FaultyRemoteTier.Call.GET, 2);
        Cache<String, String> a = process(unreachable, Utf8Codec.INSTANCE);
        Cache<String, String> b = process(tier, Utf8Codec.INSTANCE);
        Future<String> first = loadOfTheOldRow(a);
        b.invalidate("k");

        Future<String> second = aLaterCallerJoiningTheLoadOf(a);
        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS))
                .as("began before the invalidate")
                .isEqualTo("old");
        assertThat(second.get(5, TimeUnit.SECONDS))
                .as("began after the invalidate returned")
                .isEqualTo("new");
    }

    /**
     * The other side of the two tests above: with no write in between, the later caller's read ended before the load's
     * write was sent, and the tier accepted that write with the load's lease, so nothing changed the key between the
     * load's read and its write. The caller takes the load's value as it is, without reading the tier again.
     */
    @Test
    void aCallerThatJoinsALoadWhoseWriteTheTierAcceptedTakesItsValueWithoutReadingAgain() throws Exception {
        RecordingRemoteTier recording = new RecordingRemoteTier(tier);
        Cache<String, String> a = process(recording, Utf8Codec.INSTANCE);
        Future<String> first = loadOfTheOldRow(a);
        Future<String> second = aLaterCallerJoiningTheLoadOf(a);
        int readsBefore = recording.gets();

        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("old");
        assertThat(second.get(5, TimeUnit.SECONDS))
                .as("the load's value, not its own loader's")
                .isEqualTo("old");
        assertThat(recording.gets()).as("reads after the load's write").isEqualTo(readsBefore);
        assertThat(recording.writes()).hasSize(1);
    }

    /** Starts a caller of {@code cache} whose loader returns "new", once it waits for the load in flight. */
    private Future<String> aLaterCallerJoiningTheLoadOf(Cache<String, String> cache) {
        AtomicReference<@Nullable Thread> later = new AtomicReference<>();
        Future<String> second = pool.submit(() -> {
            later.set(Thread.currentThread());
            return cache.get("k", key -> "new");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            Thread thread = later.get();
            return thread != null && thread.getState() == Thread.State.WAITING; // parked on the load in flight
        });
        return second;
    }

    @Test
    void aLoadInFlightCannotUndoAnInvalidateOfItsOwnProcess() throws Exception {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        Future<String> load = loadOfTheOldRow(a);

        a.invalidate("k");

        release.countDown();
        assertThat(load.get(5, TimeUnit.SECONDS)).isEqualTo("old");
        assertThat(a.getIfPresent("k")).isNull();
    }

    /** Contract item 2 for invalidateAll: the load began before it, so its old value must not be written after it. */
    @Test
    void aLoadInFlightCannotBringBackWhatAnotherProcessInvalidatedAll() throws Exception {
        for (RemoteConfig config : List.of(
                RemoteConfig.ofDefaults(),
                RemoteConfig.custom().lockWait(Duration.ZERO).build())) {
            InMemoryRemoteTier shared = new InMemoryRemoteTier(Ticker.systemTicker());
            Cache<String, String> a = process(shared, Utf8Codec.INSTANCE, config);
            Cache<String, String> b = process(shared, Utf8Codec.INSTANCE, config);
            CountDownLatch aLoading = new CountDownLatch(1);
            CountDownLatch aRelease = new CountDownLatch(1);
            Future<String> load = pool.submit(() -> a.get("k", key -> {
                aLoading.countDown();
                InMemoryCacheTest.await(aRelease);
                return "old";
            }));
            assertThat(aLoading.await(5, TimeUnit.SECONDS)).isTrue();

            b.invalidateAll(); // B updated the source of truth first

            aRelease.countDown();
            assertThat(load.get(5, TimeUnit.SECONDS)).isEqualTo("old");
            assertThat(b.getIfPresent("k"))
                    .as("A's write was refused (lock wait %s)", config.lockWait())
                    .isNull();
            assertThat(shared.raw("quotes", KEY)).isNull();
        }
    }

    @Test
    void aLoadInFlightCannotUndoAnInvalidateAllOfItsOwnProcess() throws Exception {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        Future<String> load = loadOfTheOldRow(a);

        a.invalidateAll();

        release.countDown();
        assertThat(load.get(5, TimeUnit.SECONDS)).isEqualTo("old");
        assertThat(a.getIfPresent("k")).isNull();
        assertThat(tier.raw("quotes", KEY)).as("A's write was refused").isNull();
    }

    @Test
    void aDecodeFailureDeletesOnlyTheBytesItRead() {
        Cache<String, String> b = process(tier, new PoisonedCodec(unused -> {}));
        // A's codec cannot read "poison". A reads it twice: its peek, then the read that cleans up (and would hand out
        // the lease); while the second decode fails, B writes a fresh value: between that GET and A's DEL.
        AtomicInteger failedDecodes = new AtomicInteger();
        PoisonedCodec poisoned = new PoisonedCodec(unused -> {
            if (failedDecodes.incrementAndGet() == 2) {
                b.put("k", "fresh");
            }
        });
        Cache<String, String> a = process(tier, poisoned);
        b.put("k", PoisonedCodec.POISON);

        assertThat(a.getIfPresent("k")).isNull();

        assertThat(poisoned.failures).hasValue(2);
        assertThat(a.remoteStats().orElseThrow().decodeFailures())
                .as("counted once, by the read that cleans up")
                .isEqualTo(1);
        assertThat(b.getIfPresent("k"))
                .as("the fresh value survives A's clean-up")
                .isEqualTo("fresh");
        assertThat(a.getIfPresent("k")).isEqualTo("fresh");
    }

    @Test
    void anUndecodableValueIsDeletedAndReplacedByTheLoad() {
        PoisonedCodec poisoned = new PoisonedCodec(unused -> {});
        Cache<String, String> a = process(tier, poisoned);
        a.put("k", PoisonedCodec.POISON);

        assertThat(a.get("k", key -> "reloaded")).isEqualTo("reloaded");

        assertThat(a.getIfPresent("k")).isEqualTo("reloaded");
        assertThat(a.remoteStats().orElseThrow().decodeFailures()).isEqualTo(1);
    }

    @Test
    void aValueOfANewerEnvelopeVersionIsLeftAloneAndLoadedAround() {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        byte[] newer = envelope(4, "written by the next release");
        tier.corrupt("quotes", KEY, newer);
        AtomicInteger loads = new AtomicInteger();

        assertThat(a.get("k", key -> "loaded-" + loads.incrementAndGet())).isEqualTo("loaded-1");
        assertThat(a.get("k", key -> "loaded-" + loads.incrementAndGet())).isEqualTo("loaded-2");

        assertThat(tier.raw("quotes", KEY))
                .as("neither deleted nor overwritten")
                .isEqualTo(newer);
        assertThat(a.getIfPresent("k")).isNull();
        assertThat(a.remoteStats().orElseThrow().decodeFailures()).isEqualTo(3);
        assertThat(a.remoteStats().orElseThrow().lockWaits())
                .as("no waiting for a value that will not come")
                .isZero();
    }

    @Test
    void aValueOfAnOlderEnvelopeVersionIsReplaced() {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        tier.corrupt("quotes", KEY, envelope(0, "written by the previous release"));

        assertThat(a.get("k", key -> "loaded")).isEqualTo("loaded");

        assertThat(a.getIfPresent("k")).isEqualTo("loaded");
    }

    @Test
    void aValueOfAnotherCodecIsLeftAloneSoTwoVersionsNeverUndoEachOther() {
        Cache<String, String> a = process(tier, Utf8Codec.INSTANCE);
        Cache<String, String> b = process(tier, new PoisonedCodec(unused -> {}));
        a.put("k", "from-a");
        byte[] written = tier.raw("quotes", KEY);

        assertThat(b.get("k", key -> "from-b")).isEqualTo("from-b");

        assertThat(tier.raw("quotes", KEY)).isEqualTo(written);
        assertThat(a.getIfPresent("k")).isEqualTo("from-a");
    }

    /** An envelope of format {@code version} holding {@code text} for {@link Utf8Codec}. */
    private static byte[] envelope(int version, String text) {
        byte[] bytes = new Envelope(
                        Utf8Codec.INSTANCE.id(),
                        1,
                        System.currentTimeMillis() + Duration.ofHours(1).toMillis(),
                        text.getBytes(StandardCharsets.UTF_8))
                .toBytes();
        bytes[2] = (byte) version; // after the two magic bytes
        return bytes;
    }

    /** A string codec with its own id that cannot decode {@link #POISON}; it runs a hook when it fails. */
    private static final class PoisonedCodec implements ValueCodec<String> {
        static final String POISON = "poison";

        final AtomicInteger failures = new AtomicInteger();
        private final Consumer<@Nullable Void> onFailure;

        PoisonedCodec(Consumer<@Nullable Void> onFailure) {
            this.onFailure = onFailure;
        }

        @Override
        public String id() {
            return "poisoned-str";
        }

        @Override
        public byte[] encode(String value) {
            return Utf8Codec.INSTANCE.encode(value);
        }

        @Override
        public String decode(byte[] bytes) {
            String value = Utf8Codec.INSTANCE.decode(bytes);
            if (value.equals(POISON)) {
                failures.incrementAndGet();
                onFailure.accept(null);
                throw new IllegalArgumentException("cannot decode " + POISON);
            }
            return value;
        }
    }
}
