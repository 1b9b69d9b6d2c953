package dev.cachet.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Redis resources of one test run: the {@link RedisSupply} decision, the shared server, the cluster and the
 * Sentinel topology (all started on first use), and the temporary directory spawned servers work in. Lives in the root {@link
 * ExtensionContext} store, so JUnit closes it, and with it every server, when the run ends.
 *
 * <p>Thread-safe: lazy starts are serialised on the instance.
 */
final class RedisEnvironment implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisEnvironment.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RedisEnvironment.class);
    private static final String CONTAINER_IMAGE = "redis:7.0";
    private static final int CONTAINER_PORT = 6379;

    private final RedisSupply supply;
    private @Nullable Path workDir; // guarded by this; created with the first process
    private @Nullable SharedRedisServer sharedServer; // guarded by this
    private @Nullable RedisCluster cluster; // guarded by this
    private @Nullable RedisSentinel sentinel; // guarded by this

    private RedisEnvironment(RedisSupply supply) {
        this.supply = supply;
    }

    /** Returns the run's environment, deciding where Redis comes from on the first call. */
    static RedisEnvironment of(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(RedisEnvironment.class, key -> detect(), RedisEnvironment.class);
    }

    private static RedisEnvironment detect() {
        Map<String, String> env = System.getenv();
        RedisSupply supply =
                RedisSupply.choose(env, RedisEnvironment::isDockerAvailable, RedisSupply.isOnPath("redis-server", env));
        log.info("Redis for tests: {}", supply.describe());
        return new RedisEnvironment(supply);
    }

    private static boolean isDockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            // A broken Docker setup means no Docker, not a failed test run: the next source is tried.
            log.info("Docker probe failed, not using Testcontainers: {}", e.toString());
            return false;
        }
    }

    RedisSupply supply() {
        return supply;
    }

    /** Returns the shared server, starting it on first use; it is flushed when started. */
    synchronized RedisServer sharedServer() {
        supply.requireAnyRedis();
        if (sharedServer == null) {
            sharedServer = startSharedServer();
            // An external server may hold anything; a fresh one is empty and flushing it costs nothing.
            sharedServer.flushAll();
        }
        return sharedServer;
    }

    /** Returns the cluster, creating it on first use (a few seconds). */
    synchronized RedisCluster cluster() {
        supply.requireProcesses("a RedisCluster");
        if (cluster == null) {
            cluster = RedisCluster.start(workDir());
            log.info("Started {}", cluster);
        }
        return cluster;
    }

    /** Returns the shared Sentinel topology, starting it on first use (a few seconds). */
    synchronized RedisSentinel sentinel() {
        supply.requireProcesses("a RedisSentinel");
        if (sentinel == null) {
            sentinel = RedisSentinel.start(workDir());
            log.info("Started {}", sentinel);
        }
        return sentinel;
    }

    /** Starts a Sentinel topology of the caller's own; the caller stops it. */
    RedisSentinel startDedicatedSentinel() {
        supply.requireProcesses("a @Dedicated RedisSentinel");
        return RedisSentinel.start(workDir());
    }

    /** Starts a server of the caller's own; the caller closes it. */
    RedisProcess startDedicatedServer() {
        supply.requireProcesses("a @Dedicated RedisServer");
        return RedisProcess.start(workDir(), RedisProcess.Mode.STANDALONE);
    }

    /**
     * Gives a test class a clean slate: flushes the shared server and the cluster if they were started, restarting
     * any cluster master a previous class left stopped.
     */
    synchronized void resetSharedState() {
        if (sharedServer != null) {
            sharedServer.flushAll();
        }
        if (cluster != null) {
            cluster.reset();
        }
        if (sentinel != null) {
            sentinel.reset();
        }
    }

    /** Stops the cluster and the shared server and deletes the working directory. */
    @Override
    public synchronized void close() {
        try {
            if (sentinel != null) {
                sentinel.stop();
            }
            if (cluster != null) {
                cluster.stop();
            }
        } finally {
            try {
                if (sharedServer != null) {
                    sharedServer.close();
                }
            } finally {
                if (workDir != null) {
                    RedisProcess.deleteRecursively(workDir);
                }
            }
        }
    }

    private SharedRedisServer startSharedServer() {
        return switch (supply.source()) {
            case REDIS_URL -> new SharedRedisServer(supply.redisUrl().orElseThrow(), "REDIS_URL", () -> {});
            case CONTAINER -> startContainer();
            case PROCESS -> {
                RedisProcess process = RedisProcess.start(workDir(), RedisProcess.Mode.STANDALONE);
                yield new SharedRedisServer(process.connectionUri(), "a redis-server process", process::close);
            }
            case NONE -> throw new IllegalStateException("No Redis source; requireAnyRedis() should have stopped us");
        };
    }

    private static SharedRedisServer startContainer() {
        GenericContainer<?> container =
                new GenericContainer<>(DockerImageName.parse(CONTAINER_IMAGE)).withExposedPorts(CONTAINER_PORT);
        container.start();
        URI uri = URI.create("redis://" + container.getHost() + ":" + container.getMappedPort(CONTAINER_PORT));
        log.info("Started a {} container at {}", CONTAINER_IMAGE, uri);
        return new SharedRedisServer(uri, "a Testcontainers " + CONTAINER_IMAGE + " container", container::stop);
    }

    private synchronized Path workDir() {
        if (workDir == null) {
            try {
                workDir = Files.createTempDirectory("cachet-redis-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary directory for redis-server", e);
            }
        }
        return workDir;
    }
}
