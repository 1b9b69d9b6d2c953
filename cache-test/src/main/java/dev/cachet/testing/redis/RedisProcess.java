package dev.cachet.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * A {@code redis-server} child process on a loopback port that stays the same across {@link #kill()} and {@link
 * #restart()}. It never persists data ({@code --save "" --appendonly no}) and logs to a file in its own directory,
 * whose last lines end every startup error.
 *
 * <p>Thread-safe: state changes are serialised on the instance.
 */
final class RedisProcess implements RedisServer, AutoCloseable {

    /** Whether the process is a plain server, a node of a Redis Cluster, or a Redis Sentinel. */
    enum Mode {
        STANDALONE,
        CLUSTER_NODE,
        /** {@code redis-server <config file> --sentinel}: the config file is required, Sentinel rewrites it. */
        SENTINEL
    }

    /** No configuration file: every option is on the command line. */
    private static final IntFunction<List<String>> NO_CONFIG_FILE = port -> List.of();

    static final String HOST = "127.0.0.1";
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 5;
    // A cluster node also listens on port + 10000 (the cluster bus), which must stay a valid port.
    private static final int CLUSTER_BUS_OFFSET = 10_000;
    private static final int MAX_PORT = 55_000;

    // Every live child, so the shutdown hook leaves no redis-server behind even if JUnit never closes us.
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "redis-process-reaper"));
    }

    private final int port;
    private final Mode mode;
    private final Path dir;
    private final Path log;
    private final URI uri;
    private final JedisClientConfig clientConfig;
    private final List<String> configFile;
    private @Nullable Process process; // guarded by this; null while stopped

    private RedisProcess(int port, Mode mode, Path dir, List<String> configFile, JedisClientConfig clientConfig) {
        this.port = port;
        this.mode = mode;
        this.dir = dir;
        this.log = dir.resolve("redis.log");
        this.uri = URI.create("redis://" + HOST + ":" + port);
        this.configFile = List.copyOf(configFile);
        this.clientConfig = clientConfig;
    }

    /**
     * Starts a server on a free port below 55000 and returns once it answers PING. Another process may grab the port
     * between our check and redis-server's bind, so a lost race is retried on another port.
     *
     * @param workDir where the server's own directory (log, cluster config) is created
     * @throws IllegalStateException if the server does not come up; the message ends with its log
     */
    static RedisProcess start(Path workDir, Mode mode) {
        return start(workDir, mode, NO_CONFIG_FILE, RedisProbe.PROBE_CONFIG);
    }

    /**
     * Starts a server as {@link #start(Path, Mode)} does, with a configuration file of the given lines (given the
     * chosen port; written once, before the first start, so a Sentinel's rewrites survive a restart), and connects to
     * it with {@code clientConfig} (its credentials) to check it is up and to flush it.
     */
    static RedisProcess start(
            Path workDir, Mode mode, IntFunction<List<String>> configFile, JedisClientConfig clientConfig) {
        List<String> lostRaces = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = freePort(mode == Mode.CLUSTER_NODE);
            RedisProcess server =
                    new RedisProcess(port, mode, createDirectory(workDir, port), configFile.apply(port), clientConfig);
            try {
                synchronized (server) {
                    server.writeConfigFile();
                    server.launch();
                }
                return server;
            } catch (PortTakenException e) {
                deleteRecursively(server.dir);
                lostRaces.add(e.getMessage());
            }
        }
        throw new IllegalStateException(
                "redis-server found its port taken " + PORT_ATTEMPTS + " times in a row: " + lostRaces);
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String uri() {
        return uri.toString();
    }

    URI connectionUri() {
        return uri;
    }

    /** Opens a connection with this server's credentials, for one-off commands; the caller closes it. */
    Jedis connect() {
        return new Jedis(new HostAndPort(HOST, port), clientConfig);
    }

    /** Returns the process id of the running server, or -1 while it is stopped. */
    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    @Override
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        Process killed = process;
        process = null;
        killed.destroyForcibly();
        awaitExit(killed);
        LIVE.remove(killed);
        // The kernel closes the listening socket when the process dies; wait for it so callers see a refused port.
        RedisProbe.await(
                STOP_TIMEOUT,
                () -> !RedisProbe.acceptsConnections(HOST, port),
                () -> "Port " + port + " still accepts connections " + STOP_TIMEOUT + " after killing redis-server");
    }

    @Override
    public synchronized void restart() {
        kill();
        try {
            launch();
        } catch (PortTakenException e) {
            throw new IllegalStateException("Cannot restart redis-server: " + e.getMessage() + " while it was down\n"
                    + RedisProbe.tail(log, RedisProbe.LOG_TAIL_LINES));
        }
    }

    /** Starts the process and waits until it answers; the caller holds the lock and has stopped any old process. */
    private void launch() {
        Process started;
        try {
            started = new ProcessBuilder(command())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run redis-server (is it on the PATH?): " + e.getMessage(), e);
        }
        LIVE.add(started);
        try {
            awaitReady(started);
        } catch (RuntimeException e) {
            started.destroyForcibly();
            awaitExit(started);
            LIVE.remove(started);
            throw e;
        }
        process = started;
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void flushAll() {
        try (var jedis = connect()) {
            jedis.flushAll();
        }
    }

    /** Kills the server and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        kill();
        deleteRecursively(dir);
    }

    @Override
    public String toString() {
        String kind = switch (mode) {
            case STANDALONE -> "";
            case CLUSTER_NODE -> "cluster node ";
            case SENTINEL -> "sentinel ";
        };
        return "redis-server " + kind + uri + " (log: " + log + ")";
    }

    private Path configPath() {
        return dir.resolve(mode == Mode.SENTINEL ? "sentinel.conf" : "redis.conf");
    }

    private void writeConfigFile() {
        if (configFile.isEmpty() && mode != Mode.SENTINEL) {
            return;
        }
        try {
            Files.write(configPath(), configFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + configPath(), e);
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>(List.of("redis-server"));
        if (mode == Mode.SENTINEL || !configFile.isEmpty()) {
            command.add(configPath().toString());
        }
        if (mode == Mode.SENTINEL) {
            command.add("--sentinel");
        }
        option(command, "port", Integer.toString(port));
        option(command, "bind", HOST);
        if (mode != Mode.SENTINEL) {
            // Nothing on disk: a restart must come back empty, as after a crash of a cache server.
            option(command, "save", "");
            option(command, "appendonly", "no");
        }
        // In the foreground, so the Process is the server and destroyForcibly() kills it.
        option(command, "daemonize", "no");
        option(command, "dir", dir.toString());
        if (mode == Mode.CLUSTER_NODE) {
            option(command, "cluster-enabled", "yes");
            // Outlives a kill, so a restarted node rejoins the cluster with its slots.
            option(
                    command,
                    "cluster-config-file",
                    dir.resolve("nodes-" + port + ".conf").toString());
            option(command, "cluster-node-timeout", "2000");
        }
        return command;
    }

    private static void option(List<String> command, String name, String value) {
        command.add("--" + name);
        command.add(value);
    }

    private void awaitReady(Process started) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!started.isAlive()) {
                String tail = RedisProbe.tail(log, RedisProbe.LOG_TAIL_LINES);
                if (tail.contains("Address already in use")) {
                    throw new PortTakenException("port " + port + " was taken");
                }
                throw new IllegalStateException("redis-server on port " + port + " exited with code "
                        + started.exitValue() + " before answering PING\n" + tail);
            }
            // Checking the pid, not just PING: another server that grabbed the port would answer PING too.
            long pid = RedisProbe.processId(uri, clientConfig);
            if (pid == started.pid()) {
                return;
            }
            if (pid != -1) {
                throw new PortTakenException("port " + port + " is served by another redis-server (pid " + pid + ")");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
                        + STARTUP_TIMEOUT + "\n" + RedisProbe.tail(log, RedisProbe.LOG_TAIL_LINES));
            }
            RedisProbe.pause(Duration.ofMillis(20));
        }
    }

    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "redis-server (pid " + process.pid() + ") survived SIGKILL for " + STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for redis-server to exit", e);
        }
    }

    /**
     * Returns a port nothing listens on now: the OS picks it, we release it and redis-server binds it soon after.
     * Ports from 55000 up are skipped because a cluster node's bus port (port + 10000) must exist.
     */
    private static int freePort(boolean needsBusPort) {
        for (int i = 0; i < 100; i++) {
            int port = bindAndRelease(0);
            if (port > 0 && port < MAX_PORT && (!needsBusPort || bindAndRelease(port + CLUSTER_BUS_OFFSET) != -1)) {
                return port;
            }
        }
        throw new IllegalStateException("Found no free loopback port below " + MAX_PORT + " in 100 attempts");
    }

    /** Binds {@code port} on loopback (0: any), releases it and returns the bound port, or -1 if it was taken. */
    private static int bindAndRelease(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            return -1;
        }
    }

    private static Path createDirectory(Path workDir, int port) {
        try {
            return Files.createTempDirectory(workDir, "redis-" + port + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for redis-server under " + workDir, e);
        }
    }

    /** Deletes a directory tree, best effort: a leftover temp file must not fail a test. */
    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> paths = Files.walk(root)) {
            deepestFirst = paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
        } catch (IOException | UncheckedIOException e) {
            return; // best effort, see above; the OS cleans its temp directory eventually
        }
        for (Path path : deepestFirst) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // Keep going: deleting the rest is still worth it.
            }
        }
    }

    /** The chosen port was taken by someone else before redis-server could bind it; try another one. */
    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
