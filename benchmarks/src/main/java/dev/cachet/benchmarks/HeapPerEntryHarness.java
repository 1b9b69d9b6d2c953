package dev.cachet.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * P8: heap retained per entry by a Cachet cache and by raw Caffeine with the same bound and {@code recordStats()},
 * each holding {@value #ENTRIES} small entries ({@code Integer} to a short {@code String}).
 *
 * <p>Each variant runs in a fresh JVM (serial GC, fixed heap) so neither inherits the other's garbage or JIT state. The
 * child allocates the keys and values first and keeps them alive, measures used heap after repeated {@link
 * System#gc()}, fills the cache, calls {@code cleanUp()}, and measures again: the difference divided by the entry
 * count is the cache's own overhead per entry (map node, table slot, eviction bookkeeping), not counting the keys and
 * values both variants share. The key-and-value bytes are reported beside it.
 */
public final class HeapPerEntryHarness {
    /** Entries per cache. */
    public static final int ENTRIES = 1_000_000;

    /** The variants measured. */
    public enum Variant {
        /** A Cachet cache, {@code Cachet.builder(…).maximumSize(n).build()} with default settings. */
        CACHET,
        /** Raw Caffeine, {@code Caffeine.newBuilder().maximumSize(n).recordStats().build()}. */
        CAFFEINE
    }

    /**
     * What a child JVM measured.
     *
     * @param variant the cache measured
     * @param entries entries stored
     * @param cacheBytesPerEntry the cache's own retained bytes per entry, keys and values excluded
     * @param keyValueBytesPerEntry bytes per entry of the keys and values themselves
     */
    public record Measurement(Variant variant, int entries, double cacheBytesPerEntry, double keyValueBytesPerEntry) {}

    private static final String RESULT_PREFIX = "P8-RESULT ";

    private HeapPerEntryHarness() {}

    /**
     * Measures {@code variant} in a fresh JVM started with this JVM's {@code java} and class path.
     *
     * @throws IllegalStateException if the child fails or prints no result
     */
    public static Measurement measureInFork(Variant variant, int entries) throws InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(
                java.toString(),
                "-Xms3g",
                "-Xmx3g",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                HeapPerEntryHarness.class.getName(),
                variant.name(),
                Integer.toString(entries));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the P8 child JVM", e);
        }
        List<String> output = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the P8 child JVM's output", e);
        }
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the P8 child JVM for " + variant + " failed: " + output);
        }
        for (String line : output) {
            if (line.startsWith(RESULT_PREFIX)) {
                String[] fields = line.substring(RESULT_PREFIX.length()).split(" ", -1);
                return new Measurement(variant, entries, Double.parseDouble(fields[0]), Double.parseDouble(fields[1]));
            }
        }
        throw new IllegalStateException("the P8 child JVM for " + variant + " printed no result: " + output);
    }

    /**
     * The child JVM: {@code HeapPerEntryHarness VARIANT ENTRIES}; prints one result line.
     *
     * @param args the variant's name and the entry count
     */
    public static void main(String[] args) throws InterruptedException {
        Variant variant = Variant.valueOf(args[0]);
        int entries = Integer.parseInt(args[1]);
        long empty = usedAfterGc();
        Integer[] keys = new Integer[entries];
        String[] values = new String[entries];
        for (int i = 0; i < entries; i++) {
            keys[i] = i; // outside the Integer cache for all but 128 keys: each entry has its own key object
            values[i] = "v" + i;
        }
        long withKeysAndValues = usedAfterGc();
        Object cache = fill(variant, keys, values);
        try {
            long withCache = usedAfterGc();
            double cachePerEntry = (double) (withCache - withKeysAndValues) / entries;
            double keyValuePerEntry = (double) (withKeysAndValues - empty) / entries;
            System.out.println(
                    RESULT_PREFIX + String.format(Locale.ROOT, "%.2f %.2f", cachePerEntry, keyValuePerEntry));
        } finally {
            // The cache, keys and values must still be reachable when the last measurement is taken.
            Reference.reachabilityFence(cache);
            Reference.reachabilityFence(keys);
            Reference.reachabilityFence(values);
        }
    }

    private static Object fill(Variant variant, Integer[] keys, String[] values) {
        return switch (variant) {
            case CACHET -> fillCachet(keys, values);
            case CAFFEINE -> fillCaffeine(keys, values);
        };
    }

    private static Cache<Integer, String> fillCachet(Integer[] keys, String[] values) {
        int entries = keys.length;
        Cache<Integer, String> cache = Cachet.builder("p8-heap")
                .maximumSize(entries)
                .registry(CacheRegistry.create())
                .build();
        for (int i = 0; i < entries; i++) {
            cache.put(keys[i], values[i]);
        }
        cache.cleanUp();
        requireSize(cache.estimatedSize(), entries);
        return cache;
    }

    private static com.github.benmanes.caffeine.cache.Cache<Integer, String> fillCaffeine(
            Integer[] keys, String[] values) {
        int entries = keys.length;
        com.github.benmanes.caffeine.cache.Cache<Integer, String> cache =
                Caffeine.newBuilder().maximumSize(entries).recordStats().build();
        for (int i = 0; i < entries; i++) {
            cache.put(keys[i], values[i]);
        }
        cache.cleanUp();
        requireSize(cache.estimatedSize(), entries);
        return cache;
    }

    private static void requireSize(long size, int entries) {
        if (size != entries) {
            throw new IllegalStateException("cache holds " + size + " entries, expected " + entries);
        }
    }

    /** Returns used heap once repeated full collections stop freeing anything. */
    private static long usedAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(50);
            used = runtime.totalMemory() - runtime.freeMemory();
            if (i >= 2 && Math.abs(previous - used) < 1024) {
                break;
            }
            previous = used;
        }
        return used;
    }
}
