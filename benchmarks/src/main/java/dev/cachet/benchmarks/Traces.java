package dev.cachet.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads the access traces of the hit-ratio harness: gzip text files, one non-negative integer key per line, blank
 * lines skipped. They live outside the repository, in {@code ../shared/traces} relative to the repository root, or
 * wherever the system property {@value #DIR_PROPERTY} says.
 */
public final class Traces {
    /** The system property that names the traces directory. */
    public static final String DIR_PROPERTY = "cachet.traces.dir";

    private Traces() {}

    /**
     * Returns the traces directory: the one {@value #DIR_PROPERTY} names, else {@code ../shared/traces} next to the
     * repository root found above the working directory; empty if that directory does not exist.
     */
    public static Optional<Path> directory() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath().normalize();
            return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
        }
        // The repository root is the nearest directory above the working directory that holds benchmarks/pom.xml.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("benchmarks").resolve("pom.xml"))) {
                Path traces = dir.resolveSibling("shared").resolve("traces");
                return Files.isDirectory(traces) ? Optional.of(traces) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Reads one trace file.
     *
     * @return the keys in request order
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a line is not a non-negative integer
     */
    public static int[] read(Path file) {
        int[] keys = new int[1 << 16];
        int count = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.US_ASCII))) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                int key = parseKey(file, lineNumber, trimmed);
                if (count == keys.length) {
                    keys = Arrays.copyOf(keys, keys.length * 2);
                }
                keys[count++] = key;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace " + file, e);
        }
        return Arrays.copyOf(keys, count);
    }

    private static int parseKey(Path file, int lineNumber, String text) {
        int key;
        try {
            key = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    file + " line " + lineNumber + ": expected a non-negative integer key, was '" + text + "'", e);
        }
        if (key < 0) {
            throw new IllegalArgumentException(file + " line " + lineNumber + ": negative key " + key);
        }
        return key;
    }
}
