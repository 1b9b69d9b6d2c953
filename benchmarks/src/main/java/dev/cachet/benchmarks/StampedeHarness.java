package dev.cachet.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cachet.Cache;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.RemoteStats;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.RedisClient;

/**
 * P5: loader calls per expiry across processes. {@code processes} JVMs of {@code threads} threads each ask a
 * Redis-backed cache for one key at the start of every round, just after the previous round's value expired; the
 * loader counts its runs in Redis ({@code INCR stampede:loads:<round>}) and takes {@link #LOAD_TIME}. With the
 * cross-process lock (Cachet's default) it should run once per expiry; the baseline is the same run with the lock off
 * ({@code lockWait(0)}), where each process still loads once per round through its own single flight.
 *
 * <p>The logic of cache-redis's {@code StampedeWorker} / {@code StampedeAcrossProcessesTest}: each worker JVM (this
 * class's {@link #main}) warms up, prints {@link #READY}, then reads the common start instant from its standard input;
 * round {@code r} starts at {@code start + r * period} in every process, and values live {@code period / 2}.
 */
public final class StampedeHarness {
    /** JVMs in the suite's run (issue 6). */
    public static final int PROCESSES = 4;

    /** Threads per JVM in the suite's run. */
    public static final int THREADS = 16;

    /** Expiries (rounds) in the suite's run. */
    public static final int ROUNDS = 20;

    /** Time between rounds. */
    public static final Duration PERIOD = Duration.ofMillis(400);

    /** How long one load takes. */
    public static final Duration LOAD_TIME = Duration.ofMillis(50);

    static final String READY = "stampede-worker-ready";
    private static final String HOT_KEY = "hot";
    private static final String LOADS_KEY_PREFIX = "stampede:loads:";
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    private static final Duration START_DELAY = Duration.ofSeconds(1);
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(30);

    private StampedeHarness() {}

    /**
     * Loads per round, with the lock and without.
     *
     * @param processes worker JVMs
     * @param threads threads per JVM
     * @param locked loads per round with the cross-process lock
     * @param unlocked loads per round with the lock off
     */
    public record Result(int processes, int threads, List<Long> locked, List<Long> unlocked) {
        /** Returns the mean loads per expiry with the lock. */
        public double lockedMean() {
            return locked.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        }

        /** Returns the mean loads per expiry without the lock. */
        public double unlockedMean() {
            return unlocked.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        }

        /** Returns the number of expiries. */
        public int rounds() {
            return locked.size();
        }
    }

    /**
     * Runs the locked, then the unlocked stampede against the Redis at {@code uri}.
     *
     * @throws IllegalStateException if a worker fails, hangs or reports a problem (its output is in the message)
     */
    public static Result run(String uri, int processes, int threads, int rounds, Duration period)
            throws InterruptedException {
        List<Long> locked = runMode(uri, true, processes, threads, rounds, period);
        List<Long> unlocked = runMode(uri, false, processes, threads, rounds, period);
        return new Result(processes, threads, locked, unlocked);
    }

    private static List<Long> runMode(
            String uri, boolean locked, int processes, int threads, int rounds, Duration period)
            throws InterruptedException {
        String mode = locked ? "locked" : "unlocked";
        try (RedisClient jedis = RedisClient.create(URI.create(uri))) {
            for (int round = 0; round < rounds; round++) {
                jedis.del(LOADS_KEY_PREFIX + round);
            }
            jedis.del(RedisHitBenchmark.redisKey("stampede", HOT_KEY));
            Path logs = Files.createTempDirectory("cachet-stampede-");
            List<Process> workers = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            List<Integer> exitCodes = new ArrayList<>();
            try {
                for (int i = 0; i < processes; i++) {
                    Path output = logs.resolve(mode + "-worker-" + i + ".log");
                    outputs.add(output);
                    workers.add(new ProcessBuilder(List.of(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-Xmx128m",
                                    "-XX:TieredStopAtLevel=1",
                                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    StampedeHarness.class.getName(),
                                    uri,
                                    mode,
                                    Integer.toString(threads),
                                    Integer.toString(rounds),
                                    Long.toString(period.toMillis())))
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start());
                }
                long readyDeadline = System.currentTimeMillis() + STARTUP_LIMIT.toMillis();
                for (int i = 0; i < processes; i++) {
                    while (!Files.readString(outputs.get(i), UTF_8).contains(READY)
                            && workers.get(i).isAlive()
                            && System.currentTimeMillis() < readyDeadline) {
                        Thread.sleep(20);
                    }
                }
                long start = System.currentTimeMillis() + START_DELAY.toMillis();
                for (Process worker : workers) {
                    try (Writer stdin = new OutputStreamWriter(worker.getOutputStream(), UTF_8)) {
                        stdin.write(start + System.lineSeparator());
                    } catch (IOException e) {
                        // The worker has exited; its exit code and output tell why.
                    }
                }
                long deadline = start + rounds * period.toMillis() + GRACE.toMillis();
                for (Process worker : workers) {
                    long left = Math.max(1, deadline - System.currentTimeMillis());
                    exitCodes.add(worker.waitFor(left, TimeUnit.MILLISECONDS) ? worker.exitValue() : -1);
                }
            } finally {
                workers.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
            }
            if (exitCodes.stream().anyMatch(code -> code != 0)) {
                StringBuilder output = new StringBuilder();
                for (int i = 0; i < outputs.size(); i++) {
                    output.append("--- worker ")
                            .append(i)
                            .append(", exit code ")
                            .append(exitCodes.get(i))
                            .append(" ---\n")
                            .append(Files.readString(outputs.get(i), UTF_8));
                }
                throw new IllegalStateException("P5 " + mode + " stampede: a worker failed:\n" + output);
            }
            List<Long> loads = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                String count = jedis.get(LOADS_KEY_PREFIX + round);
                loads.add(count == null ? 0 : Long.parseLong(count));
            }
            return List.copyOf(loads);
        } catch (IOException e) {
            throw new UncheckedIOException("P5 " + mode + " stampede", e);
        }
    }

    /**
     * One worker JVM.
     *
     * @param args {@code <redis uri> <locked|unlocked> <threads> <rounds> <period ms>}, then the start instant (epoch
     *     ms) on standard input
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: StampedeHarness <redis uri> <locked|unlocked> <threads> <rounds> <period ms>");
            System.exit(2);
            return;
        }
        String uri = args[0];
        boolean locked = args[1].equals("locked");
        int threads = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        long period = Long.parseLong(args[4]);
        // Generous timeouts: a JVM starting beside three others must not see a slow reply as an outage.
        RedisTierConfig tierConfig = RedisTierConfig.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(2))
                .build();
        int status;
        try (RedisTier tier = RedisTier.connect(uri, tierConfig);
                RedisClient counter = RedisClient.create(URI.create(uri))) {
            Cache<String, String> cache = Cachet.builder("stampede")
                    .expireAfterWrite(Duration.ofMillis(period / 2))
                    .hitRatioWarning(0, 1) // every round starts with a miss on purpose
                    .remote(
                            tier,
                            Codec.string(),
                            locked
                                    ? RemoteConfig.ofDefaults()
                                    : RemoteConfig.custom()
                                            .lockWait(Duration.ZERO)
                                            .build())
                    .<String, String>build();
            status = worker(cache, counter, threads, rounds, period);
        }
        System.exit(status);
    }

    private static int worker(Cache<String, String> cache, RedisClient counter, int threads, int rounds, long period)
            throws IOException, InterruptedException {
        String warmupKey = "warmup:" + ProcessHandle.current().pid();
        cache.get(warmupKey, key -> "warm");
        counter.ping();
        System.out.println(READY);
        System.out.flush();
        String line = new BufferedReader(new InputStreamReader(System.in, UTF_8)).readLine();
        if (line == null) {
            System.out.println("no start instant on standard input");
            return 2;
        }
        long startMillis = Long.parseLong(line.strip());
        if (System.currentTimeMillis() >= startMillis) {
            System.out.println("the start instant had passed when it arrived");
            return 3;
        }
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        CyclicBarrier roundBarrier = new CyclicBarrier(threads);
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread caller = new Thread(
                    () -> {
                        try {
                            cache.getIfPresent(warmupKey); // opens this thread's share of the pool
                            for (int round = 0; round < rounds; round++) {
                                roundBarrier.await(BARRIER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                                sleepUntil(startMillis + round * period);
                                int current = round;
                                String value = cache.get(HOT_KEY, key -> load(counter, current));
                                if (!("v" + round).equals(value)) {
                                    problems.add(String.format(
                                            Locale.ROOT, "round %d: got '%s', expected 'v%d'", round, value, round));
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            problems.add("interrupted");
                        } catch (BrokenBarrierException | TimeoutException | RuntimeException e) {
                            problems.add(e.toString());
                        }
                    },
                    "stampede-caller-" + i);
            callers.add(caller);
            caller.start();
        }
        long deadline = startMillis + rounds * period + BARRIER_TIMEOUT.toMillis();
        for (Thread caller : callers) {
            caller.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (caller.isAlive()) {
                problems.add(caller.getName() + " still running at the deadline");
            }
        }
        RemoteStats remote = cache.remoteStats().orElseThrow();
        if (remote.errors() > 0) {
            problems.add(remote.errors() + " remote tier error(s)");
        }
        System.out.println(cache.stats() + "\n" + remote);
        problems.stream().limit(20).forEach(System.out::println);
        return problems.isEmpty() ? 0 : 1;
    }

    private static String load(RedisClient counter, int round) {
        counter.incr(LOADS_KEY_PREFIX + round);
        try {
            Thread.sleep(LOAD_TIME.toMillis());
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
