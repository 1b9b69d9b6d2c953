package dev.cachet.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A throwaway {@code redis-server} process on a free local port, with no persistence, for this module's tests. Stand-in
 * until the shared Redis test extension lands in {@code dev.cachet.redis.testing}; it then replaces this class.
 */
final class LocalRedis implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path directory;

    private LocalRedis(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /** Starts a server with {@code extraArguments} appended to its command line, and waits until it answers PING. */
    static LocalRedis start(String... extraArguments) {
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            try {
                return start(port, extraArguments);
            } catch (IllegalStateException e) {
                // Another process may have taken the port between the probe and the bind: try another.
                failure = e;
            }
        }
        throw failure;
    }

    /**
     * Starts {@code masters} Cluster nodes, assigns them the 16384 slots in equal ranges, joins them, and waits until
     * every node reports {@code cluster_state:ok}.
     */
    static List<LocalRedis> startCluster(int masters) {
        List<LocalRedis> nodes = new ArrayList<>();
        List<Integer> busPorts = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                int busPort = freePort();
                busPorts.add(busPort);
                nodes.add(start(
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf",
                        "--cluster-port", Integer.toString(busPort),
                        "--cluster-node-timeout", "2000"));
            }
            int slotsPerNode = 16384 / masters;
            for (int i = 0; i < masters; i++) {
                int first = i * slotsPerNode;
                int last = i == masters - 1 ? 16383 : first + slotsPerNode - 1;
                try (Jedis jedis = nodes.get(i).connect()) {
                    jedis.clusterAddSlotsRange(first, last);
                    if (i > 0) {
                        // The bus port is not the default (port + 10000), so MEET must name it.
                        jedis.sendCommand(
                                Protocol.Command.CLUSTER,
                                "MEET",
                                "127.0.0.1",
                                Integer.toString(nodes.get(0).port()),
                                Integer.toString(busPorts.get(0)));
                    }
                }
            }
            long deadline = System.nanoTime() + STARTUP.toNanos();
            for (LocalRedis node : nodes) {
                try (Jedis jedis = node.connect()) {
                    while (!jedis.clusterInfo().contains("cluster_state:ok")) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("cluster did not form: " + jedis.clusterInfo());
                        }
                        sleep(Duration.ofMillis(50));
                    }
                }
            }
            return nodes;
        } catch (RuntimeException e) {
            nodes.forEach(LocalRedis::close);
            throw e;
        }
    }

    /** Returns a port nobody listens on right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    HostAndPort hostAndPort() {
        return new HostAndPort("127.0.0.1", port);
    }

    /** Returns {@code redis://127.0.0.1:<port>}. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Opens a plain connection for inspecting the server; the caller closes it. */
    Jedis connect() {
        return new Jedis("127.0.0.1", port);
    }

    /** Kills the server and waits for it to exit. */
    void stop() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        stop();
        try (var files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A leftover temporary directory does not matter.
        }
    }

    private static LocalRedis start(int port, String... extraArguments) {
        Path directory;
        try {
            directory = Files.createTempDirectory("cachet-redis-" + port + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory.toString()));
        command.addAll(Arrays.asList(extraArguments));
        Path log = directory.resolve("redis.log");
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-server (is it installed and on the PATH?)", e);
        }
        LocalRedis redis = new LocalRedis(process, port, directory);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!process.isAlive()) {
                String output = read(log);
                redis.close();
                throw new IllegalStateException("redis-server on port " + port + " exited: " + output);
            }
            try (Jedis jedis = redis.connect()) {
                if (isReady(jedis)) {
                    return redis;
                }
            } catch (JedisException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                redis.close();
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING");
            }
            sleep(Duration.ofMillis(20));
        }
    }

    private static boolean isReady(Jedis jedis) {
        try {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
            // A password-protected server refuses PING before AUTH, which proves it is up.
            return e.getMessage() != null && e.getMessage().startsWith("NOAUTH");
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
