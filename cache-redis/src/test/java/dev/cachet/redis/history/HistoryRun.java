package dev.cachet.redis.history;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.cachet.testing.redis.FaultProxy;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Runs {@link HistorySettings#WORKERS} {@link HistoryWorker} JVMs against a cache Redis (reached through a {@link
 * FaultProxy}) and a database Redis, injects the faults of a seeded {@link FaultSchedule} meanwhile, and collects the
 * history. Not thread-safe: one run at a time.
 */
final class HistoryRun {
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    /** How long past the deadline a worker may take to finish its last operation and exit. */
    private static final Duration EXIT_GRACE = HistorySettings.OP_BOUND.plusSeconds(10);

    private final FaultProxy proxy;
    private final String cacheHost;
    private final int cachePort;
    private final String databaseUri;
    private final long seed;
    private final Duration length;
    private final Path dir;

    private final List<FaultEvent> faults = new ArrayList<>();
    private final Map<String, Long> killedAt = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * Prepares a run.
     *
     * @param proxy the proxy the workers reach the cache's Redis through
     * @param cacheHost the cache's Redis itself, for CLIENT KILL
     * @param databaseUri the Redis that holds each key's version
     * @param dir an empty directory for the history files and worker logs
     */
    HistoryRun(
            FaultProxy proxy,
            String cacheHost,
            int cachePort,
            String databaseUri,
            long seed,
            Duration length,
            Path dir) {
        this.proxy = requireNonNull(proxy, "proxy");
        this.cacheHost = requireNonNull(cacheHost, "cacheHost");
        this.cachePort = cachePort;
        this.databaseUri = requireNonNull(databaseUri, "databaseUri");
        this.seed = seed;
        this.length = requireNonNull(length, "length");
        this.dir = requireNonNull(dir, "dir");
    }

    /** Runs the workers and the faults to the end and returns what happened. */
    History run() throws IOException, InterruptedException {
        FaultSchedule schedule = FaultSchedule.plan(seed, length, HistorySettings.WORKERS);
        WorkerProcess[] current = new WorkerProcess[HistorySettings.WORKERS];
        List<WorkerProcess> all = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start;
        try {
            for (int i = 0; i < current.length; i++) {
                current[i] = startWorker(i, 0);
                all.add(current[i]);
            }
            for (WorkerProcess worker : current) {
                if (!worker.awaitReady(STARTUP_LIMIT)) {
                    problems.add(worker.label + " did not come up within " + STARTUP_LIMIT + ": " + worker.tail());
                    return history(start, start);
                }
            }
            start = System.nanoTime();
            deadline = start + length.toNanos();
            for (WorkerProcess worker : current) {
                worker.sendDeadline(deadline);
            }
            for (FaultSchedule.Planned fault : schedule.faults()) {
                sleepUntil(start + fault.at().toNanos());
                inject(fault, current, all, deadline);
            }
            sleepUntil(deadline);
            for (WorkerProcess worker : current) {
                awaitExit(worker, deadline + EXIT_GRACE.toNanos());
            }
        } finally {
            proxy.pass();
            all.forEach(WorkerProcess::kill);
        }
        return history(start, deadline);
    }

    private History history(long start, long end) throws IOException {
        HistoryRecorder.Recorded recorded = HistoryRecorder.readAll(dir);
        return new History(seed, recorded.ops(), recorded.channelEvents(), faults, killedAt, start, end, problems);
    }

    private void inject(FaultSchedule.Planned fault, WorkerProcess[] current, List<WorkerProcess> all, long deadline)
            throws IOException, InterruptedException {
        long duration = fault.duration().toNanos();
        switch (fault.kind()) {
            case KILL -> {
                WorkerProcess victim = current[fault.worker()];
                long at = System.nanoTime();
                victim.kill();
                killedAt.put(victim.label, at);
                WorkerProcess next = startWorker(fault.worker(), victim.incarnation + 1);
                current[fault.worker()] = next;
                all.add(next);
                if (!next.awaitReady(STARTUP_LIMIT)) {
                    problems.add(next.label + " did not come up within " + STARTUP_LIMIT + ": " + next.tail());
                }
                next.sendDeadline(deadline);
                faults.add(new FaultEvent(
                        fault.kind(), victim.label, at, System.nanoTime(), "restarted as " + next.label));
            }
            case STOP -> {
                WorkerProcess victim = current[fault.worker()];
                long at = System.nanoTime();
                victim.signal("STOP");
                sleepUntil(at + duration);
                victim.signal("CONT");
                faults.add(new FaultEvent(fault.kind(), victim.label, at, System.nanoTime(), ""));
            }
            case PUBSUB_KILL -> {
                long at = System.nanoTime();
                long killed;
                try (Jedis jedis = new Jedis(cacheHost, cachePort)) {
                    killed = jedis.clientKill(new ClientKillParams().type(ClientType.PUBSUB));
                }
                faults.add(new FaultEvent(fault.kind(), "redis", at, at, killed + " subscription(s) killed"));
            }
            case BLACKHOLE, RESET, LATENCY -> {
                long at = System.nanoTime();
                switch (fault.kind()) {
                    case BLACKHOLE -> proxy.blackhole();
                    case RESET -> proxy.reset();
                    default -> proxy.latency(fault.latency());
                }
                sleepUntil(at + duration);
                proxy.pass();
                String detail = fault.kind() == FaultSchedule.Kind.LATENCY
                        ? fault.latency().toMillis() + " ms per chunk"
                        : "";
                faults.add(new FaultEvent(fault.kind(), "proxy", at, System.nanoTime(), detail));
            }
        }
    }

    private void awaitExit(WorkerProcess worker, long until) throws InterruptedException {
        long wait = Math.max(1, until - System.nanoTime());
        if (!worker.process.waitFor(wait, TimeUnit.NANOSECONDS)) {
            problems.add(worker.label + " still ran " + EXIT_GRACE + " after the deadline (hung?): " + worker.tail());
            worker.kill();
        } else if (worker.process.exitValue() != HistoryWorker.EXIT_OK) {
            problems.add(worker.label + " exited with " + worker.process.exitValue() + ": " + worker.tail());
        }
    }

    private WorkerProcess startWorker(int worker, int incarnation) throws IOException {
        String label = "w" + worker + "." + incarnation;
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath(),
                HistoryWorker.class.getName(),
                Integer.toString(worker),
                Integer.toString(incarnation),
                "redis://" + proxy.host() + ":" + proxy.port(),
                databaseUri,
                Long.toString(seed),
                dir.resolve(label + ".history").toString());
        return WorkerProcess.start(incarnation, label, command, dir.resolve(label + ".log"));
    }

    private static String classPath() {
        // As StampedeHarness: Surefire may put modules on the module path; the class path serves the workers too.
        return Arrays.asList(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .stream()
                .filter(part -> !part.isEmpty())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** A worker JVM, and a thread that copies its output to its log file and notices its ready line. */
    private static final class WorkerProcess {
        private final int incarnation;
        private final String label;
        private final Process process;
        private final Path log;
        private final CountDownLatch ready = new CountDownLatch(1);

        private WorkerProcess(int incarnation, String label, Process process, Path log) {
            this.incarnation = incarnation;
            this.label = label;
            this.process = process;
            this.log = log;
        }

        static WorkerProcess start(int incarnation, String label, List<String> command, Path log) throws IOException {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            WorkerProcess started = new WorkerProcess(incarnation, label, process, log);
            Thread copier = new Thread(started::copyOutput, "history-" + label + "-output");
            copier.setDaemon(true);
            copier.start();
            return started;
        }

        private void copyOutput() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
                    Writer out = Files.newBufferedWriter(log, UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.write(line);
                    out.write(System.lineSeparator());
                    out.flush();
                    if (line.equals(HistoryWorker.READY)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // The worker was killed mid-line; its log keeps what came before.
            } finally {
                ready.countDown(); // an ended worker is not waited for; awaitReady checks it is alive
            }
        }

        boolean awaitReady(Duration limit) throws InterruptedException {
            return ready.await(limit.toMillis(), TimeUnit.MILLISECONDS) && process.isAlive();
        }

        void sendDeadline(long deadline) {
            try {
                BufferedWriter stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), UTF_8));
                stdin.write(Long.toString(deadline));
                stdin.newLine();
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot send the deadline to " + label, e);
            }
        }

        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + label + ") failed");
            }
        }

        void kill() {
            process.destroyForcibly(); // SIGKILL
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log, UTF_8);
                return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
