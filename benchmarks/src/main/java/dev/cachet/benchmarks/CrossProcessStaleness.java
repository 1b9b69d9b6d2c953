package dev.cachet.benchmarks;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.benchmarks.environment.RedisServerProcess;
import dev.cachet.redis.Codec;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * P13 for Cachet alone: cross-process staleness of the near tier, in two JVMs. The writer JVM (this one) puts a new
 * value into a near cache over Redis, then tells the reader JVM over a loopback socket (no faster than a real caller's
 * next request); the reader's first read after that signal is stale or not. A stale reader then reads again until it
 * sees the value: the time from the start of the {@code put} to that read is the time to convergence.
 *
 * <p>Run: {@code java -cp <benchmarks' class path> dev.cachet.benchmarks.CrossProcessStaleness [writes]
 * [default|acknowledged]...}; it starts its own {@code redis-server}.
 */
public final class CrossProcessStaleness {
    /** How long an acknowledged write waits for every near tier at most. */
    public static final Duration ACK_WAIT = Duration.ofMillis(100);

    private static final String CACHE = "p13";
    private static final String KEY = "k";

    private CrossProcessStaleness() {}

    /**
     * What one run measured.
     *
     * @param mode {@code default} or {@code acknowledged}
     * @param writes the writes
     * @param stale first reads after the signal that returned an older value
     * @param convergenceNanos per write, from the start of the put to the reader's first read of the new value
     * @param putNanos per write, the put's latency
     */
    public record Result(String mode, int writes, int stale, long[] convergenceNanos, long[] putNanos) {
        /** Returns a one-line summary in µs. */
        public String summary() {
            long[] conv = convergenceNanos.clone();
            long[] put = putNanos.clone();
            Arrays.sort(conv);
            Arrays.sort(put);
            return String.format(
                    Locale.ROOT,
                    "%s: stale %d of %d (%.2f %%); convergence p50/p99/max %d/%d/%d us; put p50/p99 %d/%d us",
                    mode,
                    stale,
                    writes,
                    100.0 * stale / writes,
                    micros(conv, 0.50),
                    micros(conv, 0.99),
                    conv[conv.length - 1] / 1000,
                    micros(put, 0.50),
                    micros(put, 0.99));
        }

        private static long micros(long[] sorted, double quantile) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1000;
        }
    }

    /** Runs each mode named in {@code args} (default: both) over the writes (default 10,000) and prints the result. */
    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<String> modes =
                args.length > 1 ? List.of(args).subList(1, args.length) : List.of("default", "acknowledged");
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            for (String mode : modes) {
                System.out.println(run(redis.uri(), mode, writes).summary());
            }
        }
    }

    /** Runs one mode: starts the reader JVM, writes {@code writes} times, stops it. */
    public static Result run(String uri, String mode, int writes) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process reader = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Reader.class.getName(),
                        uri,
                        mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (NearCacheOnRedis near = new NearCacheOnRedis(uri, mode)) {
            Cache<String, String> cache = near.cache;
            int port = readPort(reader.getInputStream());
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setTcpNoDelay(true);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                DataInputStream in = new DataInputStream(socket.getInputStream());
                cache.put(KEY, "v-1");
                int warmup = Math.min(1_000, writes);
                int stale = 0;
                long[] convergence = new long[writes];
                long[] put = new long[writes];
                for (int i = -warmup; i < writes; i++) {
                    long start = System.nanoTime();
                    cache.put(KEY, "v" + i);
                    long returned = System.nanoTime();
                    out.writeInt(i);
                    out.writeLong(start);
                    out.flush();
                    boolean wasStale = in.readBoolean();
                    long converged = in.readLong();
                    if (i >= 0) {
                        stale += wasStale ? 1 : 0;
                        convergence[i] = converged;
                        put[i] = returned - start;
                    }
                }
                out.writeInt(Integer.MIN_VALUE);
                out.flush();
                return new Result(mode, writes, stale, convergence, put);
            }
        } finally {
            if (!reader.waitFor(10, TimeUnit.SECONDS)) {
                reader.destroyForcibly();
            }
        }
    }

    private static int readPort(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the reader JVM ended before it listened");
            }
            line.append((char) c);
        }
        return Integer.parseInt(line.toString().trim());
    }

    /** A near cache over its own Redis tier, as each JVM builds it; closing it closes the tier. */
    private static final class NearCacheOnRedis implements AutoCloseable {
        final RedisTier tier;
        final Cache<String, String> cache;

        NearCacheOnRedis(String uri, String mode) {
            // Generous timeouts: a JVM starting beside another must not see a slow reply as an outage.
            tier = RedisTier.connect(
                    uri,
                    RedisTierConfig.builder()
                            .connectTimeout(Duration.ofSeconds(2))
                            .socketTimeout(Duration.ofSeconds(2))
                            .build());
            var builder = Cachet.builder(CACHE)
                    .registry(CacheRegistry.create())
                    .expireAfterWrite(Duration.ofMinutes(10))
                    .remote(tier, Codec.string())
                    .nearCache(10_000, Duration.ofMinutes(5));
            if (mode.equals("acknowledged")) {
                builder.acknowledgedInvalidation(ACK_WAIT);
            } else if (!mode.equals("default")) {
                throw new IllegalArgumentException("mode: default or acknowledged, not '" + mode + "'");
            }
            cache = builder.build();
        }

        @Override
        public void close() {
            tier.close();
        }
    }

    /** The reader JVM: answers each signal with whether its first read was stale and when it converged. */
    public static final class Reader {
        private Reader() {}

        /** {@code args}: the Redis URI, the mode. */
        public static void main(String[] args) throws IOException {
            try (NearCacheOnRedis near = new NearCacheOnRedis(args[0], args[1]);
                    ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                OutputStream stdout = System.out;
                stdout.write((server.getLocalPort() + "\n").getBytes(StandardCharsets.US_ASCII));
                stdout.flush();
                try (Socket socket = server.accept()) {
                    socket.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    Cache<String, String> cache = near.cache;
                    for (int i = in.readInt(); i != Integer.MIN_VALUE; i = in.readInt()) {
                        long start = in.readLong();
                        String expected = "v" + i;
                        boolean stale = !expected.equals(cache.getIfPresent(KEY));
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        if (stale) {
                            while (!expected.equals(cache.getIfPresent(KEY))) {
                                if (System.nanoTime() > deadline) {
                                    throw new IllegalStateException("never saw " + expected);
                                }
                                Thread.onSpinWait();
                            }
                        }
                        long converged = System.nanoTime() - start;
                        out.writeBoolean(stale);
                        out.writeLong(converged);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
