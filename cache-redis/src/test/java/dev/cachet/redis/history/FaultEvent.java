package dev.cachet.redis.history;

/**
 * A fault as it happened.
 *
 * @param kind what it was
 * @param target the worker incarnation it hit ({@code w0.1}), or what it hit otherwise ({@code proxy}, {@code redis})
 * @param start {@link System#nanoTime()} when it began
 * @param end {@link System#nanoTime()} when it healed: the proxy passing again, SIGCONT sent, the new incarnation
 *     ready; {@code start} for an instant fault
 * @param detail what else there is to say, such as the latency added
 */
record FaultEvent(FaultSchedule.Kind kind, String target, long start, long end, String detail) {
    boolean overlaps(long from, long to) {
        return start < to && end > from;
    }
}
