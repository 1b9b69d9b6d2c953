package dev.cachet.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cachet.Cache;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.RemoteStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
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
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.RedisClient;

/**
 * One process of {@link StampedeAcrossProcessesTest}: its threads ask a Redis-backed cache for one key at the start of
 * every round, just after the previous round's value has expired, so that every round is a stampede on a cold key.
 * The loader counts its runs in Redis ({@code INCR stampede:loads:<round>}), where the test reads them, then takes
 * {@link #LOAD_TIME} like a slow backend and returns {@code "v" + round}.
 *
 * <p>Arguments: {@code <redis uri> <locked|unlocked> <threads> <rounds> <period, ms>}. Once warmed up (connections
 * open, Lua scripts loaded) the worker prints {@link #READY} and reads the start instant, in epoch milliseconds, from
 * a line of its standard input: the test sends it once every worker is ready, since starting a JVM beside three
 * others takes from half a second to several seconds. Round {@code r} starts at {@code start + r * period}, the same
 * instant in every process (they share the machine's clock); values live {@code period / 2}, so a round's value is
 * gone before the next round starts. {@code unlocked} sets {@code lockWait} to zero, which turns the cross-process
 * lock off; each process still loads once per round through its own single flight.
 *
 * <p>Exit status: {@link #EXIT_OK} when every call got its round's value; {@link #EXIT_FAILED} when a call got another
 * value or threw, or the tier reported an error; {@link #EXIT_USAGE} for bad arguments or no start instant; {@link
 * #EXIT_LATE} when the start instant had passed when it arrived.
 */
final class StampedeWorker {
    static final String READY = "stampede-worker-ready";
    static final String HOT_KEY = "hot";
    static final String LOADS_KEY_PREFIX = "stampede:loads:";
    static final Duration LOAD_TIME = Duration.ofMillis(50);
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_LATE = 3;

    private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_PROBLEMS_SHOWN = 20;

    /** Whether the cross-process lock is on. */
    enum Mode {
        LOCKED,
        UNLOCKED;

        /** Returns the command-line form: {@code locked} or {@code unlocked}. */
        String argument() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Mode parse(String argument) {
            for (Mode mode : values()) {
                if (mode.argument().equals(argument)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("mode must be locked or unlocked, was '" + argument + "'");
        }

        RemoteConfig remoteConfig() {
            return this == LOCKED
                    ? RemoteConfig.ofDefaults()
                    : RemoteConfig.custom().lockWait(Duration.ZERO).build();
        }
    }

    private final Mode mode;
    private final int threads;
    private final int rounds;
    private final long periodMillis;
    private final Cache<String, String> cache;
    private final RedisClient counter;
    private final AtomicIntegerArray loadsHere;
    private final AtomicLong maxLatenessMillis = new AtomicLong();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();

    private StampedeWorker(
            Mode mode, int threads, int rounds, long periodMillis, Cache<String, String> cache, RedisClient counter) {
        this.mode = mode;
        this.threads = threads;
        this.rounds = rounds;
        this.periodMillis = periodMillis;
        this.cache = cache;
        this.counter = counter;
        this.loadsHere = new AtomicIntegerArray(rounds);
    }

    /**
     * Runs the rounds and exits with the status described in the class comment.
     *
     * @param args {@code <redis uri> <locked|unlocked> <threads> <rounds> <period, ms>}
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: StampedeWorker <redis uri> <locked|unlocked> <threads> <rounds> <period ms>,"
                    + " then the start instant (epoch ms) on standard input");
            System.exit(EXIT_USAGE);
            return;
        }
        String uri = args[0];
        Mode mode;
        int threads;
        int rounds;
        long period;
        try {
            mode = Mode.parse(args[1]);
            threads = Integer.parseInt(args[2]);
            rounds = Integer.parseInt(args[3]);
            period = Long.parseLong(args[4]);
        } catch (IllegalArgumentException e) {
            System.err.println("bad argument: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
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
                    .remote(tier, Codec.string(), mode.remoteConfig())
                    .<String, String>build();
            status = new StampedeWorker(mode, threads, rounds, period, cache, counter).run();
        }
        System.exit(status);
    }

    private int run() throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        // Loads classes, opens connections and loads the Lua scripts, so that round 0 is timed like the others.
        String warmupKey = "warmup:" + pid;
        cache.get(warmupKey, key -> "warm");
        counter.ping();
        System.out.println(READY);
        System.out.flush();
        String line = new BufferedReader(new InputStreamReader(System.in, UTF_8)).readLine();
        if (line == null) {
            System.out.printf("worker %d (%s): no start instant on standard input%n", pid, mode.argument());
            return EXIT_USAGE;
        }
        long startMillis = Long.parseLong(line.strip());
        long readyMillis = System.currentTimeMillis();
        if (readyMillis >= startMillis) {
            System.out.printf(
                    "worker %d (%s): the start instant arrived %d ms after it had passed%n",
                    pid, mode.argument(), readyMillis - startMillis);
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

        RemoteStats remote = cache.remoteStats().orElseThrow();
        if (remote.errors() > 0) {
            problems.add(remote.errors() + " remote tier error(s)");
        }
        System.out.printf(
                "worker %d (%s): start instant %d ms ahead; loads here per round %s; latest call %d ms after its"
                        + " round start%n  %s%n  %s%n",
                pid,
                mode.argument(),
                startMillis - readyMillis,
                loadsHere,
                maxLatenessMillis.get(),
                cache.stats(),
                remote);
        if (problems.isEmpty()) {
            return EXIT_OK;
        }
        System.out.printf("worker %d: %d problem(s)%n", pid, problems.size());
        problems.stream().limit(MAX_PROBLEMS_SHOWN).forEach(problem -> System.out.println("  " + problem));
        return EXIT_FAILED;
    }

    /** One caller thread: every round, waits for its siblings and the round's start, then asks for the hot key. */
    private void callEveryRound(CyclicBarrier roundBarrier, long startMillis, String warmupKey) {
        String name = Thread.currentThread().getName();
        try {
            cache.getIfPresent(warmupKey); // opens this thread's share of the connection pool
            for (int round = 0; round < rounds; round++) {
                roundBarrier.await(BARRIER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                long roundStart = startMillis + round * periodMillis;
                sleepUntil(roundStart);
                maxLatenessMillis.accumulateAndGet(System.currentTimeMillis() - roundStart, Math::max);
                int current = round;
                String value = cache.get(HOT_KEY, key -> load(current));
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

    /** The slow backend: counts the run in Redis and here, then takes {@link #LOAD_TIME}. */
    private String load(int round) {
        counter.incr(LOADS_KEY_PREFIX + round);
        loadsHere.incrementAndGet(round);
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
