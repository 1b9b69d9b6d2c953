package dev.cachet.redis.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
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
        EXCEPTION("(d) exception under fail-open");

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

    /** A version every read must reach once {@code fromOthers} (other processes) or {@code fromSelf} has passed. */
    private record Obligation(Op write, long fromSelf, long fromOthers) {}

    private final History history;
    private final Map<String, List<FaultEvent>> stops = new HashMap<>();
    private final List<FaultEvent> networkFaults = new ArrayList<>();
    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, Long> maxStaleness = new TreeMap<>();
    private final Map<String, Op> stalest = new HashMap<>();

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
    }

    /** Checks {@code history} and reports what it found. */
    static HistoryReport check(History history) {
        HistoryChecker checker = new HistoryChecker(history);
        checker.checkVersions();
        checker.checkBoundsAndExceptions();
        return new HistoryReport(history, checker.violations, checker.maxStaleness, checker.stalest);
    }

    private void checkVersions() {
        Map<String, List<Op>> byKey = history.ops().stream()
                .collect(Collectors.groupingBy(op -> op.tier() + " " + op.key(), TreeMap::new, Collectors.toList()));
        for (List<Op> ops : byKey.values()) {
            checkKey(ops);
        }
    }

    /** Checks (a) and (b) on the operations of one key of one cache. */
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

        for (Op read : ops) {
            if (read.isWrite() || read.threw()) {
                continue;
            }
            recordStaleness(read, byVersion);
            long allowance = read.tier().equals(HistorySettings.NEAR) ? nearAllowance : 0;
            @Nullable
            Obligation required = newer(
                    others.strongestBefore(read.start() - allowance),
                    self.containsKey(read.process()) ? self.get(read.process()).strongestBefore(read.start()) : null);
            if (required != null && read.version() < required.write().version()) {
                violations.add(staleRead(read, required, ops));
            }
        }
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
