package dev.cachet.benchmarks.peers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The peers' JMH benchmark, run in each peer's own JVM (JMH forks it with that JVM's class path, so the peer's
 * libraries and no others): the {@link Peer} on the class path opens {@link #variant}, {@link Workload#fill} writes
 * every key, and every measured call is a hit. A loader call while measuring fails the trial.
 *
 * <ul>
 *   <li>{@link #hit}: {@code get(k, loader)} of the next key, each thread walking the {@value Workload#KEYS} keys in
 *       turn (P10, P11; P17 under {@code -prof gc}).
 *   <li>{@link #getAll}: {@code getAll} of the next run of {@value Workload#GET_ALL_KEYS} consecutive keys (P14).
 * </ul>
 */
@State(Scope.Benchmark)
public class PeerBenchmark {
    /** The variant's id (see {@link Peer#variants()}). */
    @Param("")
    public String variant;

    /** The Redis server's host. */
    @Param("127.0.0.1")
    public String host;

    /** The Redis server's port. */
    @Param("6379")
    public int port;

    private PeerCache cache;
    private String[] keys;
    private List<List<String>> batches;
    private final Workload.CountingLoader loader = new Workload.CountingLoader();

    /** Opens the variant and writes every key. */
    @Setup(Level.Trial)
    public void open() {
        Peer peer = Peer.load();
        Variant v = peer.variant(variant);
        cache = peer.open(variant, host, port);
        Workload.fill(cache, v.label());
        keys = Workload.keys(Workload.KEYS).toArray(String[]::new);
        batches = Workload.getAllBatches();
        loader.reset();
    }

    /** Fails the trial if a measured call loaded, then closes the cache. */
    @TearDown(Level.Trial)
    public void close() {
        try {
            if (loader.calls() != 0) {
                throw new IllegalStateException(
                        loader.calls() + " loader calls while measuring " + variant + ": only hits are measured");
            }
        } finally {
            cache.close();
        }
    }

    /** Each thread's position in the keys and batches. */
    @State(Scope.Thread)
    public static class Cursor {
        int nextKey;
        int nextBatch;

        int key() {
            int i = nextKey;
            nextKey = i + 1 == Workload.KEYS ? 0 : i + 1;
            return i;
        }

        int batch(int batches) {
            int i = nextBatch;
            nextBatch = i + 1 == batches ? 0 : i + 1;
            return i;
        }
    }

    /** A hit: {@code get(k, loader)} of a key written before measuring. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String hit(Cursor c) {
        return cache.get(keys[c.key()], loader);
    }

    /** {@code getAll} of {@value Workload#GET_ALL_KEYS} present keys; fails if one is missing. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Map<String, String> getAll(Cursor c) {
        Map<String, String> values = cache.getAll(batches.get(c.batch(batches.size())));
        if (values.size() != Workload.GET_ALL_KEYS) {
            throw new IllegalStateException(
                    variant + ".getAll returned " + values.size() + " of " + Workload.GET_ALL_KEYS + " present keys");
        }
        return values;
    }
}
