package dev.cachet.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code redis-server} process of the caller's own, for code that cannot declare a {@link RedisServer} parameter:
 * properties run by another JUnit Platform engine (jqwik), or a harness with a {@code main}. Under JUnit Jupiter, ask
 * for a {@link Dedicated} parameter instead, which {@link RedisExtension} starts and stops.
 *
 * <pre>{@code
 * try (SpawnedRedisServer redis = SpawnedRedisServer.start()) {
 *     try (RedisTier tier = RedisTier.connect(redis.uri())) { ... }
 * }
 * }</pre>
 *
 * <p>The server starts empty on a free loopback port, never persists data, and is killed by {@link #close()} (or, if
 * the JVM exits first, by a shutdown hook). Thread-safe.
 */
public final class SpawnedRedisServer implements RedisServer, AutoCloseable {
    private final RedisProcess process;
    private final Path workDir;

    private SpawnedRedisServer(RedisProcess process, Path workDir) {
        this.process = process;
        this.workDir = workDir;
    }

    /**
     * Starts a server and returns once it answers PING.
     *
     * @throws IllegalStateException if {@code redis-server} is not on the PATH and {@code CI=true}, or if the server
     *     does not come up (the message ends with its log)
     * @throws org.opentest4j.TestAbortedException if {@code redis-server} is not on the PATH otherwise
     */
    public static SpawnedRedisServer start() {
        RedisSupply supply =
                RedisSupply.choose(System.getenv(), () -> false, RedisSupply.isOnPath("redis-server", System.getenv()));
        supply.requireProcesses("a SpawnedRedisServer");
        Path workDir;
        try {
            workDir = Files.createTempDirectory("cachet-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for redis-server", e);
        }
        try {
            return new SpawnedRedisServer(RedisProcess.start(workDir, RedisProcess.Mode.STANDALONE), workDir);
        } catch (RuntimeException e) {
            RedisProcess.deleteRecursively(workDir);
            throw e;
        }
    }

    @Override
    public String host() {
        return process.host();
    }

    @Override
    public int port() {
        return process.port();
    }

    @Override
    public String uri() {
        return process.uri();
    }

    @Override
    public void kill() {
        process.kill();
    }

    @Override
    public void restart() {
        process.restart();
    }

    @Override
    public boolean isRunning() {
        return process.isRunning();
    }

    @Override
    public void flushAll() {
        process.flushAll();
    }

    /** Kills the server and deletes its directory. Idempotent. */
    @Override
    public void close() {
        try {
            process.close();
        } finally {
            RedisProcess.deleteRecursively(workDir);
        }
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
