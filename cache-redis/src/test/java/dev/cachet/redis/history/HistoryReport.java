package dev.cachet.redis.history;

import static dev.cachet.redis.history.HistoryChecker.millis;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the checker found in one history: the figures and the violations, rendered as Markdown by {@link #render()}.
 *
 * @param history the history checked
 * @param violations every violation found
 * @param maxStalenessNanos per cache ({@code remote}, {@code near}, {@code near-ack}): the longest any read began after a
 *     newer version's write had returned
 * @param stalestRead per cache, the read that showed it
 * @param ack what check (e) made of the acknowledged cache's subscriptions
 */
record HistoryReport(
        History history,
        List<HistoryChecker.Violation> violations,
        Map<String, Long> maxStalenessNanos,
        Map<String, Op> stalestRead,
        HistoryChecker.AckCoverage ack) {
    private static final int SHOWN_PER_CHECK = 10;
    private static final int SHOWN_OUTAGES = 40;

    HistoryReport {
        violations = List.copyOf(violations);
        maxStalenessNanos = Map.copyOf(maxStalenessNanos);
        stalestRead = Map.copyOf(stalestRead);
        requireNonNull(ack, "ack");
    }

    Map<HistoryChecker.Check, Long> violationsByCheck() {
        return HistoryChecker.countByCheck(violations);
    }

    /** Returns the report as Markdown. */
    String render() {
        StringBuilder out = new StringBuilder();
        List<Op> ops = history.ops();
        long reads = ops.stream().filter(op -> !op.isWrite()).count();
        long writes = ops.size() - reads;
        out.append(String.format("# History check, seed %d%n%n", history.seed()));
        out.append(String.format(
                "- Run: %s s, %d worker JVMs x %d threads, %d keys per cache; incarnations: %s%n",
                String.format("%.1f", (history.end() - history.start()) / 1e9),
                HistorySettings.WORKERS,
                HistorySettings.THREADS,
                HistorySettings.KEYS,
                new TreeSet<>(ops.stream().map(Op::process).toList())));
        out.append(String.format(
                "- Operations: %d (%d reads, %d of them loads; %d writes: %d invalidate, %d put, %d not confirmed"
                        + " by Redis)%n",
                ops.size(),
                reads,
                ops.stream().filter(Op::loaded).count(),
                writes,
                ops.stream().filter(op -> op.kind() == Op.Kind.INVALIDATE).count(),
                ops.stream().filter(op -> op.kind() == Op.Kind.PUT).count(),
                ops.stream().filter(op -> op.isWrite() && !op.confirmed()).count()));
        for (String tier : HistorySettings.TIERS) {
            out.append(String.format(
                    "  - %s: %d operations%n",
                    tier, ops.stream().filter(op -> op.tier().equals(tier)).count()));
        }
        List<Op> ackWrites = ops.stream()
                .filter(op -> op.isWrite() && op.tier().equals(HistorySettings.NEAR_ACK) && !op.threw())
                .toList();
        out.append(String.format(
                "  - %s writes: %d acknowledged (%d of them confirmed by Redis), %d unacknowledged%n",
                HistorySettings.NEAR_ACK,
                ackWrites.stream().filter(Op::acknowledged).count(),
                ackWrites.stream()
                        .filter(op -> op.acknowledged() && op.confirmed())
                        .count(),
                ackWrites.stream().filter(op -> !op.acknowledged()).count()));
        Map<Op.Source, Long> sources = new EnumMap<>(Op.Source.class);
        ops.stream().filter(op -> !op.isWrite()).forEach(op -> sources.merge(op.source(), 1L, Long::sum));
        out.append(String.format("  - reads by source: %s%n", sources));
        Map<FaultSchedule.Kind, Long> faults = new EnumMap<>(FaultSchedule.Kind.class);
        history.faults().forEach(fault -> faults.merge(fault.kind(), 1L, Long::sum));
        out.append(String.format("- Faults: %d %s%n", history.faults().size(), faults));
        for (FaultEvent fault : history.faults()) {
            out.append(String.format(
                    "  - %s %s [%s .. %s s] %s%n",
                    fault.kind(), fault.target(), seconds(fault.start()), seconds(fault.end()), fault.detail()));
        }
        Map<String, Map<ChannelEvent.Kind, Long>> channelEvents = new TreeMap<>();
        history.channelEvents()
                .forEach(event -> channelEvents
                        .computeIfAbsent(event.tier(), tier -> new EnumMap<>(ChannelEvent.Kind.class))
                        .merge(event.kind(), 1L, Long::sum));
        out.append(String.format("- Subscriptions cut and renewed, by cache: %s%n", channelEvents));
        out.append(String.format(
                "- Acknowledged invalidation (e): %d reads held to an acknowledged write of another process that had"
                        + " returned within the near TTL + slack (where (a) allows older); %d times a %s subscription"
                        + " may have been down (%d with no fault or cut to explain it); %d reads older than an"
                        + " acknowledged write excused by them%n",
                ack.heldReads(), ack.outageCount(), HistorySettings.NEAR_ACK, ack.unexplained(), ack.excusedReads()));
        List<String> outages = new ArrayList<>();
        ack.outages()
                .forEach((process, list) -> list.forEach(outage -> outages.add(String.format(
                        "  - %s [%s .. %s s]%s%n",
                        process,
                        outage.from() == Long.MIN_VALUE ? "start" : seconds(outage.from()),
                        outage.until() == Long.MAX_VALUE ? "end" : seconds(outage.until()),
                        outage.explained() ? "" : " unexplained"))));
        outages.stream().limit(SHOWN_OUTAGES).forEach(out::append);
        if (outages.size() > SHOWN_OUTAGES) {
            out.append(String.format("  - (%d more)%n", outages.size() - SHOWN_OUTAGES));
        }
        out.append(String.format(
                "- Bounds: near tier in other processes %d ms (near TTL) + %d ms, none after an acknowledged write"
                        + " unless their subscription was down; failed writes %d ms into the first"
                        + " healthy period (breaker open %d ms + 1 s + %d ms), or the remote TTL %d ms + %d ms if"
                        + " their process died; every operation %d ms%n",
                HistorySettings.NEAR_TTL.toMillis(),
                HistorySettings.NEAR_SLACK.toMillis(),
                HistorySettings.healDelay().toMillis(),
                HistorySettings.BREAKER_OPEN.toMillis(),
                HistorySettings.HEAL_SLACK.toMillis(),
                HistorySettings.REMOTE_TTL.toMillis(),
                HistorySettings.HEAL_SLACK.toMillis(),
                HistorySettings.OP_BOUND.toMillis()));
        out.append("- Max staleness (a read begun this long after a newer version's write returned):");
        for (String tier : HistorySettings.TIERS) {
            Op read = stalestRead.get(tier);
            out.append(String.format(
                    " %s %s ms%s;",
                    tier,
                    millis(maxStalenessNanos.getOrDefault(tier, 0L)),
                    read == null ? "" : " (" + format(read) + ")"));
        }
        out.append(System.lineSeparator());
        Map<String, Long> byTier = violations.stream()
                .collect(Collectors.groupingBy(
                        violation -> violation
                                .excerpt()
                                .get(violation.excerpt().size() - 1)
                                .tier(),
                        TreeMap::new,
                        Collectors.counting()));
        out.append(String.format("- Violations: %d %s, by cache %s%n", violations.size(), violationsByCheck(), byTier));
        if (!history.problems().isEmpty()) {
            out.append(String.format(
                    "- Problems with the run itself: %d%n", history.problems().size()));
            history.problems()
                    .forEach(problem -> out.append("  - ").append(problem).append(System.lineSeparator()));
        }
        Map<HistoryChecker.Check, List<HistoryChecker.Violation>> byCheck = violations.stream()
                .collect(Collectors.groupingBy(HistoryChecker.Violation::check, TreeMap::new, Collectors.toList()));
        for (Map.Entry<HistoryChecker.Check, List<HistoryChecker.Violation>> entry : byCheck.entrySet()) {
            // A stale value is usually read many times: one entry per write missed, with its first read.
            Map<Object, List<HistoryChecker.Violation>> byWrite = entry.getValue().stream()
                    .collect(Collectors.groupingBy(
                            violation -> violation.write() != null
                                    ? List.of(violation.write(), violation.cause())
                                    : violation,
                            LinkedHashMap::new,
                            Collectors.toList()));
            List<List<HistoryChecker.Violation>> groups = new ArrayList<>(byWrite.values());
            groups.forEach(group -> group.sort(Comparator.comparingLong(violation -> lastStart(violation.excerpt()))));
            groups.sort(Comparator.comparingLong(group -> lastStart(group.get(0).excerpt())));
            // The earliest example of each cause first, then the rest in time order.
            Set<String> seen = new HashSet<>();
            List<List<HistoryChecker.Violation>> firsts = new ArrayList<>();
            for (List<HistoryChecker.Violation> group : groups) {
                if (seen.add(group.get(0).cause())) {
                    firsts.add(group);
                }
            }
            groups.removeAll(firsts);
            groups.addAll(0, firsts);
            Map<String, Long> causes = entry.getValue().stream()
                    .map(HistoryChecker.Violation::cause)
                    .filter(cause -> !cause.isEmpty())
                    .collect(Collectors.groupingBy(cause -> cause, TreeMap::new, Collectors.counting()));
            out.append(String.format(
                    "%n## %s: %d, over %d distinct writes or operations (%d shown)%n",
                    entry.getKey().title,
                    entry.getValue().size(),
                    groups.size(),
                    Math.min(SHOWN_PER_CHECK, groups.size())));
            causes.forEach((cause, count) -> out.append(String.format("- %d reads: %s%n", count, cause)));
            for (List<HistoryChecker.Violation> group : groups.subList(0, Math.min(SHOWN_PER_CHECK, groups.size()))) {
                HistoryChecker.Violation first = group.get(0);
                out.append(String.format("%n- %s%n", first.summary()));
                if (group.size() > 1) {
                    HistoryChecker.Violation last = group.get(group.size() - 1);
                    out.append(String.format(
                            "  (%d more stale reads of it, the last: %s)%n", group.size() - 1, last.summary()));
                }
                for (Op op : first.excerpt()) {
                    out.append("    ").append(format(op)).append(System.lineSeparator());
                }
            }
        }
        return out.toString();
    }

    private static long lastStart(List<Op> ops) {
        return ops.stream().mapToLong(Op::start).max().orElse(0);
    }

    private String format(Op op) {
        String result = op.isWrite()
                ? "v" + op.version() + (op.confirmed() ? " confirmed" : " NOT confirmed")
                        + (op.tier().equals(HistorySettings.NEAR_ACK)
                                ? (op.acknowledged() ? ", acknowledged" : ", NOT acknowledged")
                                : "")
                : "-> v" + op.version() + " from " + op.source();
        return String.format(
                "%s/t%d %-10s %s %s [%s .. %s s] %s%s",
                op.process(),
                op.thread(),
                op.kind(),
                op.tier(),
                op.key(),
                seconds(op.start()),
                seconds(op.end()),
                result,
                op.threw() ? " threw " + op.error() : "");
    }

    private String seconds(long nanoTime) {
        return String.format("%.3f", (nanoTime - history.start()) / 1e9);
    }
}
