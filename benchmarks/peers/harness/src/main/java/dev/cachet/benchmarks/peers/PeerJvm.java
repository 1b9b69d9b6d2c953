package dev.cachet.benchmarks.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One peer module, as the driver runs it: a JVM with the module's own class path ({@code target/classes} and the
 * {@code target/classpath.txt} its build wrote) running {@link PeerWorker}. Not thread-safe; the driver runs one JVM at
 * a time.
 */
final class PeerJvm {
    private static final long TIME_LIMIT_MINUTES = 15;

    private final String module;
    private final String classPath;

    private PeerJvm(String module, String classPath) {
        this.module = module;
        this.classPath = classPath;
    }

    /**
     * Returns the JVM of the peer module in {@code directory}.
     *
     * @throws IllegalStateException if the module is not built
     */
    static PeerJvm of(Path directory) {
        Path classes = directory.resolve("target/classes");
        Path classPathFile = directory.resolve("target/classpath.txt");
        if (!Files.isDirectory(classes) || !Files.isRegularFile(classPathFile)) {
            throw new IllegalStateException("peer module " + directory + " is not built (no target/classes or"
                    + " target/classpath.txt): run benchmarks/peers/run.sh, which builds every peer module first");
        }
        try {
            String dependencies =
                    Files.readString(classPathFile, StandardCharsets.UTF_8).strip();
            return new PeerJvm(directory.getFileName().toString(), classes + java.io.File.pathSeparator + dependencies);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the module's directory name, e.g. {@code redisson}. */
    String module() {
        return module;
    }

    /**
     * Runs {@link PeerWorker} with {@code args} (after the JVM options {@code jvmOptions}) and returns its tagged
     * output lines, split at tabs.
     *
     * @throws IllegalStateException if the JVM fails, with its output
     */
    List<String[]> run(List<String> jvmOptions, String... args) throws InterruptedException {
        return start(jvmOptions, args).await();
    }

    /**
     * Starts {@link PeerWorker} with {@code args} (after the JVM options {@code jvmOptions}) and returns at once; its
     * output is read on a thread of its own. The multi-JVM figures (P12, P13) run several at a time.
     */
    Started start(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(PeerWorker.JVM_OPTIONS);
        command.addAll(jvmOptions);
        // -Djmh.ignoreLock=true given to the driver reaches the JMH runner in the peer's JVM.
        String ignoreLock = System.getProperty("jmh.ignoreLock");
        if (ignoreLock != null) {
            command.add("-Djmh.ignoreLock=" + ignoreLock);
        }
        command.add("-cp");
        command.add(classPath);
        command.add(PeerWorker.class.getName());
        command.addAll(List.of(args));
        try {
            return new Started(
                    new ProcessBuilder(command).redirectErrorStream(true).start(), String.join(" ", args));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the JVM of peer " + module, e);
        }
    }

    /** A peer JVM running; its output is collected as it comes. Thread-safe. */
    final class Started {
        private final Process process;
        private final String args;
        private final List<String> output = Collections.synchronizedList(new ArrayList<>());
        private final Thread reader;

        private Started(Process process, String args) {
            this.process = process;
            this.args = args;
            this.reader = new Thread(this::readOutput, "output-of-" + module);
            reader.setDaemon(true);
            reader.start();
        }

        private void readOutput() {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("(cannot read the output of peer " + module + ": " + e + ")");
            }
        }

        /**
         * Waits for the JVM to end and returns its tagged output lines, split at tabs.
         *
         * @throws IllegalStateException if it fails or runs over the time limit, with its output
         */
        List<String[]> await() throws InterruptedException {
            boolean ended = process.waitFor(TIME_LIMIT_MINUTES, TimeUnit.MINUTES);
            if (ended) {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
            List<String> lines;
            synchronized (output) {
                lines = List.copyOf(output);
            }
            if (!ended || process.exitValue() != 0) {
                process.destroyForcibly();
                int from = Math.max(0, lines.size() - 60);
                throw new IllegalStateException("peer " + module + " failed: " + args + "\n"
                        + String.join("\n", lines.subList(from, lines.size())));
            }
            List<String[]> tagged = new ArrayList<>();
            for (String line : lines) {
                if (!line.isEmpty() && Character.isUpperCase(line.charAt(0)) && line.contains("\t")) {
                    tagged.add(line.split("\t", -1));
                }
            }
            return tagged;
        }

        /** Ends the JVM at once (a figure failed elsewhere). */
        void kill() {
            process.destroyForcibly();
        }
    }
}
