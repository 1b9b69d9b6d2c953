package dev.cachet.redis.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Holds a {@link History} to the consistency contract (README, "Consistency"; issue 10):
 *
 * <ol>
 *   <li value="1">(a) Every read returns a version at least as new as that of every write (put or invalidate) whose
 *       call to Redis was confirmed and which returned before the read began. A near tier in another process may be
 *       older for {@link HistorySettings#NEAR_TTL} plus {@link HistorySettings#NEAR_SLACK}.
 *   <li value="2">(b) A write whose call to Redis failed under fail-open (or was skipped by the open breaker) shows in
 *       its own process's reads that begin after it returned, and in other processes' reads that begin {@link
 *       HistorySettings#healDelay()} into the first healthy period (no network fault, its process not stopped) after
 *       it; if its process was killed first, from {@link HistorySettings#REMOTE_TTL} after it (plus the same slack).
 *   <li value="3">(c) No operation takes longer than {@link HistorySettings#OP_BOUND}, not counting time its own
 *       JVM was stopped.
 *   <li value="4">(d) No operation throws: every cache is fail-open.
 *   <li value="5">(e) Acknowledged invalidation ({@link HistorySettings#NEAR_ACK}): a read in another process that
 *       begins after a write returned acknowledged (every receiver confirmed its message) and confirmed by Redis
 *       returns a version at least as new, with no near-TTL slack. The README's one exception: a process whose
 *       subscription Redis had already dropped when the message was published is not waited for, and may serve its
 *       copy until it has subscribed again and dropped its near tier. So a read is excused if its process recorded a
 *       renewal of its subscription ({@link ChannelEvent.Kind#RESUBSCRIBED}) after the read began whose outage may
 *       have begun by the time the write returned: an outage begins at the earliest of a pub/sub kill, a network
 *       fault, or the process's own cut of a half-open subscription ({@link HistorySettings#CUT_SLACK} earlier than
 *       recorded), after the previous renewal; a renewal with none of these before it (a failed first attempt, a drop
 *       the history cannot explain) counts from the previous renewal or the process's start. A pub/sub kill, a reset
 *       or a cut that no renewal followed (the process was killed, or the run ended) opens an outage to the end.
 *       Excused reads are still held to (a).
 * </ol>
 *
 * <p>Reads in a process killed meanwhile are held to the same rules while it lived.
 */
final class HistoryChecker {
    /** What a violation broke. */
    enum Check {
        STALE_AFTER_CONFIRMED_WRITE("(a) stale read after a confirmed write"),
        FAILED_WRITE_LOST("(b) a failed write lost after the fault healed"),
        TOO_SLOW("(c) operation over its bound"),
        EXCEPTION("(d) exception under fail-open"),
        STALE_AFTER_ACKNOWLEDGED_WRITE("(e) stale read in another process after an acknowledged write");

        final String title;

        Check(String title) {
            this.title = title;
        }
    }

    /**
     * One violation.
     *
     * @param check what it broke
     * @param summary one line saying what happened and, where the history shows it, why
     * @param cause for a stale read, what the history shows of its cause; empty otherwise
     * @param write for a stale read, the write it should have seen; null otherwise
     * @param excerpt the operations that show it: the write, the read, the loads involved
     */
    record Violation(
            Check check,
            String summary,
            String cause,
            @Nullable Op write,
            List<Op> excerpt) {}

    static final String CAUSE_LOST_WRITE_SELF =
            "the write's call to Redis failed and was never applied; read in the writer's own process (violation 4)";
    static final String CAUSE_LOST_WRITE_OTHER =
            "the write's call to Redis failed and was never applied; read in another"
                    + " process after the fault had healed (violation 4)";
    static final String CAUSE_RACING_LOAD =
            "a load that began before the write stored its older value after it (violation 3)";
    static final String CAUSE_UNKNOWN =
            "no recorded load of that version overlaps the write (it may have run in a killed process)";
    static final String CAUSE_ACKNOWLEDGED = "the write was acknowledged while this process's subscription was up (no"
            + " pub/sub kill, network fault or cut between its last renewal and the write's return), so this process"
            + " had dropped its copy";

    /**
     * What the checker made of acknowledged invalidation.
     *
     * @param outages per process, the times its {@link HistorySettings#NEAR_ACK} subscription may have been dropped
     * @param unexplained how many of them had no fault or cut before their renewal
     * @param excusedReads reads of the acknowledged cache older than an acknowledged write of another process, excused
     *     from (e) because their process's subscription may have been down when the write was published
     * @param heldReads reads that (e) held to an acknowledged write of another process which returned less than the near
     *     TTL plus slack before they began, so that (a) alone would have let them return an older version: how much
     *     (e) adds
     */
    record AckCoverage(Map<String, List<Outage>> outages, long unexplained, long excusedReads, long heldReads) {
        AckCoverage {
            outages = Collections.unmodifiableMap(new TreeMap<>(outages)); // by process, for the report
        }

        long outageCount() {
            return outages.values().stream().mapToLong(List::size).sum();
        }
    }

    /**
     * A time a process's subscription may have been dropped in Redis, so that acknowledged writes did not wait for it.
     *
     * @param from the earliest it may have been dropped
     * @param until when the process recorded it subscribed again, its near tier dropped; {@link Long#MAX_VALUE} if it
     *     never did
     * @param explained whether a fault or a cut shows why it was dropped
     */
    record Outage(long from, long until, boolean explained) {}

    /** A version every read must reach once {@code fromOthers} (other processes) or {@code fromSelf} has passed. */
    private record Obligation(Op write, long fromSelf, long fromOthers) {}

    private final History history;
    private final Map<String, List<FaultEvent>> stops = new HashMap<>();
    private final List<FaultEvent> networkFaults = new ArrayList<>();
    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, Long> maxStaleness = new TreeMap<>();
    private final Map<String, Op> stalest = new HashMap<>();
    private final Map<String, List<Outage>> outages;
    private long excusedReads;
    private long heldReads;

    private HistoryChecker(History history) {
        this.history = history;
        for (FaultEvent fault : history.faults()) {
            if (fault.kind() == FaultSchedule.Kind.STOP) {
                stops.computeIfAbsent(fault.target(), target -> new ArrayList<>())
                        .add(fault);
            } else if (fault.kind().isNetwork()) {
                networkFaults.add(fault);
            }
        }
        this.outages = outages(HistorySettings.NEAR_ACK);
    }

    /** Checks {@code history} and reports what it found. */
    static HistoryReport check(History history) {
        HistoryChecker checker = new HistoryChecker(history);
        checker.checkVersions();
        checker.checkBoundsAndExceptions();
        long unexplained = checker.outages.values().stream()
                .flatMap(List::stream)
                .filter(outage -> !outage.explained())
                .count();
        return new HistoryReport(
                history,
                checker.violations,
                checker.maxStaleness,
                checker.stalest,
                new AckCoverage(checker.outages, unexplained, checker.excusedReads, checker.heldReads));
    }

    private void checkVersions() {
        Map<String, List<Op>> byKey = history.ops().stream()
                .collect(Collectors.groupingBy(op -> op.tier() + " " + op.key(), TreeMap::new, Collectors.toList()));
        for (List<Op> ops : byKey.values()) {
            checkKey(ops);
        }
    }

    /** Checks (a), (b) and, on the acknowledged cache, (e) on the operations of one key of one cache. */
    private void checkKey(List<Op> ops) {
        List<Op> writes = ops.stream().filter(op -> op.isWrite() && !op.threw()).toList();
        List<Obligation> obligations = writes.stream().map(this::obligation).toList();
        Bound others = new Bound(obligations, Obligation::fromOthers);
        Map<String, Bound> self = obligations.stream()
                .collect(Collectors.groupingBy(
                        obligation -> obligation.write().process(),
                        Collectors.collectingAndThen(
                                Collectors.toList(), list -> new Bound(list, Obligation::fromSelf))));
        TreeMap<Long, Op> byVersion = new TreeMap<>();
        writes.forEach(write -> byVersion.put(write.version(), write));
        long nearAllowance =
                HistorySettings.NEAR_TTL.plus(HistorySettings.NEAR_SLACK).toNanos();
        // (e): acknowledged writes confirmed by Redis, by when they returned.
        List<Op> acknowledged = writes.stream()
                .filter(write -> write.tier().equals(HistorySettings.NEAR_ACK))
                .filter(write -> write.confirmed() && write.acknowledged())
                .sorted(Comparator.comparingLong(Op::end))
                .toList();
        long[] acknowledgedEnds = acknowledged.stream().mapToLong(Op::end).toArray();

        for (Op read : ops) {
            if (read.isWrite() || read.threw()) {
                continue;
            }
            recordStaleness(read, byVersion);
            long allowance = HistorySettings.isNear(read.tier()) ? nearAllowance : 0;
            @Nullable
            Obligation required = newer(
                    others.strongestBefore(read.start() - allowance),
                    self.containsKey(read.process()) ? self.get(read.process()).strongestBefore(read.start()) : null);
            if (required != null && read.version() < required.write().version()) {
                violations.add(staleRead(read, required, ops));
            } else if (!acknowledged.isEmpty()) {
                checkAcknowledged(read, acknowledged, acknowledgedEnds, ops);
                countHeld(read, acknowledged, acknowledgedEnds, nearAllowance);
            }
        }
    }

    /**
     * Checks (e): {@code read} returns at least the version of every acknowledged write of another process that returned
     * before it began, unless its process's subscription may have been down when that write was published.
     *
     * @param acknowledged the key's acknowledged writes confirmed by Redis, by end
     * @param ends their ends
     */
    private void checkAcknowledged(Op read, List<Op> acknowledged, long[] ends, List<Op> ops) {
        // Versions of a key grow with time (one thread writes it, and a new incarnation only after the old one died):
        // from the latest write that returned before the read, back to the first one the read is not older than.
        boolean excused = false;
        for (int i = endedBefore(ends, read.start()) - 1; i >= 0; i--) {
            Op write = acknowledged.get(i);
            if (write.version() <= read.version()) {
                break;
            }
            if (write.process().equals(read.process())) {
                continue; // (a) holds the writer's own process to it, with no slack either
            }
            if (unsubscribedWhen(read.process(), write, read)) {
                excused = true;
                continue;
            }
            violations.add(staleAfterAcknowledged(read, write, ops));
            return;
        }
        if (excused) {
            excusedReads++;
        }
    }

    /** Counts {@code read} in {@link AckCoverage#heldReads()} if (e) held it to more than (a) did. */
    private void countHeld(Op read, List<Op> acknowledged, long[] ends, long nearAllowance) {
        for (int i = endedBefore(ends, read.start()) - 1; i >= 0; i--) {
            Op write = acknowledged.get(i);
            if (read.start() - write.end() > nearAllowance) {
                return;
            }
            if (!write.process().equals(read.process()) && !unsubscribedWhen(read.process(), write, read)) {
                heldReads++;
                return;
            }
        }
    }

    /** Returns how many of {@code ends}, sorted, are strictly before {@code time}. */
    private static int endedBefore(long[] ends, long time) {
        int low = 0;
        int high = ends.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ends[mid] < time) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Returns whether {@code process}'s subscription may have been down when {@code write} published its message (at
     * the latest when it returned), with {@code read} begun before the process subscribed again.
     */
    private boolean unsubscribedWhen(String process, Op write, Op read) {
        for (Outage outage : outages.getOrDefault(process, List.of())) {
            if (outage.from() <= write.end() && read.start() <= outage.until()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns, per process, when its subscription to {@code tier}'s channel may have been dropped in Redis: each
     * recorded renewal closes an outage that began at the earliest pub/sub kill, network fault or recorded cut since the
     * previous renewal (or the process's start); see (e) in the class comment.
     */
    private Map<String, List<Outage>> outages(String tier) {
        Map<String, List<ChannelEvent>> byProcess = history.channelEvents().stream()
                .filter(event -> event.tier().equals(tier))
                .sorted(Comparator.comparingLong(ChannelEvent::time))
                .collect(Collectors.groupingBy(ChannelEvent::process, TreeMap::new, Collectors.toList()));
        // A process that recorded no event may still have lost its subscription for good right before it was killed.
        history.ops().stream()
                .filter(op -> op.tier().equals(tier))
                .forEach(op -> byProcess.computeIfAbsent(op.process(), process -> new ArrayList<>()));
        Map<String, List<Outage>> result = new TreeMap<>();
        byProcess.forEach((process, events) -> {
            List<Long> cuts = events.stream()
                    .filter(event -> event.kind() == ChannelEvent.Kind.CUT)
                    .map(ChannelEvent::time)
                    .toList();
            List<Outage> list = new ArrayList<>();
            long previous = bornAt(process);
            for (ChannelEvent event : events) {
                if (event.kind() != ChannelEvent.Kind.RESUBSCRIBED) {
                    continue;
                }
                long renewed = event.time();
                OptionalLong drop = earliestDrop(previous, renewed, cuts, true);
                list.add(new Outage(drop.orElse(previous), renewed, drop.isPresent()));
                previous = renewed;
            }
            // Only what surely drops a subscription opens an outage no renewal closed: a blackhole or latency does not
            // (Redis keeps the subscription and waits for its answer) unless the process cut it, which it records.
            // Faults after the process was killed did not drop its subscription.
            earliestDrop(previous, history.killedAt().getOrDefault(process, Long.MAX_VALUE), cuts, false)
                    .ifPresent(drop -> list.add(new Outage(drop, Long.MAX_VALUE, true)));
            if (!list.isEmpty()) {
                result.put(process, List.copyOf(list));
            }
        });
        return result;
    }

    /**
     * Returns the earliest moment at which a subscription may have been dropped by what happened in {@code (after,
     * upTo]}, no earlier than {@code after}: a pub/sub kill, a network fault overlapping that time (every kind if {@code
     * anyNetworkFault}, else only resets), or a cut recorded in it ({@link HistorySettings#CUT_SLACK} before its
     * recorded time).
     */
    private OptionalLong earliestDrop(long after, long upTo, List<Long> cuts, boolean anyNetworkFault) {
        long earliest = Long.MAX_VALUE;
        boolean found = false;
        for (FaultEvent fault : history.faults()) {
            boolean drops = fault.kind() == FaultSchedule.Kind.PUBSUB_KILL
                    || fault.kind() == FaultSchedule.Kind.RESET
                    || (anyNetworkFault && fault.kind().isNetwork());
            // A pub/sub kill is an instant (start == end): one at `after` itself came before that subscription.
            if (drops && fault.start() <= upTo && fault.end() > after) {
                earliest = Math.min(earliest, Math.max(fault.start(), after));
                found = true;
            }
        }
        for (long cut : cuts) {
            if (cut > after && cut <= upTo) {
                earliest = Math.min(earliest, Math.max(cut - HistorySettings.CUT_SLACK.toNanos(), after));
                found = true;
            }
        }
        return found ? OptionalLong.of(earliest) : OptionalLong.empty();
    }

    /**
     * Returns when {@code process} started, as far as faults go: the kill of its predecessor, which lasts until it is
     * up; {@link Long#MIN_VALUE} for a first incarnation, which started before any fault.
     */
    private long bornAt(String process) {
        int dot = process.lastIndexOf('.');
        int incarnation = Integer.parseInt(process.substring(dot + 1));
        if (incarnation == 0) {
            return Long.MIN_VALUE;
        }
        String predecessor = process.substring(0, dot + 1) + (incarnation - 1);
        return history.faults().stream()
                .filter(fault -> fault.kind() == FaultSchedule.Kind.KILL
                        && fault.target().equals(predecessor))
                .mapToLong(FaultEvent::start)
                .findFirst()
                .orElse(Long.MIN_VALUE);
    }

    private Violation staleAfterAcknowledged(Op read, Op write, List<Op> ops) {
        List<Op> excerpt = new ArrayList<>(List.of(write));
        // The loads that produced the stale version while the write was under way, and the reader's own operation that
        // last produced it before the read: where its copy came from.
        ops.stream()
                .filter(op -> op.loaded() && op.version() == read.version())
                .filter(op -> op.start() < write.end() && op.end() > write.start())
                .forEach(excerpt::add);
        ops.stream()
                .filter(op -> op.process().equals(read.process()) && !op.isWrite() && op != read)
                .filter(op -> op.version() == read.version() && op.start() < read.start())
                .max(Comparator.comparingLong(Op::start))
                .filter(op -> !excerpt.contains(op))
                .ifPresent(excerpt::add);
        excerpt.add(read);
        excerpt.sort(Comparator.comparingLong(Op::start));
        return new Violation(
                Check.STALE_AFTER_ACKNOWLEDGED_WRITE,
                String.format(
                        "%s %s: %s read version %d from %s, %s ms after %s of version %d in %s returned acknowledged;"
                                + " %s",
                        read.tier(),
                        read.key(),
                        read.process(),
                        read.version(),
                        read.source(),
                        millis(read.start() - write.end()),
                        write.kind().name().toLowerCase(Locale.ROOT),
                        write.version(),
                        write.process(),
                        CAUSE_ACKNOWLEDGED),
                CAUSE_ACKNOWLEDGED,
                write,
                excerpt);
    }

    /** When a write must show in reads of its own process and of the others. */
    private Obligation obligation(Op write) {
        if (write.confirmed()) {
            return new Obligation(write, write.end(), write.end());
        }
        long fromOthers = healedAfter(write);
        Long killed = history.killedAt().get(write.process());
        if (killed != null && killed < fromOthers) {
            // Nobody is left to apply it: the old value may live out its TTL.
            fromOthers = write.end()
                    + HistorySettings.REMOTE_TTL
                            .plus(HistorySettings.HEAL_SLACK)
                            .toNanos();
        }
        return new Obligation(write, write.end(), fromOthers);
    }

    /**
     * Returns when a failed write must have reached everyone: {@link HistorySettings#healDelay()} into the first
     * period after it that has no network fault and no stop of the writer's JVM and lasts at least that long; {@link
     * Long#MAX_VALUE} if the run ends first.
     */
    private long healedAfter(Op write) {
        List<FaultEvent> unhealthy = new ArrayList<>(networkFaults);
        unhealthy.addAll(stops.getOrDefault(write.process(), List.of()));
        unhealthy.sort(Comparator.comparingLong(FaultEvent::start));
        long delay = HistorySettings.healDelay().toNanos();
        long healthySince = write.end();
        for (FaultEvent fault : unhealthy) {
            if (fault.end() <= healthySince) {
                continue;
            }
            if (fault.start() - healthySince >= delay) {
                break;
            }
            healthySince = Math.max(healthySince, fault.end());
        }
        long due = healthySince + delay;
        return due - history.end() > 0 ? Long.MAX_VALUE : due;
    }

    private static @Nullable Obligation newer(@Nullable Obligation a, @Nullable Obligation b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.write().version() > a.write().version() ? b : a;
    }

    private Violation staleRead(Op read, Obligation required, List<Op> ops) {
        Op write = required.write();
        List<Op> excerpt = new ArrayList<>(List.of(write));
        // The loads that produced the stale version while the write was under way: violation 3's signature.
        List<Op> racingLoads = ops.stream()
                .filter(op -> op.loaded() && op.version() == read.version())
                .filter(op -> op.start() < write.end() && op.end() > write.start())
                .toList();
        excerpt.addAll(racingLoads);
        excerpt.add(read);
        excerpt.sort(Comparator.comparingLong(Op::start));
        long since = read.start() - write.end();
        String deadline = write.confirmed() || read.process().equals(write.process())
                ? ""
                : ", " + millis(read.start() - required.fromOthers()) + " ms past its deadline";
        String cause;
        if (!write.confirmed()) {
            cause = read.process().equals(write.process()) ? CAUSE_LOST_WRITE_SELF : CAUSE_LOST_WRITE_OTHER;
        } else if (!racingLoads.isEmpty()) {
            cause = CAUSE_RACING_LOAD;
        } else {
            cause = CAUSE_UNKNOWN;
        }
        return new Violation(
                write.confirmed() ? Check.STALE_AFTER_CONFIRMED_WRITE : Check.FAILED_WRITE_LOST,
                String.format(
                        "%s %s: %s read version %d from %s, %s ms after %s of version %d returned (%s%s); %s",
                        read.tier(),
                        read.key(),
                        read.process(),
                        read.version(),
                        read.source(),
                        millis(since),
                        write.kind().name().toLowerCase(Locale.ROOT),
                        write.version(),
                        write.confirmed() ? "confirmed" : "failed",
                        deadline,
                        cause),
                cause,
                write,
                excerpt);
    }

    /** Staleness: how long before the read began a newer version's write had returned. */
    private void recordStaleness(Op read, NavigableMap<Long, Op> byVersion) {
        Map.Entry<Long, Op> newer = byVersion.ceilingEntry(read.version() + 1);
        if (newer == null || newer.getValue().end() >= read.start()) {
            return;
        }
        long staleness = read.start() - newer.getValue().end();
        if (staleness > maxStaleness.getOrDefault(read.tier(), 0L)) {
            maxStaleness.put(read.tier(), staleness);
            stalest.put(read.tier(), read);
        }
    }

    private void checkBoundsAndExceptions() {
        long bound = HistorySettings.OP_BOUND.toNanos();
        for (Op op : history.ops()) {
            if (op.threw()) {
                violations.add(new Violation(
                        Check.EXCEPTION,
                        op.process() + " " + op.kind() + " threw " + op.error(),
                        "",
                        null,
                        List.of(op)));
            }
            long stopped = stops.getOrDefault(op.process(), List.of()).stream()
                    .mapToLong(stop -> Math.max(0, Math.min(op.end(), stop.end()) - Math.max(op.start(), stop.start())))
                    .sum();
            long running = op.durationNanos() - stopped;
            if (running > bound) {
                violations.add(new Violation(
                        Check.TOO_SLOW,
                        String.format(
                                "%s %s %s %s took %s ms (%s ms stopped), over the bound of %d ms",
                                op.process(),
                                op.kind(),
                                op.tier(),
                                op.key(),
                                millis(op.durationNanos()),
                                millis(stopped),
                                HistorySettings.OP_BOUND.toMillis()),
                        "",
                        null,
                        List.of(op)));
            }
        }
    }

    static String millis(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    /** Counts violations by check, every check present. */
    static Map<Check, Long> countByCheck(List<Violation> violations) {
        Map<Check, Long> counts = new EnumMap<>(Check.class);
        Arrays.stream(Check.values()).forEach(check -> counts.put(check, 0L));
        violations.forEach(violation -> counts.merge(violation.check(), 1L, Long::sum));
        return counts;
    }

    /**
     * The strongest obligation in force at each time: obligations sorted by when they take effect, with the running
     * maximum of their versions.
     */
    private static final class Bound {
        private final long[] from;
        private final Obligation[] strongest;

        Bound(List<Obligation> obligations, ToLongFunction<Obligation> effective) {
            List<Obligation> sorted = obligations.stream()
                    .sorted(Comparator.comparingLong(effective))
                    .toList();
            from = new long[sorted.size()];
            strongest = new Obligation[sorted.size()];
            @Nullable Obligation best = null;
            for (int i = 0; i < sorted.size(); i++) {
                Obligation obligation = sorted.get(i);
                from[i] = effective.applyAsLong(obligation);
                if (best == null || obligation.write().version() > best.write().version()) {
                    best = obligation;
                }
                strongest[i] = best;
            }
        }

        /** Returns the obligation with the highest version among those in force strictly before {@code time}. */
        @Nullable
        Obligation strongestBefore(long time) {
            int low = 0;
            int high = from.length; // find the count of entries with from < time
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (from[mid] < time) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low == 0 ? null : strongest[low - 1];
        }
    }
}
