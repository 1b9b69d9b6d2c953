package dev.cachet.testing.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A primary with one replica under three Redis Sentinels, each a {@code redis-server} process on loopback (the
 * Sentinels started as {@code redis-server <config> --sentinel}), resolved by {@link RedisExtension} for {@code
 * RedisSentinel} parameters: one shared by the run (flushed before each test class), or with {@link Dedicated} one of
 * the scope's own, which a test may break.
 *
 * <p>Everything asks for a password. The data nodes know the ACL user {@link #user()}, with every command and key,
 * and a {@code replicator} user the replica authenticates as; the Sentinels know {@link #sentinelUser()}, which they
 * also use among themselves. Without credentials, both answer only {@code PING} and {@code INFO}. Sentinels declare
 * the primary down after {@value #DOWN_AFTER_MILLIS} ms without an answer, so that a {@link RedisServer#kill() killed}
 * primary is replaced within a few seconds; {@link #awaitPrimaryOtherThan} waits for that.
 *
 * <p>Returned once the replica is in sync with the primary and every Sentinel knows the replica and the two other
 * Sentinels. Thread-safe.
 */
public final class RedisSentinel {
    /** How long Sentinels wait for a silent primary before they declare it down. */
    public static final int DOWN_AFTER_MILLIS = 1_000;

    private static final String MASTER_NAME = "cachet-primary";
    private static final String USER = "cachet";
    private static final String PASSWORD = "cachet-s3cret";
    private static final String REPLICATION_USER = "replicator";
    private static final String REPLICATION_PASSWORD = "replicator-s3cret";
    private static final String SENTINEL_USER = "sentinel-admin";
    private static final String SENTINEL_PASSWORD = "sentinel-s3cret";
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;
    private static final int FAILOVER_TIMEOUT_MILLIS = 5_000;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern REPLICA_STATE =
            Pattern.compile("^slave0:.*state=(\\w+),offset=(\\d+)", Pattern.MULTILINE);
    private static final Pattern MASTER_OFFSET = Pattern.compile("^master_repl_offset:(\\d+)", Pattern.MULTILINE);

    private final List<RedisProcess> dataNodes;
    private final List<RedisProcess> sentinelProcesses;
    private final Set<HostAndPort> sentinels;

    private RedisSentinel(List<RedisProcess> dataNodes, List<RedisProcess> sentinelProcesses) {
        this.dataNodes = List.copyOf(dataNodes);
        this.sentinelProcesses = List.copyOf(sentinelProcesses);
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        sentinelProcesses.forEach(sentinel -> addresses.add(address(sentinel)));
        this.sentinels = Collections.unmodifiableSet(addresses);
    }

    /**
     * Starts the primary, the replica and, once the replica is in sync, the Sentinels; returns when every Sentinel
     * knows the replica and its two peers. On failure every started process is stopped again.
     */
    static RedisSentinel start(Path workDir) {
        List<RedisProcess> started = new ArrayList<>();
        try {
            RedisProcess primary = RedisProcess.start(
                    workDir, RedisProcess.Mode.STANDALONE, port -> dataNodeConfig(Optional.empty()), dataConfig());
            started.add(primary);
            RedisProcess replica = RedisProcess.start(
                    workDir, RedisProcess.Mode.STANDALONE, port -> dataNodeConfig(Optional.of(primary)), dataConfig());
            started.add(replica);
            List<RedisProcess> sentinelProcesses = new ArrayList<>();
            awaitInSync(primary);
            for (int i = 0; i < SENTINELS; i++) {
                RedisProcess sentinel = RedisProcess.start(
                        workDir, RedisProcess.Mode.SENTINEL, port -> sentinelConfig(primary), sentinelConfig());
                started.add(sentinel);
                sentinelProcesses.add(sentinel);
            }
            RedisSentinel topology = new RedisSentinel(List.of(primary, replica), sentinelProcesses);
            topology.awaitSentinelsReady();
            return topology;
        } catch (RuntimeException e) {
            started.forEach(RedisProcess::close);
            throw e;
        }
    }

    /** Returns the name the Sentinels monitor the primary under. */
    public String masterName() {
        return MASTER_NAME;
    }

    /** Returns the Sentinels' addresses, in a stable order. */
    public Set<HostAndPort> sentinels() {
        return sentinels;
    }

    /** Returns the ACL user that may run every command on the data nodes. */
    public String user() {
        return USER;
    }

    /** Returns the password of {@link #user()}. */
    public String password() {
        return PASSWORD;
    }

    /** Returns the ACL user of the Sentinels themselves. */
    public String sentinelUser() {
        return SENTINEL_USER;
    }

    /** Returns the password of {@link #sentinelUser()}. */
    public String sentinelPassword() {
        return SENTINEL_PASSWORD;
    }

    /** Returns the ACL user the replica authenticates to its primary as, so a test can cut replication. */
    public String replicationUser() {
        return REPLICATION_USER;
    }

    /** Returns a client configuration for the data nodes, with {@link #user()} and short timeouts. */
    public JedisClientConfig clientConfig() {
        return dataConfig();
    }

    /** Returns the two data nodes, the first-started primary first; a test may kill them. */
    public List<RedisServer> dataNodes() {
        return List.copyOf(dataNodes);
    }

    /**
     * Returns the address of the primary as the first Sentinel that answers names it now.
     *
     * @throws IllegalStateException if no Sentinel answers
     */
    public HostAndPort primaryAddress() {
        JedisException last = null;
        for (RedisProcess sentinel : sentinelProcesses) {
            try (Jedis jedis = sentinel.connect()) {
                List<String> address = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
                return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
            } catch (JedisException e) {
                last = e;
            }
        }
        throw new IllegalStateException("No Sentinel of " + this + " answered", last);
    }

    /** Returns the data node Sentinel names the primary now. */
    public RedisServer primary() {
        return dataNode(primaryAddress());
    }

    /**
     * Waits until every Sentinel names a primary other than {@code old} and returns its address: after the old one
     * was killed, that takes about {@link #DOWN_AFTER_MILLIS} plus one or two seconds.
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}
     */
    public HostAndPort awaitPrimaryOtherThan(HostAndPort old, Duration timeout) {
        RedisProbe.await(
                timeout,
                () -> sentinelProcesses.stream().allMatch(sentinel -> {
                    try (Jedis jedis = sentinel.connect()) {
                        List<String> address = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
                        return !new HostAndPort(address.get(0), Integer.parseInt(address.get(1))).equals(old);
                    } catch (JedisException e) {
                        return false;
                    }
                }),
                () -> "Sentinels still name " + old + " the primary after " + timeout);
        return primaryAddress();
    }

    /**
     * Deletes every key on the primary, and waits until the replica has the deletion too.
     *
     * @throws redis.clients.jedis.exceptions.JedisConnectionException if the primary is not running
     */
    public void flushAll() {
        RedisProcess primary = dataNode(primaryAddress());
        primary.flushAll();
        awaitInSync(primary);
    }

    /** Checks the topology is whole (nothing killed), then flushes it: a clean slate for the next class. */
    void reset() {
        List<RedisProcess> all = new ArrayList<>(dataNodes);
        all.addAll(sentinelProcesses);
        for (RedisProcess process : all) {
            if (!process.isRunning()) {
                throw new IllegalStateException(process + " of the shared " + this
                        + " was stopped by a test; tests that kill a node ask for a @Dedicated RedisSentinel");
            }
        }
        flushAll();
    }

    /** Stops every process and deletes its files; Sentinels first, so they do not fail over meanwhile. */
    void stop() {
        sentinelProcesses.forEach(RedisProcess::close);
        dataNodes.forEach(RedisProcess::close);
    }

    @Override
    public String toString() {
        return "Redis Sentinel '" + MASTER_NAME + "' " + sentinels + " over "
                + dataNodes.stream().map(RedisSentinel::address).toList();
    }

    private RedisProcess dataNode(HostAndPort address) {
        return dataNodes.stream()
                .filter(node -> address(node).equals(address))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Sentinel names " + address + ", not a node of " + this));
    }

    private void awaitSentinelsReady() {
        RedisProbe.await(
                READY_TIMEOUT,
                () -> sentinelProcesses.stream().allMatch(RedisSentinel::knowsEverything),
                () -> "Sentinels not ready after " + READY_TIMEOUT + ": " + sentinelStates());
    }

    private static boolean knowsEverything(RedisProcess sentinel) {
        try (Jedis jedis = sentinel.connect()) {
            Map<String, String> master = jedis.sentinelMaster(MASTER_NAME);
            if (!"master".equals(master.get("flags"))
                    || !String.valueOf(SENTINELS - 1).equals(master.get("num-other-sentinels"))) {
                return false;
            }
            List<Map<String, String>> replicas = jedis.sentinelReplicas(MASTER_NAME);
            return replicas.size() == 1 && "slave".equals(replicas.get(0).get("flags"));
        } catch (JedisException e) {
            return false;
        }
    }

    private String sentinelStates() {
        List<String> states = new ArrayList<>();
        for (RedisProcess sentinel : sentinelProcesses) {
            try (Jedis jedis = sentinel.connect()) {
                Map<String, String> master = jedis.sentinelMaster(MASTER_NAME);
                states.add(address(sentinel) + " flags=" + master.get("flags") + " other-sentinels="
                        + master.get("num-other-sentinels") + " replicas=" + jedis.sentinelReplicas(MASTER_NAME));
            } catch (JedisException e) {
                states.add(address(sentinel) + " (no answer: " + e.getMessage() + ")");
            }
        }
        return String.join("; ", states);
    }

    /** Waits until {@code primary}'s replica is online and has every byte of its replication stream. */
    private static void awaitInSync(RedisProcess primary) {
        RedisProbe.await(
                READY_TIMEOUT,
                () -> isInSync(primary),
                () -> "Replica of " + primary + " not in sync after " + READY_TIMEOUT);
    }

    private static boolean isInSync(RedisProcess primary) {
        try (Jedis jedis = primary.connect()) {
            String info = jedis.info("replication");
            Matcher replica = REPLICA_STATE.matcher(info);
            Matcher offset = MASTER_OFFSET.matcher(info);
            return replica.find()
                    && offset.find()
                    && replica.group(1).equals("online")
                    && replica.group(2).equals(offset.group(1));
        } catch (JedisException e) {
            return false;
        }
    }

    private static List<String> dataNodeConfig(Optional<RedisProcess> primary) {
        List<String> lines = new ArrayList<>(List.of(
                // Without credentials only what the fixtures' probes need.
                "user default on nopass -@all +ping +info",
                "user " + USER + " on >" + PASSWORD + " ~* &* +@all",
                "user " + REPLICATION_USER + " on >" + REPLICATION_PASSWORD + " +psync +replconf +ping",
                // Either node may be a replica after a failover.
                "masteruser " + REPLICATION_USER,
                "masterauth " + REPLICATION_PASSWORD,
                // Start the first sync at once, not five seconds later.
                "repl-diskless-sync-delay 0"));
        primary.ifPresent(node -> lines.add("replicaof " + RedisProcess.HOST + " " + node.port()));
        return lines;
    }

    private static List<String> sentinelConfig(RedisProcess primary) {
        return List.of(
                "user default on nopass -@all +ping +info",
                "user " + SENTINEL_USER + " on >" + SENTINEL_PASSWORD + " ~* &* +@all",
                "sentinel sentinel-user " + SENTINEL_USER,
                "sentinel sentinel-pass " + SENTINEL_PASSWORD,
                "sentinel monitor " + MASTER_NAME + " " + RedisProcess.HOST + " " + primary.port() + " " + QUORUM,
                "sentinel auth-user " + MASTER_NAME + " " + USER,
                "sentinel auth-pass " + MASTER_NAME + " " + PASSWORD,
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
                "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS,
                "sentinel parallel-syncs " + MASTER_NAME + " 1");
    }

    private static JedisClientConfig dataConfig() {
        return credentials(USER, PASSWORD);
    }

    private static JedisClientConfig sentinelConfig() {
        return credentials(SENTINEL_USER, SENTINEL_PASSWORD);
    }

    private static JedisClientConfig credentials(String user, String password) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(500)
                .socketTimeoutMillis(2_000)
                .user(user)
                .password(password)
                .build();
    }

    private static HostAndPort address(RedisProcess process) {
        return new HostAndPort(process.host(), process.port());
    }
}
