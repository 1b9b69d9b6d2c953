package dev.cachet.redis.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded plan of the faults of one history run: one fault at a time, with healthy gaps between them, and a healthy
 * end so that what a fault left behind can be seen. Immutable.
 *
 * @param faults the faults in order of their start
 */
record FaultSchedule(List<Planned> faults) {

    /** The kinds of fault. */
    enum Kind {
        /** {@code kill -9} of a worker JVM, then a new incarnation of it. */
        KILL,
        /** SIGSTOP of a worker JVM, SIGCONT after the fault's duration. */
        STOP,
        /** {@code CLIENT KILL TYPE pubsub} on the cache's Redis: every near tier's subscription drops. */
        PUBSUB_KILL,
        /** The proxy in front of the cache's Redis silences every connection for the fault's duration. */
        BLACKHOLE,
        /** The proxy resets every connection for the fault's duration. */
        RESET,
        /** The proxy delays every chunk for the fault's duration. */
        LATENCY;

        /** Whether it cuts workers off the cache's Redis, so that their writes may fail. */
        boolean isNetwork() {
            return this == BLACKHOLE || this == RESET || this == LATENCY;
        }
    }

    /**
     * One fault as planned.
     *
     * @param kind what it is
     * @param at when it starts, from the start of the run
     * @param duration how long it lasts; zero for a kill (it lasts until the new incarnation is ready) and a CLIENT KILL
     * @param worker the worker a kill or stop hits; -1 for the others
     * @param latency the added latency per chunk of a {@link Kind#LATENCY} fault; zero for the others
     */
    record Planned(Kind kind, Duration at, Duration duration, int worker, Duration latency) {}

    /** Healthy time at the start, before any fault. */
    private static final Duration LEAD_IN = Duration.ofSeconds(2);
    /** Healthy time left at the end: a fault's aftermath must be visible to the checker. */
    private static final Duration TAIL = Duration.ofSeconds(4);
    /** What a kill takes until the new incarnation runs: a JVM start on a loaded machine. */
    private static final Duration RESTART = Duration.ofSeconds(3);

    private static final Kind[] KINDS = Kind.values();

    FaultSchedule {
        faults = List.copyOf(faults);
    }

    /** Plans the faults of a run of {@code length}, the same for the same seed. */
    static FaultSchedule plan(long seed, Duration length, int workers) {
        Random random = new Random(seed);
        List<Planned> faults = new ArrayList<>();
        long at = LEAD_IN.toMillis();
        long end = length.minus(TAIL).toMillis();
        while (true) {
            // A healthy gap of 1 to 3.5 s: sometimes shorter than the heal delay, so that faults also come back to
            // back.
            at += 1_000 + random.nextInt(2_500);
            Kind kind = KINDS[random.nextInt(KINDS.length)];
            long duration = switch (kind) {
                case KILL, PUBSUB_KILL -> 0;
                default -> 500 + random.nextInt(2_000);
            };
            long takes = kind == Kind.KILL ? RESTART.toMillis() : duration;
            if (at + takes > end) {
                break;
            }
            int worker = kind == Kind.KILL || kind == Kind.STOP ? random.nextInt(workers) : -1;
            Duration latency = kind == Kind.LATENCY ? Duration.ofMillis(20 + random.nextInt(300)) : Duration.ZERO;
            faults.add(new Planned(kind, Duration.ofMillis(at), Duration.ofMillis(duration), worker, latency));
            at += takes;
        }
        return new FaultSchedule(faults);
    }
}
