package dev.cachet.redis.history;

import static java.util.Objects.requireNonNull;

/**
 * A change of a near cache's invalidation subscription in one worker, as the cache's listener was told it ({@code
 * onMessagesLost}): the checker needs it to tell which processes an acknowledged write waited for. Recorded in the
 * worker's history file beside its operations.
 *
 * @param process the worker incarnation, such as {@code w1.2}
 * @param tier the cache, {@link HistorySettings#NEAR} or {@link HistorySettings#NEAR_ACK}
 * @param kind what happened
 * @param time {@link System#nanoTime()}: for {@link Kind#CUT} before the listener dropped the near tier, for {@link
 *     Kind#RESUBSCRIBED} after it had
 */
record ChannelEvent(String process, String tier, Kind kind, long time) {

    /** What happened to the subscription. */
    enum Kind {
        /**
         * The channel found its subscription silent for the heartbeat timeout (half-open) and cut it; the near tier was
         * dropped, and the process is not subscribed until the next {@link #RESUBSCRIBED}.
         */
        CUT,
        /**
         * The channel subscribed again after its subscription ended (an error, a cut, a failed first attempt) and the
         * near tier was dropped: messages published meanwhile did not reach this process, and from now on they do.
         */
        RESUBSCRIBED
    }

    /** The first field of a channel event's line; an operation's line starts with its process instead. */
    static final String MARKER = "channel";

    private static final String SEPARATOR = "\t";
    private static final int FIELDS = 5;

    ChannelEvent {
        requireNonNull(process, "process");
        requireNonNull(tier, "tier");
        requireNonNull(kind, "kind");
    }

    /** Returns whether {@code line} holds a channel event rather than an operation. */
    static boolean isEvent(String line) {
        return line.startsWith(MARKER + SEPARATOR);
    }

    /** Returns the event as one tab-separated line, which {@link #parse} reads back. */
    String toLine() {
        return String.join(SEPARATOR, MARKER, process, tier, kind.name(), Long.toString(time));
    }

    /**
     * Reads a line written by {@link #toLine}.
     *
     * @throws IllegalArgumentException if the line is not one, such as a line cut short by a kill
     */
    static ChannelEvent parse(String line) {
        String[] fields = line.split(SEPARATOR, -1);
        if (fields.length != FIELDS || !fields[0].equals(MARKER)) {
            throw new IllegalArgumentException("not a channel event line (" + fields.length + " fields): " + line);
        }
        try {
            return new ChannelEvent(fields[1], fields[2], Kind.valueOf(fields[3]), Long.parseLong(fields[4]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a channel event line: " + line, e);
        }
    }
}
