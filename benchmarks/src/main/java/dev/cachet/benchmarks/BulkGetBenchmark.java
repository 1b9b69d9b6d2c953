package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.benchmarks.environment.MachineInfo;
import dev.cachet.benchmarks.environment.RedisServerProcess;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Issue 12 §1: {@code getAll} of {@value #PAGE} keys that are all present in Redis, one thread, µs per call, on its own
 * redis-server on loopback:
 *
 * <ul>
 *   <li>{@link #cachetRemote}: a cache with a Redis tier only: one {@code MGET} reads the page (values and leases).
 *   <li>{@link #cachetNearCold}: a near cache whose near tier does not hold the page: the same read, plus filling the
 *       near tier. Pages cycle through {@value #PAGES} pages, and the near tier holds {@value #NEAR_SIZE} entries, so
 *       a page is long gone from it when it comes round again (the teardown fails the trial past 5 % near hits).
 *   <li>{@link #jedisMget}: raw Jedis {@code MGET} of the very Redis keys (and bytes) the tier wrote: the floor.
 *   <li>{@link #redissonBuckets}: Redisson's {@code RBuckets.get} of {@value #PAGE} keys it wrote with its {@code
 *       StringCodec} (one {@code MGET}), the fastest peer of the issue.
 * </ul>
 *
 * <p>Values are {@value RedisHitBenchmark#VALUE_LENGTH}-character strings. A loader call during measurement fails the
 * trial: every key is present. {@link #main} runs it and writes its section of {@code RESULTS.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(3)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class BulkGetBenchmark {
    /** Keys per call. */
    public static final int PAGE = 100;

    /** Pages of keys written before measuring. */
    public static final int PAGES = 200;

    /** Entries of the near tier: ten pages. */
    public static final int NEAR_SIZE = 1_000;

    static final String SECTION_BEGIN = "<!-- BulkGetBenchmark: begin -->";
    static final String SECTION_END = "<!-- BulkGetBenchmark: end -->";

    private static final String REMOTE_NAME = "bulk";
    private static final String NEAR_NAME = "bulk-near";

    /** The server, the clients and every page. */
    @State(Scope.Benchmark)
    public static class Fixture {
        RedisServerProcess server;
        RedisTier tier;
        Cache<String, String> remote;
        Cache<String, String> near;
        RedisClient jedis;
        RedissonClient redisson;
        final List<List<String>> pages = new ArrayList<>();
        final List<byte[][]> rawPages = new ArrayList<>();
        final List<String[]> redissonPages = new ArrayList<>();
        final AtomicLong loads = new AtomicLong();
        final Function<Set<? extends String>, Map<String, String>> loader = keys -> {
            loads.addAndGet(keys.size());
            Map<String, String> values = new LinkedHashMap<>();
            keys.forEach(key -> values.put(key, RedisHitBenchmark.valueOf(key)));
            return values;
        };

        /** Starts redis-server and writes every page through each client. */
        @Setup(Level.Trial)
        public void start() {
            server = RedisServerProcess.start();
            tier = RedisTier.connect(server.uri(), RedisTierConfig.defaults());
            remote = Cachet.builder(REMOTE_NAME)
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(30))
                    .remote(tier, Codec.string())
                    .<String, String>build();
            near = Cachet.builder(NEAR_NAME)
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(30))
                    .remote(tier, Codec.string())
                    .nearCache(NEAR_SIZE, Duration.ofMinutes(5))
                    .hitRatioWarning(0, 1) // cold on purpose
                    .<String, String>build();
            URI uri = URI.create(server.uri());
            jedis = RedisClient.builder()
                    .hostAndPort(new HostAndPort(uri.getHost(), uri.getPort()))
                    .build();
            Config config = new Config();
            config.useSingleServer().setAddress("redis://" + uri.getHost() + ":" + uri.getPort());
            redisson = Redisson.create(config);
            for (int p = 0; p < PAGES; p++) {
                List<String> page = new ArrayList<>(PAGE);
                byte[][] raw = new byte[PAGE][];
                String[] names = new String[PAGE];
                Map<String, String> values = new LinkedHashMap<>();
                Map<String, String> redissonValues = new LinkedHashMap<>();
                for (int i = 0; i < PAGE; i++) {
                    String key = "k" + (p * PAGE + i);
                    page.add(key);
                    values.put(key, RedisHitBenchmark.valueOf(key));
                    raw[i] = RedisHitBenchmark.redisKey(REMOTE_NAME, key).getBytes(StandardCharsets.UTF_8);
                    names[i] = "redisson:" + key;
                    redissonValues.put(names[i], RedisHitBenchmark.valueOf(key));
                }
                remote.putAll(values);
                Cachet.builder(NEAR_NAME) // another process's writes: they do not fill this near tier
                        .registry(CacheRegistry.create())
                        .expireAfterWrite(Duration.ofMinutes(30))
                        .remote(tier, Codec.string())
                        .<String, String>build()
                        .putAll(values);
                redisson.getBuckets(StringCodec.INSTANCE).set(redissonValues);
                pages.add(page);
                rawPages.add(raw);
                redissonPages.add(names);
                if (jedis.mget(raw).contains(null)) {
                    throw new IllegalStateException("the tier did not write page " + p + " where expected: has"
                            + " RedisTier's key layout changed?");
                }
            }
            loads.set(0);
        }

        /** Fails the trial if a measured call loaded, or the near tier was not cold, then stops everything. */
        @TearDown(Level.Trial)
        public void stop() {
            try {
                if (loads.get() != 0) {
                    throw new IllegalStateException(loads.get() + " keys loaded while measuring: all are present");
                }
                var stats = near.nearStats().orElseThrow();
                long requests = stats.hits() + stats.misses();
                if (requests > 0 && stats.hits() > requests / 20) {
                    throw new IllegalStateException("the near tier was not cold: " + stats);
                }
            } finally {
                redisson.shutdown();
                jedis.close();
                tier.close();
                server.close();
            }
        }
    }

    /** Each thread's position in the pages. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int page() {
            int p = next;
            next = p + 1 == PAGES ? 0 : p + 1;
            return p;
        }
    }

    /** {@code getAll} of a page on a Redis-only cache. */
    @Benchmark
    public Map<String, String> cachetRemote(Fixture f, Cursor c) {
        return f.remote.getAll(f.pages.get(c.page()), f.loader);
    }

    /** {@code getAll} of a page none of which the near tier holds: the remote read and the near fill. */
    @Benchmark
    public Map<String, String> cachetNearCold(Fixture f, Cursor c) {
        return f.near.getAll(f.pages.get(c.page()), f.loader);
    }

    /** Raw Jedis {@code MGET} of the page's Redis keys. */
    @Benchmark
    public List<byte[]> jedisMget(Fixture f, Cursor c) {
        return f.jedis.mget(f.rawPages.get(c.page()));
    }

    /** Redisson {@code RBuckets.get} of the page. */
    @Benchmark
    public Map<String, String> redissonBuckets(Fixture f, Cursor c) {
        return f.redisson.getBuckets(StringCodec.INSTANCE).get(f.redissonPages.get(c.page()));
    }

    /** Returns the JMH options: this class's benchmarks, with its annotations' forks and iterations. */
    static Options options() {
        return new OptionsBuilder()
                .include(BulkGetBenchmark.class.getName() + "\\.")
                .shouldFailOnError(true)
                .build();
    }

    /** Returns smoke options: in-process, one short iteration, for tests. */
    static Options smokeOptions() {
        return new OptionsBuilder()
                .include(BulkGetBenchmark.class.getName() + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(200))
                .shouldFailOnError(true)
                .build();
    }

    /**
     * Runs the benchmark and prints its section; with a path ({@code benchmarks/RESULTS.md}), writes the section
     * there too, replacing its previous one.
     */
    public static void main(String[] args) {
        MachineInfo machine = MachineInfo.current();
        String loadBefore = MachineInfo.loadAverage();
        Map<String, JmhRuns.Score> scores = JmhRuns.scores(JmhRuns.run(options()));
        String section = section(
                scores,
                "Measured on " + machine.oneLine() + ", code `" + machine.revision() + "`, load average " + loadBefore
                        + " before and " + MachineInfo.loadAverage() + " after the run.");
        System.out.println(section);
        if (args.length > 0) {
            writeSection(Path.of(args[0]), section);
        }
    }

    /** Returns the Markdown section of the results. */
    static String section(Map<String, JmhRuns.Score> scores, String machine) {
        StringBuilder md = new StringBuilder();
        md.append(SECTION_BEGIN).append('\n');
        md.append("## Bulk reads: `getAll` of ").append(PAGE).append(" present keys\n\n");
        md.append(
                        "`BulkGetBenchmark` (JMH, average time per call, 1 thread, 3 forks × 5 × 1 s after 4 × 1 s of warm-up;"
                                + " ± is the 99.9 % confidence half-width), on its own redis-server on loopback, values of 100"
                                + " characters. ")
                .append(machine)
                .append("\n\n");
        md.append("| | µs per call | round trips |\n|---|---:|---:|\n");
        appendRow(md, scores, "cachetRemote", "Cachet, Redis tier", "1 (MGET of values and fences)");
        appendRow(md, scores, "cachetNearCold", "Cachet, near cache, near tier cold (read + near fill)", "1");
        appendRow(md, scores, "redissonBuckets", "Redisson 3.52.0 `RBuckets.get`", "1 (MGET)");
        appendRow(md, scores, "jedisMget", "raw Jedis `MGET` (the floor)", "1");
        md.append("\nWhere the time goes: Cachet's read is one plain `MGET` of the 100 values, their 100 fences (the"
                + " leases a load would write with) and the cache's fence, no script: twice the keys of the raw"
                + " `MGET`, whose reply the client waits for most of the call (JMH's stack profiler: the benchmark"
                + " thread is mostly in the socket poll; decoding the values is a small share). Before `0c9aa85` the"
                + " read was a script that also created the fence of keys never seen; in Redis it cost about 70 µs for"
                + " 100 keys against 8 µs for a plain `MGET`. On a machine this loaded the figures are wide; compare"
                + " them within one run.\n");
        md.append("\nBefore issue 12 Cachet sent one GET script per key: 4,516 µs for the same call (issue 12's"
                + " figure, 2026-12-02). Reproduce: `benchmarks/jmh.sh BulkGetBenchmark`, or `java -cp … "
                + "dev.cachet.benchmarks.BulkGetBenchmark benchmarks/RESULTS.md` to rewrite this section.\n");
        md.append(SECTION_END).append('\n');
        return md.toString();
    }

    private static void appendRow(
            StringBuilder md, Map<String, JmhRuns.Score> scores, String method, String label, String trips) {
        JmhRuns.Score score = scores.get("BulkGetBenchmark." + method);
        if (score == null) {
            return;
        }
        md.append(
                String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %s |%n", label, score.score(), score.error(), trips));
    }

    /** Replaces the section in {@code file}, or appends it after ResultsReport's marker. */
    static void writeSection(Path file, String section) {
        try {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            int begin = text.indexOf(SECTION_BEGIN);
            int end = text.indexOf(SECTION_END);
            String updated;
            if (begin >= 0 && end > begin) {
                updated = text.substring(0, begin) + section + text.substring(end + SECTION_END.length() + 1);
            } else {
                if (!text.contains(ResultsReport.KEPT_SECTIONS_MARKER)) {
                    text = text + "\n" + ResultsReport.KEPT_SECTIONS_MARKER + "\n";
                }
                updated = text + "\n" + section;
            }
            Files.writeString(file, updated, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
