package dev.cachet.redis.history;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cachet.Cache;
import dev.cachet.CacheBuilder;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import redis.clients.jedis.RedisClient;

/**
 * One worker JVM of a history run; {@link HistoryRun} starts it, not users. Its threads run seeded random operations
 * until the deadline, each recorded in the worker's history file:
 *
 * <ul>
 *   <li>read: {@code cache.get(key, loader)}, or one time in three {@code cache.getAll(List.of(key), bulkLoader)},
 *       where the loader reads the key's version from the database (a second Redis, never faulted) and then sleeps up
 *       to {@value HistorySettings#MAX_LOADER_DELAY_MILLIS} ms;
 *   <li>write, only of the keys this thread owns: {@code INCR} the version in the database, then {@code
 *       invalidate(key)} or {@code put(key, version)}.
 * </ul>
 *
 * <p>Each operation goes through one of three caches on the same Redis (behind the fault proxy): one with the Redis
 * tier only, one with a near tier over it, and one with a near tier whose writes wait for acknowledged invalidation
 * ({@link HistorySettings#ACK_WAIT}). A write records whether it reached Redis and, for the last cache, whether it
 * was acknowledged; the near caches' subscription cuts and renewals are recorded too ({@link ChannelEvent}). Nothing is
 * retried and no exception is swallowed: a call that throws is recorded with its exception.
 */
public final class HistoryWorker {
    /** The line a worker prints once its caches answer; the harness then sends the deadline on standard input. */
    static final String READY = "history-worker-ready";

    private static final String CACHE_NAME_PREFIX = "history-";

    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;

    private final int worker;
    private final String process;
    private final long seed;
    private final Map<String, Cache<String, String>> caches;
    private final RedisClient database;
    private final HistoryRecorder recorder;
    /** Set by the loader, read by the thread that called get: whether this call ran the loader. */
    private final ThreadLocal<Boolean> loaded = ThreadLocal.withInitial(() -> false);

    private HistoryWorker(
            int worker,
            String process,
            long seed,
            Map<String, Cache<String, String>> caches,
            RedisClient database,
            HistoryRecorder recorder) {
        this.worker = worker;
        this.process = process;
        this.seed = seed;
        this.caches = caches;
        this.database = database;
        this.recorder = recorder;
    }

    /**
     * Runs one worker.
     *
     * @param args {@code <worker> <incarnation> <cache redis uri> <database uri> <seed> <history file>}, then the
     *     deadline ({@link System#nanoTime()}) on standard input
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 6) {
            System.out.println("usage: HistoryWorker <worker> <incarnation> <cache uri> <database uri> <seed>"
                    + " <history file>, then the deadline (nanoTime) on standard input");
            System.exit(EXIT_USAGE);
        }
        int worker = Integer.parseInt(args[0]);
        String process = "w" + worker + "." + args[1];
        long seed = Long.parseLong(args[4]) * 1_000_003L + Long.parseLong(args[1]) * 101L + worker;
        try (HistoryRecorder recorder = new HistoryRecorder(Path.of(args[5]));
                RedisClient database = RedisClient.create(URI.create(args[3]))) {
            RedisTier redis = RedisTier.connect(args[2], HistorySettings.tierConfig());
            RecordingTier tier = new RecordingTier(
                    redis,
                    (cacheName, kind, time) ->
                            recorder.record(new ChannelEvent(process, tierOf(cacheName), kind, time)));
            CacheRegistry registry = CacheRegistry.create();
            Cache<String, String> remote = build(HistorySettings.REMOTE, registry, tier, b -> b);
            Cache<String, String> near =
                    build(HistorySettings.NEAR, registry, tier, b -> b.nearCache(10_000, HistorySettings.NEAR_TTL));
            Cache<String, String> nearAck = build(
                    HistorySettings.NEAR_ACK,
                    registry,
                    tier,
                    b -> b.nearCache(10_000, HistorySettings.NEAR_TTL)
                            .acknowledgedInvalidation(HistorySettings.ACK_WAIT));
            HistoryWorker run = new HistoryWorker(
                    worker,
                    process,
                    seed,
                    Map.of(
                            HistorySettings.REMOTE,
                            remote,
                            HistorySettings.NEAR,
                            near,
                            HistorySettings.NEAR_ACK,
                            nearAck),
                    database,
                    recorder);
            System.exit(run.run());
        }
    }

    /** The name of the cache of {@code tier}, such as {@code history-near}. */
    static String cacheName(String tier) {
        return CACHE_NAME_PREFIX + tier;
    }

    private static String tierOf(String cacheName) {
        if (!cacheName.startsWith(CACHE_NAME_PREFIX)) {
            throw new IllegalArgumentException("not a history cache: " + cacheName);
        }
        return cacheName.substring(CACHE_NAME_PREFIX.length());
    }

    /** Builds the cache of {@code tierName}: the Redis tier as every worker cache has it, then {@code tiers}. */
    private static Cache<String, String> build(
            String tierName,
            CacheRegistry registry,
            RecordingTier tier,
            UnaryOperator<CacheBuilder<Object, String>> tiers) {
        CacheBuilder<Object, String> builder = Cachet.builder(cacheName(tierName))
                .expireAfterWrite(HistorySettings.REMOTE_TTL)
                .hitRatioWarning(0, 1)
                .registry(registry)
                .remote(tier, Codec.string(), HistorySettings.remoteConfig());
        return tiers.apply(builder).<String, String>build();
    }

    private int run() throws IOException, InterruptedException {
        // Loads classes and opens connections before the clock starts.
        for (Cache<String, String> cache : caches.values()) {
            cache.get("warmup", key -> "0");
        }
        database.get("warmup");
        System.out.println(READY);
        System.out.flush();
        String line = new BufferedReader(new InputStreamReader(System.in, UTF_8)).readLine();
        if (line == null) {
            System.out.println(process + ": no deadline on standard input");
            return EXIT_USAGE;
        }
        long deadline = Long.parseLong(line.strip());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < HistorySettings.THREADS; i++) {
            int thread = i;
            threads.add(new Thread(() -> operate(thread, deadline), process + "-t" + i));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        for (Map.Entry<String, Cache<String, String>> cache : caches.entrySet()) {
            System.out.println(
                    process + " " + cache.getKey() + ": " + cache.getValue().stats());
            cache.getValue().remoteStats().ifPresent(stats -> System.out.println("  " + stats));
            cache.getValue().nearStats().ifPresent(stats -> System.out.println("  " + stats));
        }
        return EXIT_OK;
    }

    /** One thread's operations until the deadline. */
    private void operate(int thread, long deadline) {
        Random random = new Random(seed * 31 + thread);
        int slot = worker * HistorySettings.THREADS + thread;
        int hotKey = slot;
        int coldKey = slot + HistorySettings.WORKERS * HistorySettings.THREADS;
        while (System.nanoTime() - deadline < 0) {
            String tier = HistorySettings.TIERS.get(random.nextInt(HistorySettings.TIERS.size()));
            if (random.nextInt(100) < HistorySettings.WRITE_PERCENT) {
                int index = random.nextInt(100) < HistorySettings.COLD_WRITE_PERCENT ? coldKey : hotKey;
                write(thread, tier, HistorySettings.key(index), random.nextBoolean());
            } else {
                read(thread, tier, HistorySettings.key(random.nextInt(HistorySettings.KEYS)), random);
            }
            pause(random.nextInt(HistorySettings.MAX_THINK_MILLIS + 1));
        }
    }

    private void read(int thread, String tier, String key, Random random) {
        Cache<String, String> cache = caches.get(tier);
        loaded.set(false);
        RecordingTier.begin();
        long start = System.nanoTime();
        long version = -1;
        String error = "";
        try {
            String value = random.nextInt(3) == 0
                    ? cache.getAll(List.of(key), keys -> Map.of(key, load(tier, key, random)))
                            .get(key)
                    : cache.get(key, k -> load(tier, k, random));
            version = value == null ? -1 : Long.parseLong(value);
        } catch (RuntimeException e) {
            error = e.toString();
        }
        long end = System.nanoTime();
        Op.Source source;
        if (!error.isEmpty()) {
            source = Op.Source.NONE;
        } else if (loaded.get()) {
            source = Op.Source.LOADER;
        } else if (RecordingTier.readFromRedis()) {
            source = Op.Source.REDIS;
        } else {
            source = Op.Source.LOCAL;
        }
        recorder.record(
                new Op(process, thread, tier, key, Op.Kind.READ, start, end, version, true, false, source, error));
    }

    /** The loader: the database's version of the key, returned after a random delay that widens race windows. */
    private String load(String tier, String key, Random random) {
        String version = database.get(databaseKey(tier, key));
        pause(random.nextInt(HistorySettings.MAX_LOADER_DELAY_MILLIS + 1));
        loaded.set(true);
        return version == null ? "0" : version;
    }

    private void write(int thread, String tier, String key, boolean put) {
        Cache<String, String> cache = caches.get(tier);
        long start = System.nanoTime();
        long version = -1;
        boolean confirmed = false;
        boolean acknowledged = false;
        String error = "";
        try {
            version = database.incr(databaseKey(tier, key));
            RecordingTier.begin();
            if (put) {
                cache.put(key, Long.toString(version));
            } else {
                cache.invalidate(key);
            }
            confirmed = RecordingTier.writeConfirmed();
            acknowledged = RecordingTier.writeAcknowledged();
        } catch (RuntimeException e) {
            error = e.toString();
        }
        long end = System.nanoTime();
        Op.Kind kind = put ? Op.Kind.PUT : Op.Kind.INVALIDATE;
        recorder.record(new Op(
                process, thread, tier, key, kind, start, end, version, confirmed, acknowledged, Op.Source.NONE, error));
    }

    private static String databaseKey(String tier, String key) {
        return tier + ":" + key;
    }

    private static void pause(int millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pausing", e);
        }
    }
}
