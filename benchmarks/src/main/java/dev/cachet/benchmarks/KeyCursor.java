package dev.cachet.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A benchmark thread's position in the {@link HitWorkload} key sequence. Each thread starts at a random offset so
 * that two threads do not hit the same keys in lockstep.
 */
@State(Scope.Thread)
public class KeyCursor {
    private static final int MASK = HitWorkload.SAMPLES - 1;

    private int index;

    /** Picks this thread's starting offset. */
    @Setup(Level.Trial)
    public void start() {
        index = ThreadLocalRandom.current().nextInt(HitWorkload.SAMPLES);
    }

    /** Returns the next key of the sequence, wrapping around at its end. */
    public Integer next() {
        Integer key = HitWorkload.keyAt(index);
        index = (index + 1) & MASK;
        return key;
    }
}
