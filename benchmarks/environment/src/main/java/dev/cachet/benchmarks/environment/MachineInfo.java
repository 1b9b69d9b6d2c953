package dev.cachet.benchmarks.environment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The machine, JDK and date a report was measured on, as printed at the top of {@code RESULTS.md}.
 *
 * @param cores processors available to the JVM
 * @param memoryBytes physical memory, or -1 if unknown
 * @param os operating system name, version and architecture
 * @param cpu the CPU model from {@code /proc/cpuinfo}, or {@code unknown CPU}
 * @param jdk the runtime's name, vendor and version
 * @param date when the suite started, UTC
 * @param revision the repository's {@code git describe --always --dirty} (the code measured), or {@code unknown}
 */
public record MachineInfo(
        int cores, long memoryBytes, String os, String cpu, String jdk, String date, String revision) {

    /** Describes the machine this JVM runs on, now. */
    public static MachineInfo current() {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                cpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vm.vendor") + ")",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                gitRevision());
    }

    /** Returns the memory in GiB, one decimal, or {@code unknown}. */
    public String memory() {
        return memoryBytes < 0
                ? "unknown"
                : String.format(Locale.ROOT, "%.1f GiB", memoryBytes / (1024.0 * 1024 * 1024));
    }

    /** Returns a one-line summary for the chart's subtitle. */
    public String oneLine() {
        return cores + " cores, " + memory() + ", " + os + " · " + jdk + " · " + date;
    }

    /**
     * Returns the 1-, 5- and 15-minute load averages from {@code /proc/loadavg}, or {@code unknown}: a load above the
     * core count means other work competed with the benchmarks.
     */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .strip()
                    .split(" ", -1);
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Asks git which commit the working tree is at, and whether it has uncommitted changes. */
    private static String gitRevision() {
        try {
            Process git = new ProcessBuilder("git", "describe", "--always", "--dirty")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the model is a nicety, not a requirement.
        }
        return "unknown CPU";
    }
}
