package dev.cachet.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Redis Cluster of three masters without replicas, each a {@code redis-server} process on loopback, resolved by
 * {@link RedisExtension} for {@code RedisCluster} parameters. One cluster serves the whole test run: it is created
 * the first time a test asks for it, flushed (and healed, if a test left a master stopped) before each test class,
 * and stopped at the end of the run.
 *
 * <p>Connect with {@code RedisClusterClient.create(cluster.nodes())}. Tests may {@link RedisServer#kill() kill} and
 * {@link RedisServer#restart() restart} a master to simulate an outage: without replicas, the cluster reports {@code
 * cluster_state:fail} until the master is back; call {@link #awaitStateOk()} after a restart before using it again.
 *
 * <p>Thread-safe.
 */
public final class RedisCluster {
    private static final int MASTERS = 3;
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);
    // A restarted master waits about twice the node timeout before it serves again, hence the generous bound.
    private static final Duration STATE_OK_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisProcess> masters;
    private final Set<HostAndPort> nodes;

    private RedisCluster(List<RedisProcess> masters) {
        this.masters = List.copyOf(masters);
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        masters.forEach(master -> addresses.add(new HostAndPort(master.host(), master.port())));
        this.nodes = Collections.unmodifiableSet(addresses);
    }

    /**
     * Starts three cluster-enabled servers, joins them with {@code redis-cli --cluster create} and returns once
     * every node reports {@code cluster_state:ok}. On failure every started process is stopped again.
     */
    static RedisCluster start(Path workDir) {
        List<RedisProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                started.add(RedisProcess.start(workDir, RedisProcess.Mode.CLUSTER_NODE));
            }
            createCluster(started, workDir);
            RedisCluster cluster = new RedisCluster(started);
            cluster.awaitStateOk();
            return cluster;
        } catch (RuntimeException e) {
            started.forEach(RedisProcess::close);
            throw e;
        }
    }

    /** Returns the address of every node, in a stable order; the seed set for a cluster client. */
    public Set<HostAndPort> nodes() {
        return nodes;
    }

    /** Returns the masters, each a server tests may kill and restart (the cluster fails while one is down). */
    public List<RedisServer> masters() {
        return List.copyOf(masters);
    }

    /**
     * Deletes every key on every master.
     *
     * @throws redis.clients.jedis.exceptions.JedisConnectionException if a master is not running
     */
    public void flushAll() {
        masters.forEach(RedisProcess::flushAll);
    }

    /**
     * Waits until every node reports {@code cluster_state:ok} and knows all three nodes: after a master's restart,
     * that takes a few seconds.
     *
     * @throws IllegalStateException if that does not happen within 30 seconds, or a master is stopped
     */
    public void awaitStateOk() {
        for (RedisProcess master : masters) {
            if (!master.isRunning()) {
                throw new IllegalStateException("Cluster cannot become ok while " + master + " is stopped");
            }
        }
        RedisProbe.await(
                STATE_OK_TIMEOUT,
                this::isStateOk,
                () -> "Redis Cluster not ok after " + STATE_OK_TIMEOUT + ": " + stateSummary());
    }

    /** Restarts any master a test left stopped, waits for the cluster to be ok and flushes it: a clean slate. */
    void reset() {
        for (RedisProcess master : masters) {
            if (!master.isRunning()) {
                master.restart();
            }
        }
        awaitStateOk();
        flushAll();
    }

    /** Stops every node and deletes its files. */
    void stop() {
        masters.forEach(RedisProcess::close);
    }

    @Override
    public String toString() {
        return "Redis Cluster " + nodes;
    }

    private boolean isStateOk() {
        for (RedisProcess master : masters) {
            String info = clusterInfo(master);
            if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + MASTERS)) {
                return false;
            }
        }
        return true;
    }

    private String stateSummary() {
        List<String> states = new ArrayList<>();
        for (RedisProcess master : masters) {
            List<String> interesting = new ArrayList<>();
            for (String line : clusterInfo(master).split("\\R", -1)) {
                if (line.startsWith("cluster_state:") || line.startsWith("cluster_known_nodes:")) {
                    interesting.add(line.strip());
                }
            }
            states.add(master.host() + ":" + master.port() + " " + interesting);
        }
        return String.join(", ", states);
    }

    private static String clusterInfo(RedisProcess node) {
        try (var jedis = RedisProbe.connect(node.connectionUri())) {
            return jedis.clusterInfo();
        } catch (JedisException e) {
            return "(no answer: " + e.getMessage() + ")";
        }
    }

    private static void createCluster(List<RedisProcess> nodes, Path workDir) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(node -> command.add(node.host() + ":" + node.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path log = workDir.resolve("cluster-create-" + nodes.get(0).port() + ".log");
        Process cli;
        try {
            cli = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run redis-cli (it comes with redis-server; is it on the PATH?)", e);
        }
        try {
            if (!cli.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                cli.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
                        + CREATE_TIMEOUT + "\n" + RedisProbe.tail(log, RedisProbe.LOG_TAIL_LINES));
            }
        } catch (InterruptedException e) {
            cli.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the Redis Cluster", e);
        }
        if (cli.exitValue() != 0) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' exited with code " + cli.exitValue()
                    + "\n" + RedisProbe.tail(log, RedisProbe.LOG_TAIL_LINES));
        }
    }
}
