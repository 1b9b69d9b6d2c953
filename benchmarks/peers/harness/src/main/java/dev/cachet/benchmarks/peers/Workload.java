package dev.cachet.benchmarks.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The work every peer does, the same for all: {@value #KEYS} keys {@code k0}, {@code k1}, ... of
 * {@value #VALUE_LENGTH}-character String values, written through the peer before measuring, with a TTL of {@link
 * #TTL}; a near tier holds up to {@value #NEAR_SIZE} entries for {@link #NEAR_TTL}.
 */
public final class Workload {
    /** Keys written before measuring. */
    public static final int KEYS = 1_000;

    /** Characters of each value. */
    public static final int VALUE_LENGTH = 100;

    /** Keys per {@code getAll} (P14). */
    public static final int GET_ALL_KEYS = 100;

    /** The bound of every near tier. */
    public static final int NEAR_SIZE = 10_000;

    /** The TTL of every value in Redis. */
    public static final Duration TTL = Duration.ofMinutes(10);

    /** How long a near tier keeps a copy. */
    public static final Duration NEAR_TTL = Duration.ofMinutes(5);

    private Workload() {}

    /** Returns the {@code i}-th key: {@code k<i>}. */
    public static String key(int i) {
        return "k" + i;
    }

    /** Returns the value stored under {@code key}: {@value #VALUE_LENGTH} ASCII characters starting with the key. */
    public static String valueOf(String key) {
        StringBuilder value = new StringBuilder(VALUE_LENGTH).append(key).append('=');
        while (value.length() < VALUE_LENGTH) {
            value.append((char) ('a' + value.length() % 26));
        }
        return value.toString();
    }

    /** Returns the keys {@code k0} to {@code k<count - 1>}. */
    public static List<String> keys(int count) {
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(key(i));
        }
        return keys;
    }

    /** Returns the {@code getAll} batches: {@value #KEYS} / {@value #GET_ALL_KEYS} runs of consecutive keys. */
    public static List<List<String>> getAllBatches() {
        List<String> keys = keys(KEYS);
        List<List<String>> batches = new ArrayList<>();
        for (int from = 0; from + GET_ALL_KEYS <= KEYS; from += GET_ALL_KEYS) {
            batches.add(List.copyOf(keys.subList(from, from + GET_ALL_KEYS)));
        }
        return batches;
    }

    /** Returns what {@code getAll(keys)} must return once {@link #fill} ran. */
    public static Map<String, String> expected(List<String> keys) {
        Map<String, String> expected = new LinkedHashMap<>();
        keys.forEach(k -> expected.put(k, valueOf(k)));
        return expected;
    }

    /** A loader that counts its calls: the measured calls are hits, so any call is a defect of the setup. */
    public static final class CountingLoader implements Function<String, String> {
        private final AtomicLong calls = new AtomicLong();

        @Override
        public String apply(String key) {
            calls.incrementAndGet();
            return valueOf(key);
        }

        /** Returns the calls so far. */
        public long calls() {
            return calls.get();
        }

        /** Forgets the calls so far. */
        public void reset() {
            calls.set(0);
        }
    }

    /**
     * Writes every key through {@code cache}, then reads each once (which fills a near tier that a put does not) and
     * checks the value.
     *
     * @throws IllegalStateException if a read returns another value
     */
    public static void fill(PeerCache cache, String label) {
        CountingLoader loader = new CountingLoader();
        for (int i = 0; i < KEYS; i++) {
            cache.put(key(i), valueOf(key(i)));
        }
        for (int i = 0; i < KEYS; i++) {
            String value = cache.get(key(i), loader);
            if (!valueOf(key(i)).equals(value)) {
                throw new IllegalStateException(label + " returned " + value + " for " + key(i) + " after put");
            }
        }
    }
}
