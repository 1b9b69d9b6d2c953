package dev.cachet.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.cachet.Cache;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Measures loads per expiry across processes: {@code processes} worker JVMs of {@code threads} threads each ask a
 * cache for one key at the start of every round, a key no process asked for before, so that every round is a stampede
 * on a cold key, as just after an expiry. A cache whose cross-process lock works loads once per round, whatever the number of
 * processes; without the lock each process loads once per round through its own single flight.
 *
 * <p>The caller names a {@link CacheFactory} class, which each worker JVM instantiates by name to build its cache (a
 * Redis-backed one, typically); the harness itself needs no Redis client. Workers run on this JVM's class path.
 *
 * <pre>{@code
 * public class RedisStampedeCaches implements StampedeHarness.CacheFactory {   // public, with a no-arg constructor
 *     public Cache<String, String> create(String uri, boolean lockOn, Duration ttl) {
 *         RemoteConfig config = lockOn ? RemoteConfig.ofDefaults() : RemoteConfig.custom().lockWait(Duration.ZERO).build();
 *         return Cachet.builder("stampede").expireAfterWrite(ttl)
 *                 .remote(RedisTier.connect(uri), Codec.string(), config).<String, String>build();
 *     }
 * }
 *
 * StampedeHarness.Result run = StampedeHarness.builder(RedisStampedeCaches.class).uri(redis.uri()).build().run(true);
 * assertThat(run.loadsPerRound()).containsOnly(1L);
 * }</pre>
 *
 * <p><b>How a run goes.</b> Each worker builds its cache, warms it up (classes loaded, connections open) and prints a
 * ready line; once every worker is ready, the harness sends them all one start instant on their standard input, since
 * starting several JVMs side by side takes from half a second to several seconds. Round {@code r} starts at {@code
 * start + r * period} in every process (they share the machine's clock), and its callers ask for key {@code
 * hot:<start>:<r>}: a round never sees another round's value, however late that one was written (a key per round, not
 * a value that expires in time for the next round, which a loaded machine makes late), and runs never see each
 * other's. Values live until the run ends, so that a caller late for its round hits rather than loads a second time.
 * The loader of round {@code r} returns {@code "v" + r} after {@code loadTime}, like a slow backend. Each worker prints how many loads it ran per round, and the harness adds them
 * up.
 *
 * <p><b>Failures.</b> A worker fails (exit code 1) when a call got another round's value or threw, a caller thread
 * was still running at the deadline, or the cache's remote tier counted errors; exit code 2 means bad arguments, a
 * factory that could not build a cache, or no start instant; 3, a start instant that had passed when it arrived. Any
 * failing, hanging (killed after a grace period) or silent worker makes {@link #run} throw, with every worker's
 * output in the message.
 *
 * <p>Immutable and thread-safe, but runs of one harness should not overlap: they would share the cache's keys.
 */
public final class StampedeHarness {
    /** The line a worker prints once warmed up. */
    static final String READY = "stampede-worker-ready";

    /** Starts the line on which a worker prints its loads per round. */
    static final String LOADS_LINE = "stampede-loads:";

    /** Starts the keys the callers ask for: {@code hot:<start instant>:<round>}. */
    public static final String HOT_KEY = "hot";

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_LATE = 3;

    /** How long the worker JVMs may take to start and warm up. */
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    /** Time from the last worker's readiness to round 0, for the start instant to reach them all. */
    private static final Duration START_DELAY = Duration.ofSeconds(1);
    /** How long past the last round a worker may take before it is killed. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_PROBLEMS_SHOWN = 20;

    /**
     * Builds each worker's cache. Implementations are public classes with a public no-arg constructor: every worker
     * JVM creates one by name and calls {@link #create} once.
     */
    @FunctionalInterface
    public interface CacheFactory {
        /**
         * Returns the cache a worker's threads share.
         *
         * @param uri the address given to {@link Builder#uri}, such as a Redis URI
         * @param lockOn whether the cross-process load lock should be on; off is the baseline, typically {@code
         *     RemoteConfig.custom().lockWait(Duration.ZERO)}
         * @param ttl how long a value lives: until the run ends, since every round asks for a key of its own
         */
        Cache<String, String> create(String uri, boolean lockOn, Duration ttl);
    }

    /**
     * What one run measured.
     *
     * @param lockOn whether the workers' caches had the cross-process lock on
     * @param processes worker JVMs
     * @param threads threads per JVM
     * @param loadsPerRound loader runs per round, summed over the workers
     * @param workers each worker's exit code and output, in start order
     */
    public record Result(
            boolean lockOn, int processes, int threads, List<Long> loadsPerRound, List<WorkerOutput> workers) {
        /** Copies the lists. */
        public Result {
            loadsPerRound = List.copyOf(loadsPerRound);
            workers = List.copyOf(workers);
        }

        /** Returns the number of rounds (expiries). */
        public int rounds() {
            return loadsPerRound.size();
        }

        /** Returns the loader runs over all rounds. */
        public long totalLoads() {
            return loadsPerRound.stream().mapToLong(Long::longValue).sum();
        }

        /** Returns the mean loader runs per round (expiry). */
        public double meanLoadsPerRound() {
            return loadsPerRound.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        }

        /** Returns every worker's output, each under a header with its exit code: for assertion messages. */
        public String output() {
            return workers.stream().map(WorkerOutput::toString).collect(Collectors.joining());
        }
    }

    /**
     * One worker JVM's end.
     *
     * @param index the worker's number, from 0
     * @param exitCode its exit code, or -1 if it was killed at the deadline
     * @param output what it printed (standard output and error)
     */
    public record WorkerOutput(int index, int exitCode, String output) {
        @Override
        public String toString() {
            return "--- worker " + index + ", exit code "
                    + (exitCode == -1 ? "none (killed at the deadline)" : exitCode) + " ---" + System.lineSeparator()
                    + output;
        }
    }

    private final Class<? extends CacheFactory> factory;
    private final String uri;
    private final int processes;
    private final int threads;
    private final int rounds;
    private final Duration period;
    private final Duration loadTime;
    private final List<String> jvmOptions;

    private StampedeHarness(Builder builder) {
        this.factory = builder.factory;
        this.uri = builder.uri;
        this.processes = builder.processes;
        this.threads = builder.threads;
        this.rounds = builder.rounds;
        this.period = builder.period;
        this.loadTime = builder.loadTime;
        this.jvmOptions = builder.jvmOptions;
    }

    /**
     * Starts a harness whose workers build their caches with {@code factory}.
     *
     * @throws IllegalArgumentException if {@code factory} is not a public concrete class with a public no-arg
     *     constructor, which the workers need to create it
     */
    public static Builder builder(Class<? extends CacheFactory> factory) {
        return new Builder(factory);
    }

    /**
     * Runs the workers once and returns the loads they counted per round.
     *
     * @param lockOn passed to the factory: whether the cross-process lock is on
     * @throws IllegalStateException if a worker failed, hung or did not report its loads; the message holds every
     *     worker's output
     * @throws InterruptedException if interrupted while waiting for the workers, which are then killed
     */
    public Result run(boolean lockOn) throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                workers.add(Worker.start(i, command(lockOn)));
            }
            long readyDeadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
            for (Worker worker : workers) {
                worker.awaitReadyOrEnd(readyDeadline);
            }
            long start = System.currentTimeMillis() + START_DELAY.toMillis();
            workers.forEach(worker -> worker.sendStart(start));
            long deadline = System.nanoTime()
                    + START_DELAY.toNanos()
                    + period.multipliedBy(rounds).toNanos()
                    + GRACE.toNanos();
            for (Worker worker : workers) {
                worker.awaitEnd(deadline);
            }
        } finally {
            workers.forEach(Worker::kill);
        }

        List<WorkerOutput> outputs = new ArrayList<>();
        for (Worker worker : workers) {
            outputs.add(worker.result());
        }
        long[] loads = new long[rounds];
        List<String> problems = new ArrayList<>();
        for (WorkerOutput output : outputs) {
            if (output.exitCode() != EXIT_OK) {
                problems.add("worker " + output.index() + " exited with " + output.exitCode());
                continue;
            }
            long[] counted = parseLoads(output.output());
            if (counted.length != rounds) {
                problems.add("worker " + output.index() + " reported loads for " + counted.length + " rounds, not "
                        + rounds);
                continue;
            }
            Arrays.setAll(loads, round -> loads[round] + counted[round]);
        }
        Result result = new Result(
                lockOn, processes, threads, Arrays.stream(loads).boxed().toList(), outputs);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Stampede run (lock " + (lockOn ? "on" : "off") + ", factory "
                    + factory.getName() + ") failed: " + String.join("; ", problems) + System.lineSeparator()
                    + result.output());
        }
        return result;
    }

    @Override
    public String toString() {
        return "StampedeHarness[" + factory.getSimpleName() + ", " + processes + " JVMs x " + threads + " threads, "
                + rounds + " rounds of " + period.toMillis() + " ms, loads of " + loadTime.toMillis() + " ms]";
    }

    /** The command that starts one worker JVM on this JVM's class path (and module path, flattened into it). */
    private List<String> command(boolean lockOn) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1"); // the workers run seconds: C1 starts them faster
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(StampedeHarness.class.getName());
        command.add(factory.getName());
        command.add(uri);
        command.add(lockOn ? "locked" : "unlocked");
        command.add(Integer.toString(threads));
        command.add(Integer.toString(rounds));
        command.add(Long.toString(period.toMillis()));
        command.add(Long.toString(loadTime.toMillis()));
        return command;
    }

    private static String classPath() {
        // Surefire may put the tested modules on the module path; on the workers' class path they work as well.
        return Arrays.asList(System.getProperty("java.class.path", ""), System.getProperty("jdk.module.path", ""))
                .stream()
                .filter(part -> !part.isEmpty())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static long[] parseLoads(String output) {
        return output.lines()
                .filter(line -> line.startsWith(LOADS_LINE))
                .reduce((first, second) -> second)
                .map(line -> line.substring(LOADS_LINE.length()).strip())
                .map(counts -> counts.isEmpty()
                        ? new long[0]
                        : Arrays.stream(counts.split(" ", -1))
                                .mapToLong(Long::parseLong)
                                .toArray())
                .orElse(new long[0]);
    }

    /** A running worker JVM, and a thread that copies its output and notices its ready line. */
    private static final class Worker {
        private final int index;
        private final Process process;
        private final Queue<String> lines = new ConcurrentLinkedQueue<>(); // written by the reader, read by run()
        private final CountDownLatch readyOrEnded = new CountDownLatch(1);
        private final Thread reader;
        private int exitCode = -1;

        private Worker(int index, Process process) {
            this.index = index;
            this.process = process;
            this.reader = new Thread(this::copyOutput, "stampede-worker-" + index + "-output");
            reader.setDaemon(true);
        }

        static Worker start(int index, List<String> command) {
            try {
                Worker worker = new Worker(
                        index,
                        new ProcessBuilder(command).redirectErrorStream(true).start());
                worker.reader.start();
                return worker;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start stampede worker " + index + ": " + command, e);
            }
        }

        private void copyOutput() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    if (line.equals(READY)) {
                        readyOrEnded.countDown();
                    }
                }
            } catch (IOException e) {
                lines.add("(reading the worker's output failed: " + e + ")");
            } finally {
                readyOrEnded.countDown();
            }
        }

        void awaitReadyOrEnd(long deadlineNanos) throws InterruptedException {
            readyOrEnded.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        /** Sends the start instant; a worker that has died meanwhile is left to report its exit code. */
        void sendStart(long startMillis) {
            try (Writer stdin = new OutputStreamWriter(process.getOutputStream(), UTF_8)) {
                stdin.write(startMillis + System.lineSeparator());
            } catch (IOException e) {
                // The worker has exited; its exit code and output tell why.
            }
        }

        void awaitEnd(long deadlineNanos) throws InterruptedException {
            if (process.waitFor(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                exitCode = process.exitValue();
            }
        }

        void kill() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }

        WorkerOutput result() throws InterruptedException {
            reader.join(TimeUnit.SECONDS.toMillis(10)); // the pipe closes once the process is gone
            StringBuilder output = new StringBuilder();
            lines.forEach(line -> output.append(line).append(System.lineSeparator()));
            return new WorkerOutput(index, exitCode, output.toString());
        }
    }

    /**
     * Settings of a {@link StampedeHarness}. Each is set at most once and checked where it is set; only {@link #uri}
     * is required. Not thread-safe.
     */
    public static final class Builder {
        private final Class<? extends CacheFactory> factory;
        private String uri;
        private int processes = 4;
        private int threads = 16;
        private int rounds = 20;
        private Duration period = Duration.ofMillis(400);
        private Duration loadTime = Duration.ofMillis(50);
        private List<String> jvmOptions = List.of();
        private final List<String> set = new ArrayList<>();

        private Builder(Class<? extends CacheFactory> factory) {
            requireNonNull(factory, "factory");
            int modifiers = factory.getModifiers();
            boolean topLevelOrStatic = factory.getEnclosingClass() == null || Modifier.isStatic(modifiers);
            if (!Modifier.isPublic(modifiers) || Modifier.isAbstract(modifiers) || !topLevelOrStatic) {
                throw new IllegalArgumentException("factory must be a public concrete class that the workers can"
                        + " create by name, was " + factory.getName());
            }
            try {
                if (!Modifier.isPublic(factory.getConstructor().getModifiers())) {
                    throw new NoSuchMethodException("public " + factory.getSimpleName() + "()");
                }
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(
                        "factory " + factory.getName() + " must have a public no-arg constructor", e);
            }
            this.factory = factory;
        }

        /** Sets the address passed to the factory, such as {@code redis://127.0.0.1:6379}. Required. */
        public Builder uri(String uri) {
            once("uri");
            this.uri = requireNonNull(uri, "uri");
            return this;
        }

        /** Sets the number of worker JVMs; 4 by default. */
        public Builder processes(int processes) {
            once("processes");
            this.processes = positive("processes", processes);
            return this;
        }

        /** Sets the number of caller threads per JVM; 16 by default. */
        public Builder threads(int threads) {
            once("threads");
            this.threads = positive("threads", threads);
            return this;
        }

        /** Sets the number of rounds (expiries); 20 by default. */
        public Builder rounds(int rounds) {
            once("rounds");
            this.rounds = positive("rounds", rounds);
            return this;
        }

        /**
         * Sets the time between round starts; 400 ms by default. A load must end well before the next round, so it
         * must be more than twice {@link #loadTime}; checked at {@link #build()}.
         */
        public Builder period(Duration period) {
            once("period");
            requireNonNull(period, "period");
            if (period.toMillis() < 2) {
                throw new IllegalArgumentException("period must be at least 2 ms, was " + period);
            }
            this.period = period;
            return this;
        }

        /** Sets how long each load takes, like a slow backend; 50 ms by default. */
        public Builder loadTime(Duration loadTime) {
            once("loadTime");
            requireNonNull(loadTime, "loadTime");
            if (loadTime.isNegative()) {
                throw new IllegalArgumentException("loadTime must not be negative, was " + loadTime);
            }
            this.loadTime = loadTime;
            return this;
        }

        /** Adds options to every worker's {@code java} command, such as {@code -Dorg.slf4j.simpleLogger...}. */
        public Builder jvmOptions(String... options) {
            once("jvmOptions");
            requireNonNull(options, "options");
            for (String option : options) {
                requireNonNull(option, "option");
            }
            this.jvmOptions = List.of(options);
            return this;
        }

        /**
         * Returns the harness.
         *
         * @throws IllegalStateException if {@link #uri} was not set, or a load does not fit in half a period
         */
        public StampedeHarness build() {
            if (uri == null) {
                throw new IllegalStateException("uri was not set: the workers' caches need an address");
            }
            if (loadTime.multipliedBy(2).compareTo(period) >= 0) {
                throw new IllegalStateException("loadTime (" + loadTime + ") must be less than half the period ("
                        + period + "): a round's load must end well before the next round starts");
            }
            return new StampedeHarness(this);
        }

        private void once(String setting) {
            if (set.contains(setting)) {
                throw new IllegalStateException(setting + " was already set");
            }
            set.add(setting);
        }

        private static int positive(String setting, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(setting + " must be at least 1, was " + value);
            }
            return value;
        }
    }

    // ---- the worker JVM ----

    /**
     * One worker JVM; the harness starts it, not users.
     *
     * @param args {@code <factory class> <uri> <locked|unlocked> <threads> <rounds> <period ms> <load ms>}, then the
     *     start instant (epoch ms) on standard input
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        System.exit(runWorker(args));
    }

    private static int runWorker(String[] args) throws IOException, InterruptedException {
        if (args.length != 7 || !(args[2].equals("locked") || args[2].equals("unlocked"))) {
            System.out.println("usage: StampedeHarness <factory class> <uri> <locked|unlocked> <threads> <rounds>"
                    + " <period ms> <load ms>, then the start instant (epoch ms) on standard input; was "
                    + Arrays.toString(args));
            return EXIT_USAGE;
        }
        boolean lockOn = args[2].equals("locked");
        int threads;
        int rounds;
        long periodMillis;
        long loadMillis;
        try {
            threads = Integer.parseInt(args[3]);
            rounds = Integer.parseInt(args[4]);
            periodMillis = Long.parseLong(args[5]);
            loadMillis = Long.parseLong(args[6]);
        } catch (NumberFormatException e) {
            System.out.println("bad argument: " + e.getMessage());
            return EXIT_USAGE;
        }
        Cache<String, String> cache;
        try {
            CacheFactory factory = Class.forName(args[0])
                    .asSubclass(CacheFactory.class)
                    .getConstructor()
                    .newInstance();
            // Past the last round and its callers' deadline: a round's key is never asked for again.
            Duration ttl = Duration.ofMillis(periodMillis).multipliedBy(rounds).plus(BARRIER_TIMEOUT);
            cache = factory.create(args[1], lockOn, ttl);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.out.println("the factory " + args[0] + " could not build a cache: " + e);
            e.printStackTrace(System.out);
            return EXIT_USAGE;
        }
        return new WorkerRun(cache, lockOn, threads, rounds, periodMillis, loadMillis).run();
    }

    /** The rounds of one worker JVM. */
    private static final class WorkerRun {
        private final Cache<String, String> cache;
        private final String mode;
        private final int threads;
        private final int rounds;
        private final long periodMillis;
        private final long loadMillis;
        private final AtomicIntegerArray loadsHere;
        private final AtomicLong maxLatenessMillis = new AtomicLong();
        private final Queue<String> problems = new ConcurrentLinkedQueue<>();

        WorkerRun(
                Cache<String, String> cache,
                boolean lockOn,
                int threads,
                int rounds,
                long periodMillis,
                long loadMillis) {
            this.cache = cache;
            this.mode = lockOn ? "locked" : "unlocked";
            this.threads = threads;
            this.rounds = rounds;
            this.periodMillis = periodMillis;
            this.loadMillis = loadMillis;
            this.loadsHere = new AtomicIntegerArray(rounds);
        }

        int run() throws IOException, InterruptedException {
            long pid = ProcessHandle.current().pid();
            // Loads classes and opens connections, so that round 0 is timed like the others.
            String warmupKey = "warmup:" + pid;
            cache.get(warmupKey, key -> "warm");
            System.out.println(READY);
            System.out.flush();
            String line = new BufferedReader(new InputStreamReader(System.in, UTF_8)).readLine();
            if (line == null) {
                System.out.printf("worker %d (%s): no start instant on standard input%n", pid, mode);
                return EXIT_USAGE;
            }
            long startMillis = Long.parseLong(line.strip());
            long readyMillis = System.currentTimeMillis();
            if (readyMillis >= startMillis) {
                System.out.printf(
                        "worker %d (%s): the start instant arrived %d ms after it had passed%n",
                        pid, mode, readyMillis - startMillis);
                return EXIT_LATE;
            }

            CyclicBarrier roundBarrier = new CyclicBarrier(threads);
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread caller =
                        new Thread(() -> callEveryRound(roundBarrier, startMillis, warmupKey), "stampede-caller-" + i);
                callers.add(caller);
                caller.start();
            }
            long deadline = startMillis + rounds * periodMillis + BARRIER_TIMEOUT.toMillis();
            for (Thread caller : callers) {
                caller.join(Math.max(1, deadline - System.currentTimeMillis()));
                if (caller.isAlive()) {
                    problems.add(caller.getName() + " still running at the deadline");
                }
            }
            cache.remoteStats()
                    .filter(remote -> remote.errors() > 0)
                    .ifPresent(remote -> problems.add(remote.errors() + " remote tier error(s)"));

            System.out.printf(
                    "worker %d (%s): start instant %d ms ahead; latest call %d ms after its round start%n  %s%n",
                    pid, mode, startMillis - readyMillis, maxLatenessMillis.get(), cache.stats());
            cache.remoteStats().ifPresent(remote -> System.out.println("  " + remote));
            StringBuilder loads = new StringBuilder(LOADS_LINE);
            for (int round = 0; round < rounds; round++) {
                loads.append(' ').append(loadsHere.get(round));
            }
            System.out.println(loads);
            if (problems.isEmpty()) {
                return EXIT_OK;
            }
            System.out.printf("worker %d: %d problem(s)%n", pid, problems.size());
            problems.stream().limit(MAX_PROBLEMS_SHOWN).forEach(problem -> System.out.println("  " + problem));
            return EXIT_FAILED;
        }

        /** One caller thread: every round, waits for its siblings and the round's start, then asks for the key. */
        private void callEveryRound(CyclicBarrier roundBarrier, long startMillis, String warmupKey) {
            String name = Thread.currentThread().getName();
            try {
                cache.getIfPresent(warmupKey); // opens this thread's share of a connection pool
                for (int round = 0; round < rounds; round++) {
                    roundBarrier.await(BARRIER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    long roundStart = startMillis + round * periodMillis;
                    sleepUntil(roundStart);
                    maxLatenessMillis.accumulateAndGet(System.currentTimeMillis() - roundStart, Math::max);
                    int current = round;
                    String value = cache.get(HOT_KEY + ":" + startMillis + ":" + round, key -> load(current));
                    if (!("v" + round).equals(value)) {
                        problems.add(name + ", round " + round + ": got '" + value + "', expected 'v" + round + "'");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(name + ": interrupted");
            } catch (BrokenBarrierException | TimeoutException e) {
                problems.add(name + ": the round barrier failed: " + e);
            } catch (RuntimeException e) {
                problems.add(name + ": " + e);
            }
        }

        /** The slow backend: counts the run, then takes the load time. */
        private String load(int round) {
            loadsHere.incrementAndGet(round);
            try {
                Thread.sleep(loadMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading round " + round, e);
            }
            return "v" + round;
        }

        private static void sleepUntil(long epochMillis) throws InterruptedException {
            for (long wait = epochMillis - System.currentTimeMillis();
                    wait > 0;
                    wait = epochMillis - System.currentTimeMillis()) {
                Thread.sleep(wait);
            }
        }
    }
}
