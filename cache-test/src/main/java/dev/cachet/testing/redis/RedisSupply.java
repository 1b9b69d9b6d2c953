package dev.cachet.testing.redis;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the tests' Redis comes from: decided once per run by {@link #choose}, a pure function of the environment
 * variables and two facts about the machine, so that the policy is unit-tested without Docker or a Redis binary.
 *
 * <p>The shared server comes from, in order: {@code REDIS_URL}; a Testcontainers {@code redis:7.0} container when
 * Docker runs; a {@code redis-server} process when the binary is on the PATH. Dedicated servers and the cluster are
 * always processes, whatever the shared server's source. When what a test needs is missing, the test fails under
 * {@code CI=true} (a CI run must never pass by skipping its Redis tests) and is aborted otherwise.
 *
 * <p>Immutable and thread-safe.
 *
 * @param source where the shared server comes from
 * @param redisUrl the server to use when {@code source} is {@link Source#REDIS_URL}, else empty
 * @param canSpawnProcesses whether {@code redis-server} is on the PATH, which dedicated servers and the cluster need
 * @param failWhenMissing whether missing Redis fails tests ({@code CI=true}) rather than aborting them
 */
record RedisSupply(Source source, Optional<URI> redisUrl, boolean canSpawnProcesses, boolean failWhenMissing) {

    /** Where the shared server comes from, in order of preference. */
    enum Source {
        /** An external server named by the {@code REDIS_URL} environment variable; it cannot be killed. */
        REDIS_URL,
        /** A Testcontainers {@code redis:7.0} container. */
        CONTAINER,
        /** A {@code redis-server} child process of the test JVM. */
        PROCESS,
        /** None: tests that need Redis fail ({@code CI=true}) or abort. */
        NONE
    }

    static final String HOW_TO_GET_REDIS = "set REDIS_URL=redis://host:port to use a running server, start a Docker"
            + " engine (Testcontainers then runs redis:7.0), or install redis-server on the PATH"
            + " (apt-get install redis-server, brew install redis)";

    RedisSupply {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(redisUrl, "redisUrl");
        if (redisUrl.isPresent() != (source == Source.REDIS_URL)) {
            throw new IllegalArgumentException(
                    "redisUrl must be present exactly when source is REDIS_URL, was " + redisUrl + " for " + source);
        }
        if (source == Source.PROCESS && !canSpawnProcesses) {
            throw new IllegalArgumentException("source PROCESS needs canSpawnProcesses");
        }
    }

    /**
     * Decides where Redis comes from.
     *
     * @param env the environment variables; {@code REDIS_URL} and {@code CI} are read
     * @param dockerAvailable asked only when {@code REDIS_URL} is unset, since the probe takes a moment
     * @param redisServerOnPath whether a {@code redis-server} executable is on the PATH
     * @throws IllegalArgumentException if {@code REDIS_URL} is set but is not a {@code redis://} URI with a host
     */
    static RedisSupply choose(Map<String, String> env, BooleanSupplier dockerAvailable, boolean redisServerOnPath) {
        boolean ci = "true".equalsIgnoreCase(env.getOrDefault("CI", "").strip());
        String url = env.getOrDefault("REDIS_URL", "").strip();
        if (!url.isEmpty()) {
            return new RedisSupply(Source.REDIS_URL, Optional.of(parseRedisUrl(url)), redisServerOnPath, ci);
        }
        Source source;
        if (dockerAvailable.getAsBoolean()) {
            source = Source.CONTAINER;
        } else if (redisServerOnPath) {
            source = Source.PROCESS;
        } else {
            source = Source.NONE;
        }
        return new RedisSupply(source, Optional.empty(), redisServerOnPath, ci);
    }

    /** Returns whether an executable file named {@code executable} is in a directory of {@code env}'s PATH. */
    static boolean isOnPath(String executable, Map<String, String> env) {
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator, -1)) {
            try {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
                    return true;
                }
            } catch (InvalidPathException e) {
                // A malformed PATH entry holds no executable; look at the others.
            }
        }
        return false;
    }

    /**
     * Lets the test run if some Redis is available.
     *
     * @throws IllegalStateException with {@code CI=true} if none is, naming the ways to get one
     * @throws org.opentest4j.TestAbortedException otherwise, with the same message
     */
    void requireAnyRedis() {
        if (source == Source.NONE) {
            missing("No Redis for tests: REDIS_URL is unset, Docker is not available and redis-server is not on the"
                    + " PATH");
        }
    }

    /**
     * Lets the test run if {@code redis-server} processes can be started, which {@code need} requires.
     *
     * @param need what the test asked for, for the message: {@code "a @Dedicated RedisServer"}
     * @throws IllegalStateException with {@code CI=true} if they cannot, naming the ways to get them
     * @throws org.opentest4j.TestAbortedException otherwise, with the same message
     */
    void requireProcesses(String need) {
        if (!canSpawnProcesses) {
            missing(need + " needs redis-server processes, but redis-server is not on the PATH (REDIS_URL and"
                    + " Docker provide only the shared server)");
        }
    }

    /** Describes the decision in a line, for the log; never shows credentials from {@code REDIS_URL}. */
    String describe() {
        String shared = switch (source) {
            case REDIS_URL -> "REDIS_URL (host " + redisUrl.orElseThrow().getHost() + ")";
            case CONTAINER -> "a Testcontainers redis:7.0 container";
            case PROCESS -> "a redis-server process";
            case NONE -> "nowhere";
        };
        return "shared Redis server from " + shared + "; dedicated servers and cluster from "
                + (canSpawnProcesses ? "redis-server processes" : "nowhere (redis-server is not on the PATH)");
    }

    private void missing(String problem) {
        String message = problem + ". To get Redis: " + HOW_TO_GET_REDIS + ".";
        if (failWhenMissing) {
            throw new IllegalStateException(message + " (CI=true, so this fails instead of skipping.)");
        }
        Assumptions.abort(message + " (Aborted; under CI=true this would fail.)");
    }

    private static URI parseRedisUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("REDIS_URL must look like redis://host:port, was '" + url + "'", e);
        }
        boolean redisScheme = "redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme());
        if (!redisScheme || uri.getHost() == null) {
            throw new IllegalArgumentException("REDIS_URL must look like redis://host:port, was '" + url + "'");
        }
        return uri;
    }
}
