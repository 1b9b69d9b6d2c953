package dev.cachet.benchmarks.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P12, P13 and P15's counting, on in-memory caches whose behaviour is known. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiJvmFiguresTest {

    @Test
    void aStampedeOnASingleFlightCacheLoadsOnceAndEveryThreadGetsTheValue() throws Exception {
        try (Stampede stampede = new Stampede(FakeCaches.singleFlight(), 8)) {
            Stampede.Round round = stampede.round("k1");

            assertThat(round.loads()).isEqualTo(1);
            assertThat(round.wrong()).isZero();
            assertThat(round.exceptions()).isZero();
            assertThat(round.nanos()).isGreaterThanOrEqualTo(Stampede.LOAD_TIME.toNanos());
            assertThat(Stampede.Round.parse(round.line().split("\t", -1))).isEqualTo(round);
        }
    }

    @Test
    void aStampedeCountsWrongValuesAndExceptions() throws Exception {
        try (Stampede wrong = new Stampede(FakeCaches.constant("other"), 4);
                Stampede failing = new Stampede(
                        FakeCaches.of(k -> {
                            throw new IllegalStateException("down");
                        }),
                        4)) {
            assertThat(wrong.round("k1").wrong()).isEqualTo(4);
            assertThat(failing.round("k1").exceptions()).isEqualTo(4);
        }
    }

    @Test
    void aReaderWhoseInvalidationArrivesAfterItsReadIsStaleOnEveryWriteAndSeesItOnTheNextRead() throws Exception {
        Staleness.ReaderResult lagging = staleness(new FakeCaches.NearPair(true), 50);
        Staleness.ReaderResult prompt = staleness(new FakeCaches.NearPair(false), 50);

        assertThat(lagging.writes()).isEqualTo(50);
        assertThat(lagging.stale()).isEqualTo(50);
        assertThat(lagging.never()).isZero();
        assertThat(prompt.stale()).isZero();
        assertThat(prompt.never()).isZero();
        assertThat(prompt.loads()).isZero();
        assertThat(prompt.p50Micros()).isPositive().isLessThanOrEqualTo(prompt.p99Micros());
        assertThat(Staleness.ReaderResult.parse(lagging.line().split("\t", -1)).stale())
                .isEqualTo(50);
    }

    @Test
    void aReadThatFailsOpenGetsTheLastWriteFromTheLoaderAndCountsAsALoadNotAsStale() throws Exception {
        // Every read of this reader falls through to its loader, as a near tier's does when its Redis call fails.
        Staleness.ReaderResult failingOpen = staleness(FakeCaches.singleFlight(), FakeCaches.failingOpen(), 3);

        assertThat(failingOpen.writes()).isEqualTo(3);
        assertThat(failingOpen.loads()).isEqualTo(3);
        assertThat(failingOpen.stale()).isZero();
        assertThat(failingOpen.never()).isZero();
    }

    private static Staleness.ReaderResult staleness(FakeCaches.NearPair pair, int writes) throws Exception {
        return staleness(pair.writer(), pair.reader(), writes);
    }

    private static Staleness.ReaderResult staleness(PeerCache writer, PeerCache reader, int writes) throws Exception {
        Staleness.prepareWriter(writer);
        Staleness.prepareReader(reader);
        ExecutorService readerThread = Executors.newSingleThreadExecutor();
        try (Link.Listener listener = new Link.Listener()) {
            Future<Staleness.ReaderResult> reads = readerThread.submit(() -> {
                try (Link link = listener.accept(1).get(0)) {
                    return Staleness.read(reader, link);
                }
            });
            try (Link link = Link.connect(listener.port())) {
                Staleness.WriterResult puts = Staleness.write(writer, link, writes);
                assertThat(puts.p50Micros()).isLessThanOrEqualTo(puts.p99Micros());
            }
            return reads.get(30, TimeUnit.SECONDS);
        } finally {
            readerThread.shutdownNow();
        }
    }

    @Test
    void anOutageCountsTheCallsThatThrowAndThoseAfterTheRestart() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        CountDownLatch calledBefore = new CountDownLatch(1);
        // A call is counted once it has ended: each of the 4 threads may have thrown and not yet been counted when the
        // restart is marked, but a fifth failure means one thread was counted, during the outage, before failing again.
        CountDownLatch failed = new CountDownLatch(5);
        CountDownLatch calledAfter = new CountDownLatch(1);
        AtomicBoolean restarted = new AtomicBoolean();
        PeerCache cache = FakeCaches.of(key -> {
            if (down.get()) {
                failed.countDown();
                throw new IllegalStateException("Redis is down");
            }
            (restarted.get() ? calledAfter : calledBefore).countDown();
            return Workload.valueOf(key);
        });
        Outage outage = new Outage(cache, 4, Outage.Order.IN_TURN);

        outage.start();
        calledBefore.await();
        outage.killed();
        down.set(true);
        failed.await();
        outage.restarted();
        restarted.set(true);
        down.set(false);
        calledAfter.await();
        Outage.Result result = outage.stop(Duration.ofSeconds(10));

        assertThat(result.calls().before()).isPositive();
        assertThat(result.calls().after()).isPositive();
        assertThat(result.exceptions().during()).isPositive();
        assertThat(result.wrong().before()
                        + result.wrong().during()
                        + result.wrong().after())
                .isZero();
        assertThat(result.stuck()).isZero();
        assertThat(Outage.Result.parse(result.line().split("\t", -1)).line()).isEqualTo(result.line());
    }

    @Test
    void aResultLineHoldsEveryComponentExactlyAndANestedRecordAsOneField() {
        Outage.Result result = new Outage.Result(
                new Outage.Phases(1, 2, 3),
                new Outage.Phases(0, 5, 0),
                new Outage.Phases(0, 0, 7),
                new Outage.Phases(4, 5, 6),
                8,
                30.25,
                Double.NaN,
                0.125,
                9);

        String line = result.line();

        assertThat(line).isEqualTo("OUTAGE\t1/2/3\t0/5/0\t0/0/7\t4/5/6\t8\t30.25\tNaN\t0.125\t9");
        assertThat(Outage.Result.parse(line.split("\t", -1))).isEqualTo(result);
        assertThat(Staleness.WriterResult.parse("PUTS\t1.5\t2.5".split("\t", -1)))
                .isEqualTo(new Staleness.WriterResult(1.5, 2.5));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Staleness.WriterResult.parse("PUTS\t1.5".split("\t", -1)))
                .withMessageContaining("WriterResult has 2 components")
                .withMessageContaining("PUTS\t1.5");
    }

    @Test
    void anOutageCountsANullAsAWrongValue() throws Exception {
        CountDownLatch nulls = new CountDownLatch(10);
        PeerCache cache = FakeCaches.of(key -> {
            nulls.countDown();
            return null;
        });
        Outage outage = new Outage(cache, 2, Outage.Order.AT_RANDOM);

        outage.start();
        nulls.await();
        Outage.Result result = outage.stop(Duration.ofSeconds(10));

        assertThat(result.wrong().before()).isEqualTo(result.calls().before()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void inTurnEachThreadWalksTheKeysFromItsOwnOffsetAndWrapsAround() {
        int offset = Workload.KEYS / 4;
        int[] walked = take(Outage.Order.IN_TURN.keysOf(1, 4), Workload.KEYS + 1);

        assertThat(walked[0]).isEqualTo(offset);
        assertThat(walked[Workload.KEYS - offset]).isZero();
        assertThat(walked[Workload.KEYS]).isEqualTo(offset);
        assertThat(IntStream.of(walked).distinct().count()).isEqualTo(Workload.KEYS);
    }

    @Test
    void atRandomEachThreadPicksKeysOfItsOwnSequenceWithinRange() {
        int[] first = take(Outage.Order.AT_RANDOM.keysOf(0, 4), 10_000);
        int[] again = take(Outage.Order.AT_RANDOM.keysOf(0, 4), 10_000);
        int[] other = take(Outage.Order.AT_RANDOM.keysOf(1, 4), 10_000);

        assertThat(IntStream.of(first).allMatch(k -> k >= 0 && k < Workload.KEYS))
                .isTrue();
        assertThat(IntStream.of(first).distinct().count()).isEqualTo(Workload.KEYS);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    private static int[] take(IntSupplier keys, int count) {
        return IntStream.range(0, count).map(n -> keys.getAsInt()).toArray();
    }
}
