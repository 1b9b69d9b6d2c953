package dev.cachet.redis.history;

import static java.util.Objects.requireNonNull;

/**
 * One operation of a history, as a worker recorded it: a read ({@code get(key, loader)}) or a write (increment the
 * key's version in the database, then {@code invalidate} or {@code put} it in the cache).
 *
 * @param process the worker incarnation that ran it, such as {@code w1.2} (worker 1, started for the third time)
 * @param thread the worker thread, from 0
 * @param tier the cache it went through: {@link HistorySettings#REMOTE}, {@link HistorySettings#NEAR} or {@link
 *     HistorySettings#NEAR_ACK}
 * @param key the cache key
 * @param kind what it did
 * @param start {@link System#nanoTime()} before the call; comparable across the JVMs of one Linux host (both read
 *     CLOCK_MONOTONIC)
 * @param end {@link System#nanoTime()} after the call returned or threw
 * @param version a read's result, a write's new version; -1 if the call threw
 * @param confirmed for a write: whether its call to the Redis store returned normally, so the write is known to have
 *     reached Redis; false when it failed or was never made (open breaker) under fail-open. Always true for reads
 * @param acknowledged for a write of the {@link HistorySettings#NEAR_ACK} cache: whether its invalidation message was
 *     acknowledged by every receiver within the wait (the channel's {@code publishAcknowledged} returned true), so the
 *     write counted in {@code NearStats.acknowledged()}; false when the wait ran out or the message could not be sent.
 *     Always false for reads and for the other caches' writes
 * @param source for a read, where its value came from; {@link Source#NONE} for writes
 * @param error the exception the call threw, as {@code toString()}; empty if none
 */
record Op(
        String process,
        int thread,
        String tier,
        String key,
        Kind kind,
        long start,
        long end,
        long version,
        boolean confirmed,
        boolean acknowledged,
        Source source,
        String error) {

    /** What an operation did. */
    enum Kind {
        READ,
        INVALIDATE,
        PUT
    }

    /** Where a read's value came from. */
    enum Source {
        /** This call ran the loader: the database. */
        LOADER,
        /** The Redis tier. */
        REDIS,
        /** This process: its near tier, or another thread's load it waited for. */
        LOCAL,
        /** Not a read, or it threw. */
        NONE
    }

    private static final String SEPARATOR = "\t";
    private static final int FIELDS = 12;

    Op {
        requireNonNull(process, "process");
        requireNonNull(tier, "tier");
        requireNonNull(key, "key");
        requireNonNull(kind, "kind");
        requireNonNull(source, "source");
        requireNonNull(error, "error");
    }

    boolean isWrite() {
        return kind != Kind.READ;
    }

    boolean threw() {
        return !error.isEmpty();
    }

    boolean loaded() {
        return source == Source.LOADER;
    }

    long durationNanos() {
        return end - start;
    }

    /** Returns the operation as one tab-separated line, which {@link #parse} reads back. */
    String toLine() {
        return String.join(
                SEPARATOR,
                process,
                Integer.toString(thread),
                tier,
                key,
                kind.name(),
                Long.toString(start),
                Long.toString(end),
                Long.toString(version),
                Boolean.toString(confirmed),
                Boolean.toString(acknowledged),
                source.name(),
                error.isEmpty() ? "-" : error.replaceAll("\\s+", " "));
    }

    /**
     * Reads a line written by {@link #toLine}.
     *
     * @throws IllegalArgumentException if the line is not one, such as a line cut short by a kill
     */
    static Op parse(String line) {
        String[] fields = line.split(SEPARATOR, -1);
        if (fields.length != FIELDS) {
            throw new IllegalArgumentException("not an operation line (" + fields.length + " fields): " + line);
        }
        try {
            return new Op(
                    fields[0],
                    Integer.parseInt(fields[1]),
                    fields[2],
                    fields[3],
                    Kind.valueOf(fields[4]),
                    Long.parseLong(fields[5]),
                    Long.parseLong(fields[6]),
                    Long.parseLong(fields[7]),
                    parseBoolean(fields[8]),
                    parseBoolean(fields[9]),
                    Source.valueOf(fields[10]),
                    fields[11].equals("-") ? "" : fields[11]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an operation line: " + line, e);
        }
    }

    /** Unlike {@link Boolean#parseBoolean}, rejects anything but {@code true} and {@code false}: a field out of place. */
    private static boolean parseBoolean(String field) {
        return switch (field) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean: " + field);
        };
    }
}
