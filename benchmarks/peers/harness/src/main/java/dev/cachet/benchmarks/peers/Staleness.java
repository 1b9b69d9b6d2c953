package dev.cachet.benchmarks.peers;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * P13: how often a read on another JVM, right after a {@code put} returned and the writer told it so, is stale, and
 * how long until that JVM sees the write. The writer and the reader each open the variant (a near tier each); over
 * {@link Link}, a loopback socket, the writer sends {@code W <i> <nanoTime after put>} after each {@code put} and waits
 * for the reader's {@code OK}. The reader reads once (stale or not), then reads again until it sees the write, and
 * replies. Writes cycle over {@value #KEYS} keys that the reader read first, so each write replaces a value the
 * reader's near tier holds. The reader's loader returns the last value written under the key, which the writer's
 * signals tell it: a read that the cache answers from the loader (failing open when a Redis call fails) returns what
 * Redis holds, so it is counted as a load, not as stale or never seen. Both JVMs run on one machine, whose {@link
 * System#nanoTime()} is one clock for every process (Linux's {@code CLOCK_MONOTONIC}), so the reader can time a write
 * from the moment its {@code put} returned.
 */
final class Staleness {
    /** Keys the writes cycle over. */
    static final int KEYS = 100;

    /** How long the reader waits for a write before it counts it as never seen. */
    static final Duration CONVERGENCE_LIMIT = Duration.ofSeconds(5);

    private Staleness() {}

    /**
     * What the reader saw.
     *
     * @param writes writes signalled
     * @param stale first reads that returned an older value
     * @param never writes not seen within {@link #CONVERGENCE_LIMIT}
     * @param loads loader calls (none expected: every key is in Redis; each returned the key's last written value)
     * @param p50Micros the median time from the writer's {@code put} returning to the reader's read that returned the
     *     write, over the writes seen
     * @param p99Micros its 99th percentile
     * @param maxMicros its maximum
     */
    record ReaderResult(
            int writes, int stale, int never, long loads, double p50Micros, double p99Micros, double maxMicros) {
        static ReaderResult of(int writes, int stale, int never, long loads, long[] sortedNanos) {
            return new ReaderResult(
                    writes,
                    stale,
                    never,
                    loads,
                    quantile(sortedNanos, 0.5) / 1e3,
                    quantile(sortedNanos, 0.99) / 1e3,
                    quantile(sortedNanos, 1.0) / 1e3);
        }

        /** Returns the worker's output line. */
        String line() {
            return ResultLine.of("STALE", this);
        }

        /** Parses {@link #line()}, split at tabs. */
        static ReaderResult parse(String[] fields) {
            return ResultLine.parse(ReaderResult.class, fields);
        }
    }

    /**
     * The writer's {@code put} latencies.
     *
     * @param p50Micros the median
     * @param p99Micros the 99th percentile
     */
    record WriterResult(double p50Micros, double p99Micros) {
        static WriterResult of(long[] sortedNanos) {
            return new WriterResult(quantile(sortedNanos, 0.5) / 1e3, quantile(sortedNanos, 0.99) / 1e3);
        }

        /** Returns the worker's output line. */
        String line() {
            return ResultLine.of("PUTS", this);
        }

        /** Parses {@link #line()}, split at tabs. */
        static WriterResult parse(String[] fields) {
            return ResultLine.parse(WriterResult.class, fields);
        }
    }

    /** The key of write {@code i}. */
    static String key(int i) {
        return "s" + (i % KEYS);
    }

    /** The value of write {@code i} (write 0 is the first value of every key). */
    static String value(int i, String key) {
        return Workload.valueOf(key) + "#" + i;
    }

    /** Writes the first value of every key; the writer calls this before the reader's {@link #prepareReader}. */
    static void prepareWriter(PeerCache cache) {
        for (int k = 0; k < KEYS; k++) {
            cache.put(key(k), value(0, key(k)));
        }
    }

    /**
     * Reads every key, so the reader's near tier holds a copy of each.
     *
     * @throws IllegalStateException if a key does not hold its first value
     */
    static void prepareReader(PeerCache cache) {
        LastWrites loader = new LastWrites();
        for (int k = 0; k < KEYS; k++) {
            String value = cache.get(key(k), loader);
            if (!value(0, key(k)).equals(value)) {
                throw new IllegalStateException("reader read " + value + " for " + key(k) + " before any write");
            }
        }
    }

    /**
     * Writes {@code writes} times, signalling the reader after each {@code put} and waiting for its reply; returns the
     * {@code put} latencies.
     */
    static WriterResult write(PeerCache cache, Link reader, int writes) {
        long[] latency = new long[writes];
        for (int i = 1; i <= writes; i++) {
            String key = key(i);
            long start = System.nanoTime();
            cache.put(key, value(i, key));
            long done = System.nanoTime();
            latency[i - 1] = done - start;
            reader.send("W " + i + " " + done);
            reader.receive("OK");
        }
        reader.send("END");
        Arrays.sort(latency);
        return WriterResult.of(latency);
    }

    /** Answers the writer's signals until it sends {@code END}. */
    static ReaderResult read(PeerCache cache, Link writer) {
        LastWrites loader = new LastWrites();
        long[] convergence = new long[1024];
        int seen = 0;
        int writes = 0;
        int stale = 0;
        int never = 0;
        for (String[] signal = writer.receive().split(" ", -1);
                !signal[0].equals("END");
                signal = writer.receive().split(" ", -1)) {
            int i = Integer.parseInt(signal[1]);
            long putReturned = Long.parseLong(signal[2]);
            String key = key(i);
            String expected = value(i, key);
            loader.written(key, expected);
            writes++;
            String value = cache.get(key, loader);
            long readAt = System.nanoTime();
            if (!expected.equals(value)) {
                stale++;
                long deadline = putReturned + CONVERGENCE_LIMIT.toNanos();
                while (!expected.equals(value) && readAt < deadline) {
                    Thread.onSpinWait();
                    value = cache.get(key, loader);
                    readAt = System.nanoTime();
                }
            }
            if (expected.equals(value)) {
                if (seen == convergence.length) {
                    convergence = Arrays.copyOf(convergence, seen * 2);
                }
                convergence[seen++] = readAt - putReturned;
            } else {
                never++;
            }
            writer.send("OK");
        }
        long[] sorted = Arrays.copyOf(convergence, seen);
        Arrays.sort(sorted);
        return ReaderResult.of(writes, stale, never, loader.calls(), sorted);
    }

    /**
     * The reader's loader: returns the last value written under a key as the writer's signals said (the first value of
     * every key until then), as a loader that reads the system of record would, and counts its calls. Thread-safe: a
     * cache may call its loader on a thread of its own.
     */
    static final class LastWrites implements Function<String, String> {
        private final Map<String, String> last = new ConcurrentHashMap<>();
        private final AtomicLong calls = new AtomicLong();

        LastWrites() {
            for (int k = 0; k < KEYS; k++) {
                last.put(key(k), value(0, key(k)));
            }
        }

        /** Records that {@code value} was written under {@code key}. */
        void written(String key, String value) {
            last.put(key, value);
        }

        @Override
        public String apply(String key) {
            calls.incrementAndGet();
            String value = last.get(key);
            if (value == null) {
                throw new IllegalArgumentException("the reader loaded '" + key + "', which no write uses");
            }
            return value;
        }

        /** Returns the calls so far. */
        long calls() {
            return calls.get();
        }
    }

    /** Returns the {@code q}-quantile (nearest rank) of sorted {@code values}, or NaN if there are none. */
    static double quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }
}
