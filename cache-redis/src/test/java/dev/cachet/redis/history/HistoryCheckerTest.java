package dev.cachet.redis.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HistoryChecker} on hand-written histories: what check (e), acknowledged invalidation, catches and what it
 * excuses. Times are milliseconds from the start of the run; the writer is {@code w0.0}, the reader {@code w1.0}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HistoryCheckerTest {
    private static final String ACK = HistorySettings.NEAR_ACK;
    private static final String KEY = HistorySettings.key(0);
    private static final String WRITER = "w0.0";
    private static final String READER = "w1.0";

    private final List<Op> ops = new ArrayList<>();
    private final List<ChannelEvent> channelEvents = new ArrayList<>();
    private final List<FaultEvent> faults = new ArrayList<>();

    /** Version 1 written and filled into the reader's near tier, then version 2 written over it at 100-110 ms. */
    private Op staleCopyThenWrite(boolean acknowledged) {
        ops.add(write(WRITER, 10, 20, 1, true, true));
        ops.add(read(READER, 30, 32, 1, Op.Source.REDIS));
        Op write = write(WRITER, 100, 110, 2, true, acknowledged);
        ops.add(write);
        return write;
    }

    @Test
    void aReadInAnotherProcessOlderThanAnAcknowledgedWriteIsAViolation() {
        Op write = staleCopyThenWrite(true);
        Op stale = read(READER, 200, 201, 1, Op.Source.LOCAL); // 90 ms later: within the near TTL, so (a) allows it
        ops.add(stale);

        HistoryReport report = check();

        assertThat(report.violations()).singleElement().satisfies(violation -> {
            assertThat(violation.check()).isEqualTo(HistoryChecker.Check.STALE_AFTER_ACKNOWLEDGED_WRITE);
            assertThat(violation.write()).isEqualTo(write);
            assertThat(violation.excerpt()).contains(write, stale);
            assertThat(violation.summary()).contains("w1.0 read version 1", "version 2 in w0.0 returned acknowledged");
        });
        assertThat(report.violationsByCheck()).containsEntry(HistoryChecker.Check.STALE_AFTER_ACKNOWLEDGED_WRITE, 1L);
        assertThat(report.ack().heldReads()).isEqualTo(2); // the fill, held to version 1, and the stale read
        assertThat(report.render()).contains("(e) stale read in another process after an acknowledged write: 1");
    }

    @Test
    void theSameReadAfterAnUnacknowledgedWriteIsAllowedWithinTheNearTtl() {
        staleCopyThenWrite(false);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL));

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void anAcknowledgedWriteThatRedisDidNotConfirmObligesNothingBeyondCheckB() {
        ops.add(write(WRITER, 10, 20, 1, true, true));
        ops.add(write(WRITER, 100, 110, 2, false, true)); // the receivers dropped the key; Redis still has version 1
        ops.add(read(READER, 200, 201, 1, Op.Source.REDIS));

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void aReadThatBeganBeforeTheWriteReturnedIsNotHeldToIt() {
        staleCopyThenWrite(true);
        ops.add(read(READER, 105, 120, 1, Op.Source.LOCAL));

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void theWritersOwnProcessIsHeldByCheckA() {
        staleCopyThenWrite(true);
        ops.add(read(WRITER, 200, 201, 1, Op.Source.LOCAL));

        assertThat(check().violations())
                .extracting(HistoryChecker.Violation::check)
                .containsExactly(HistoryChecker.Check.STALE_AFTER_CONFIRMED_WRITE);
    }

    @Test
    void aPubSubKillExcusesReadsUntilTheReaderSubscribedAgain() {
        faults.add(new FaultEvent(FaultSchedule.Kind.PUBSUB_KILL, "redis", millis(90), millis(90), "2 killed"));
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.RESUBSCRIBED, millis(300)));
        staleCopyThenWrite(true);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL)); // not subscribed when the write was published
        Op afterRenewal = read(READER, 400, 401, 1, Op.Source.LOCAL); // its near tier was dropped at 300 ms

        ops.add(afterRenewal);
        HistoryReport report = check();

        assertThat(report.violations()).singleElement().satisfies(violation -> {
            assertThat(violation.check()).isEqualTo(HistoryChecker.Check.STALE_AFTER_ACKNOWLEDGED_WRITE);
            assertThat(violation.excerpt()).contains(afterRenewal);
        });
        assertThat(report.ack().excusedReads()).isEqualTo(1);
        // The fill and the excused read (to version 1, written before the kill), and the read after the renewal.
        assertThat(report.ack().heldReads()).isEqualTo(3);
        assertThat(report.ack().outages().get(READER))
                .containsExactly(new HistoryChecker.Outage(millis(90), millis(300), true));
    }

    @Test
    void aPubSubKillAfterTheWriteReturnedExcusesNothing() {
        staleCopyThenWrite(true);
        faults.add(new FaultEvent(FaultSchedule.Kind.PUBSUB_KILL, "redis", millis(150), millis(150), "2 killed"));
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.RESUBSCRIBED, millis(300)));
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL)); // it acknowledged at 110 ms, so it had dropped the key

        assertThat(check().violations())
                .extracting(HistoryChecker.Violation::check)
                .containsExactly(HistoryChecker.Check.STALE_AFTER_ACKNOWLEDGED_WRITE);
    }

    @Test
    void aBlackholeExcusesNothingUnlessTheSubscriptionWasRenewed() {
        // Redis keeps a silenced subscription and counts it, so a write acknowledged meanwhile had its answer.
        faults.add(new FaultEvent(FaultSchedule.Kind.BLACKHOLE, "proxy", millis(50), millis(80), ""));
        staleCopyThenWrite(true);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL));

        assertThat(check().violations())
                .extracting(HistoryChecker.Violation::check)
                .containsExactly(HistoryChecker.Check.STALE_AFTER_ACKNOWLEDGED_WRITE);
    }

    @Test
    void aCutAsHalfOpenExcusesReadsFromShortlyBeforeItWasRecordedUntilTheRenewal() {
        // The cut closed the connection up to CUT_SLACK before the subscriber thread recorded it.
        long cut = 110 + HistorySettings.CUT_SLACK.toMillis();
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.CUT, millis(cut)));
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.RESUBSCRIBED, millis(cut + 100)));
        staleCopyThenWrite(true);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL));

        HistoryReport excused = check();

        assertThat(excused.violations()).isEmpty();
        assertThat(excused.ack().excusedReads()).isEqualTo(1);
        assertThat(excused.ack().unexplained()).isZero();
    }

    @Test
    void aCutRecordedLongAfterTheWriteExcusesNothing() {
        long cut = 111 + HistorySettings.CUT_SLACK.toMillis();
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.CUT, millis(cut)));
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.RESUBSCRIBED, millis(cut + 100)));
        staleCopyThenWrite(true);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL));

        assertThat(check().violations()).hasSize(1);
    }

    @Test
    void aRenewalNoFaultExplainsExcusesReadsSinceThePreviousRenewal() {
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.RESUBSCRIBED, millis(50)));
        channelEvents.add(new ChannelEvent(READER, ACK, ChannelEvent.Kind.RESUBSCRIBED, millis(300)));
        staleCopyThenWrite(true);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL));

        HistoryReport report = check();

        assertThat(report.violations()).isEmpty();
        assertThat(report.ack().unexplained()).isEqualTo(2);
    }

    @Test
    void aSubscriptionKilledAndNeverRenewedExcusesReadsToTheEnd() {
        // The reader was killed, or the run ended, before it subscribed again.
        faults.add(new FaultEvent(FaultSchedule.Kind.PUBSUB_KILL, "redis", millis(90), millis(90), "2 killed"));
        staleCopyThenWrite(true);
        ops.add(read(READER, 200, 201, 1, Op.Source.LOCAL));

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void aFaultAfterAProcessWasKilledOpensNoOutageOfIt() {
        faults.add(new FaultEvent(FaultSchedule.Kind.KILL, READER, millis(50), millis(60), "restarted as w1.1"));
        faults.add(new FaultEvent(FaultSchedule.Kind.PUBSUB_KILL, "redis", millis(90), millis(90), "2 killed"));
        staleCopyThenWrite(true);

        HistoryReport report = HistoryChecker.check(
                new History(1, ops, channelEvents, faults, Map.of(READER, millis(50)), 0, millis(10_000), List.of()));

        assertThat(report.ack().outages()).containsOnlyKeys(WRITER);
    }

    @Test
    void aFaultBeforeTheReaderWasBornExcusesNothing() {
        faults.add(new FaultEvent(FaultSchedule.Kind.PUBSUB_KILL, "redis", millis(5), millis(5), "2 killed"));
        faults.add(new FaultEvent(FaultSchedule.Kind.KILL, READER, millis(8), millis(9), "restarted as w1.1"));
        staleCopyThenWrite(true);
        ops.add(read("w1.1", 30, 32, 1, Op.Source.REDIS));
        ops.add(read("w1.1", 200, 201, 1, Op.Source.LOCAL));

        assertThat(check().violations())
                .extracting(HistoryChecker.Violation::check)
                .containsExactly(HistoryChecker.Check.STALE_AFTER_ACKNOWLEDGED_WRITE);
    }

    @Test
    void theOtherNearCacheIsNotHeldToCheckE() {
        ops.add(new Op(
                WRITER,
                0,
                HistorySettings.NEAR,
                KEY,
                Op.Kind.PUT,
                millis(100),
                millis(110),
                2,
                true,
                true,
                Op.Source.NONE,
                ""));
        ops.add(new Op(
                READER,
                0,
                HistorySettings.NEAR,
                KEY,
                Op.Kind.READ,
                millis(200),
                millis(201),
                1,
                true,
                false,
                Op.Source.LOCAL,
                ""));

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void operationsAndChannelEventsSurviveTheirLines() {
        Op op = write(WRITER, 100, 110, 2, true, true);
        ChannelEvent event = new ChannelEvent(READER, ACK, ChannelEvent.Kind.CUT, 42);

        assertThat(Op.parse(op.toLine())).isEqualTo(op);
        assertThat(ChannelEvent.isEvent(op.toLine())).isFalse();
        assertThat(ChannelEvent.isEvent(event.toLine())).isTrue();
        assertThat(ChannelEvent.parse(event.toLine())).isEqualTo(event);
    }

    private HistoryReport check() {
        return HistoryChecker.check(new History(1, ops, channelEvents, faults, Map.of(), 0, millis(10_000), List.of()));
    }

    private static Op write(String process, long start, long end, long version, boolean confirmed, boolean acked) {
        return new Op(
                process,
                0,
                ACK,
                KEY,
                Op.Kind.PUT,
                millis(start),
                millis(end),
                version,
                confirmed,
                acked,
                Op.Source.NONE,
                "");
    }

    private static Op read(String process, long start, long end, long version, Op.Source source) {
        return new Op(process, 1, ACK, KEY, Op.Kind.READ, millis(start), millis(end), version, true, false, source, "");
    }

    private static long millis(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
