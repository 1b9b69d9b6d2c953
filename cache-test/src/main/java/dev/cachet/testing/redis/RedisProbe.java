package dev.cachet.testing.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;

/** Pokes Redis servers and waits for them: the short, bounded checks the test fixtures are built on. Thread-safe. */
final class RedisProbe {
    /** Lines of a server's log quoted in error messages. */
    static final int LOG_TAIL_LINES = 30;

    // Short timeouts: a probe runs in a polling loop, where a hung attempt would eat the whole wait budget.
    static final JedisClientConfig PROBE_CONFIG = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(500)
            .socketTimeoutMillis(1_000)
            .build();
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern PROCESS_ID = Pattern.compile("^process_id:(\\d+)\\s*$", Pattern.MULTILINE);

    private RedisProbe() {}

    /** Opens a connection for one-off commands; the caller closes it. */
    static Jedis connect(URI uri) {
        return new Jedis(uri, PROBE_CONFIG);
    }

    /** Returns whether the server at {@code uri} answers PING. */
    static boolean answersPing(URI uri) {
        try (Jedis jedis = connect(uri)) {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
            return false;
        }
    }

    /** Returns the {@code process_id} the server at {@code uri} reports, or -1 if it does not answer. */
    static long processId(URI uri) {
        return processId(uri, PROBE_CONFIG);
    }

    /** Returns the {@code process_id} the server at {@code uri} reports when asked with {@code config}, or -1. */
    static long processId(URI uri, JedisClientConfig config) {
        // By host and port: a URI's (absent) credentials would replace those of the config.
        try (Jedis jedis = new Jedis(new HostAndPort(uri.getHost(), uri.getPort()), config)) {
            var matcher = PROCESS_ID.matcher(jedis.info("server"));
            return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
        } catch (JedisException e) {
            return -1;
        }
    }

    /** Returns whether something accepts TCP connections on {@code host:port}. */
    static boolean acceptsConnections(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @throws IllegalStateException with {@code failure}'s message if it still does not hold after {@code timeout}
     */
    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(failure.get());
            }
            pause(POLL_INTERVAL);
        }
    }

    /** Sleeps; an interrupt is kept on the thread and surfaces as an exception, since every caller is waiting. */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Redis", e);
        }
    }

    /** Returns the last {@code lines} lines of a log file, without colour codes, for an error message. */
    static String tail(Path log, int lines) {
        String text;
        try {
            // Decoding bytes (not readAllLines) so a stray non-UTF-8 byte cannot hide the log we are quoting.
            text = new String(Files.readAllBytes(log), UTF_8);
        } catch (NoSuchFileException e) {
            return "(no log at " + log + ")";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
        List<String> all =
                Arrays.asList(ANSI_ESCAPE.matcher(text).replaceAll("").split("\\R", -1));
        List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
        return "--- last lines of " + log + " ---\n" + String.join("\n", last).strip();
    }
}
