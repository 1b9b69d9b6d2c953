package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.NearStats;
import dev.cachet.testing.redis.Dedicated;
import dev.cachet.testing.redis.RedisCluster;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Round trips of the bulk operations on 100 keys, counted from {@code INFO commandstats} deltas, never timed.
 *
 * <p>Commands run inside a script ({@code GET}, {@code SET}...) are counted by Redis too, so a round trip is a
 * top-level command: {@code MGET} (the bulk read), {@code EVALSHA}, {@code EVAL} or {@code PUBLISH} (the scripts Cachet
 * runs, and the invalidation message). On a standalone server Cachet sends one such command per round trip (one
 * command for up to 1,000 keys), and no script there runs {@code MGET}; on a Cluster it sends one command per hash-slot
 * group (every key is its own hash tag), all groups of a node in one pipeline, so a phase takes one round trip per
 * node, and the script that reads keys without a fence again runs {@code MGET} inside, so there only scripts are
 * counted as commands. Every script is loaded on each server before the counting starts, so that no {@code NOSCRIPT}
 * retry is counted.
 *
 * <p>Commands alone cannot tell a pipeline from one command after the other, so the server's socket reads are counted
 * as well: {@code total_reads_processed} of {@code INFO stats}, less the two {@code INFO} calls of the count itself.
 * Each round trip takes at least one read, and a request over 16 KB more than one, so reads bound round trips from
 * above. On the Cluster, with remote-only caches (no subscriber pings meanwhile), they are asserted per node.
 */
@RedisTest
@Timeout(60)
class BulkRoundTripTest {
    private static final int KEYS = 100;
    private static final Duration TTL = Duration.ofMinutes(5);
    /** Commands scripts run inside, and background commands (heartbeat, INFO itself, Cluster topology). */
    private static final Set<String> NOT_ROUND_TRIPS = Set.of(
            "get",
            "set",
            "incr",
            "pexpire",
            "pttl",
            "exists",
            "time",
            "unlink",
            "strlen",
            "del",
            "ping",
            "info",
            "cluster",
            "command",
            "client",
            "hello",
            "subscribe",
            "unsubscribe",
            "script");
    /** On a Cluster the read script runs {@code MGET} too, so only scripts (and messages) count. */
    private static final Set<String> NOT_SCRIPTS = union(NOT_ROUND_TRIPS, Set.of("mget"));

    private final List<RedisTier> tiers = new ArrayList<>();

    @AfterEach
    void close() {
        tiers.forEach(RedisTier::close);
    }

    @Test
    void standalone(@Dedicated RedisServer redis) {
        RedisTier tier = track(RedisTier.connect(redis.uri()));
        RedisTier other = track(RedisTier.connect(redis.uri()));
        List<Jedis> nodes = List.of(new Jedis(redis.host(), redis.port()));
        try {
            Map<String, List<Long>> remoteReads = new LinkedHashMap<>();
            Map<String, List<Long>> nearReads = new LinkedHashMap<>();
            Map<String, Long> remote = measure(
                    "remote",
                    cache(tier, "remote", false),
                    cache(other, "remote", false),
                    nodes,
                    new LinkedHashMap<>(),
                    remoteReads,
                    NOT_ROUND_TRIPS);
            Map<String, Long> near = measure(
                    "near",
                    cache(tier, "near", true),
                    cache(other, "near", true),
                    nodes,
                    new LinkedHashMap<>(),
                    nearReads,
                    NOT_ROUND_TRIPS);
            System.out.println("[bulk] standalone round trips per operation on " + KEYS + " keys: remote " + remote
                    + ", near " + near + "; socket reads: remote " + remoteReads + ", near " + nearReads);
            assertThat(remote)
                    .containsEntry("getAll none present", 2L)
                    .containsEntry("getAll half present", 2L)
                    .containsEntry("getAll all present", 1L)
                    .containsEntry("putAll", 1L)
                    .containsEntry("invalidateAll(keys)", 1L);
            assertThat(near)
                    .containsEntry("getAll none present", 2L)
                    .containsEntry("getAll half present", 2L)
                    .containsEntry("getAll all present", 1L)
                    .containsEntry("getAll all present, near warm", 0L)
                    // the batch announced ahead, the script and one invalidation message
                    .containsEntry("putAll", 3L)
                    .containsEntry("invalidateAll(keys)", 3L);
        } finally {
            nodes.forEach(Jedis::close);
        }
    }

    @Test
    void cluster(RedisCluster cluster) {
        RedisTier tier = track(RedisTier.cluster(cluster.nodes(), RedisTierConfig.defaults()));
        RedisTier other = track(RedisTier.cluster(cluster.nodes(), RedisTierConfig.defaults()));
        List<Jedis> nodes = new ArrayList<>();
        cluster.masters().forEach(master -> nodes.add(new Jedis(master.host(), master.port())));
        try {
            String name = "remote-" + System.nanoTime();
            KeyLayout layout = ((RedisStore) tier.store(name)).layout();
            Set<Integer> slots = new HashSet<>();
            keys(0, KEYS).forEach(key -> slots.add(JedisClusterCRC16.getSlot(layout.valueKey("s:" + key))));
            Map<String, List<Long>> perNode = new LinkedHashMap<>();
            Map<String, List<Long>> readsPerNode = new LinkedHashMap<>();
            Map<String, Long> remote = measure(
                    "remote",
                    cache(tier, name, false),
                    cache(other, name, false),
                    nodes,
                    perNode,
                    readsPerNode,
                    NOT_SCRIPTS);
            System.out.println("[bulk] Cluster (" + nodes.size() + " masters), " + KEYS + " keys in " + slots.size()
                    + " hash-slot groups: scripts per operation " + remote + "; per master " + perNode
                    + "; round trips (socket reads) per master " + readsPerNode);
            // A request over 16 KB (a node's share of the writes) is read in more than one read, so reads bound round
            // trips from above: a few per node and phase, against one per slot group (30 and more) without pipelines.
            // Keys never seen take three round trips: the MGET, the script that creates their fences, the write; so
            // those phases may take up to two reads per round trip.
            Set<String> threeTrips = Set.of("getAll none present", "getAll half present");
            readsPerNode.forEach((phase, reads) -> assertThat(reads)
                    .as(phase)
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(threeTrips.contains(phase) ? 6 : 3)));
            assertThat(readsPerNode.get("getAll all present"))
                    .allSatisfy(n -> assertThat(n).isEqualTo(1));
            // One script per slot group and phase; each node gets its groups in one pipeline. Present keys are read
            // with MGET alone.
            assertThat(remote)
                    .containsEntry("getAll none present", 2L * slots.size())
                    .containsEntry("getAll all present", 0L)
                    .containsEntry("putAll", (long) slots.size())
                    .containsEntry("invalidateAll(keys)", (long) slots.size());
            assertThat(perNode.get("getAll all present"))
                    .as("no script reads present keys")
                    .hasSize(nodes.size())
                    .allSatisfy(n -> assertThat(n).isZero());
        } finally {
            nodes.forEach(Jedis::close);
        }
    }

    private RedisTier track(RedisTier tier) {
        tiers.add(tier);
        return tier;
    }

    private static Cache<String, String> cache(RedisTier tier, String name, boolean near) {
        var builder = Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(TTL)
                .remote(tier, Codec.string());
        return near ? builder.nearCache(10_000, TTL).build() : builder.build();
    }

    /**
     * Counts the round trips of each bulk operation of {@code cache} on 100 keys; {@code other}, another process on
     * the same cache, writes the keys that must be present without filling {@code cache}'s near tier.
     */
    private static Map<String, Long> measure(
            String kind,
            Cache<String, String> cache,
            Cache<String, String> other,
            List<Jedis> nodes,
            Map<String, List<Long>> perNode,
            Map<String, List<Long>> readsPerNode,
            Set<String> notRoundTrips) {
        long heardBefore = heard(cache);
        // Load every script on every server, through the operations themselves.
        cache.getAll(keys(1_000, 1_010), BulkRoundTripTest::load);
        cache.putAll(values(keys(1_000, 1_010), "w"));
        cache.invalidateAll(keys(1_000, 1_010));
        other.putAll(values(keys(1_000, 1_010), "w"));
        other.invalidateAll(keys(1_000, 1_010));

        Map<String, Long> trips = new LinkedHashMap<>();
        List<String> fresh = keys(0, KEYS);
        trips.put(
                "getAll none present", count(nodes, notRoundTrips, perNode, readsPerNode, "getAll none present", () -> {
                    Map<String, String> all = cache.getAll(fresh, BulkRoundTripTest::load);
                    assertThat(all).hasSize(KEYS);
                }));
        other.putAll(values(keys(KEYS, KEYS + KEYS / 2), "v"));
        List<String> half = keys(KEYS, KEYS * 2);
        trips.put(
                "getAll half present", count(nodes, notRoundTrips, perNode, readsPerNode, "getAll half present", () -> {
                    assertThat(cache.getAll(half, BulkRoundTripTest::load)).hasSize(KEYS);
                }));
        List<String> present = keys(KEYS * 2, KEYS * 3);
        other.putAll(values(present, "v"));
        // Other's messages arrive on their own; one that came after the read below would drop the copies it fills,
        // and the near-warm read would go to Redis. So wait for every key other wrote or invalidated so far.
        awaitHeard(cache, heardBefore + 20 + KEYS / 2 + KEYS);
        trips.put("getAll all present", count(nodes, notRoundTrips, perNode, readsPerNode, "getAll all present", () -> {
            assertThat(cache.getAll(present, keys -> Map.of())).hasSize(KEYS);
        }));
        if (cache.nearStats().isPresent()) {
            trips.put(
                    "getAll all present, near warm",
                    count(nodes, notRoundTrips, perNode, readsPerNode, "near warm", () -> {
                        assertThat(cache.getAll(present, keys -> Map.of())).hasSize(KEYS);
                    }));
        }
        List<String> written = keys(KEYS * 3, KEYS * 4);
        trips.put(
                "putAll",
                count(nodes, notRoundTrips, perNode, readsPerNode, "putAll", () -> cache.putAll(values(written, "p"))));
        trips.put(
                "invalidateAll(keys)",
                count(
                        nodes,
                        notRoundTrips,
                        perNode,
                        readsPerNode,
                        "invalidateAll(keys)",
                        () -> cache.invalidateAll(written)));
        assertThat(other.getAll(written, keys -> Map.of()))
                .as("invalidated everywhere")
                .isEmpty();
        return trips;
    }

    /** Returns how many keys {@code cache}'s near tier heard invalidated by other processes; 0 without one. */
    private static long heard(Cache<String, String> cache) {
        return cache.nearStats().map(NearStats::invalidationsReceived).orElse(0L);
    }

    /** Waits until a near cache has heard {@code keys} keys invalidated by other processes; returns at once otherwise. */
    private static void awaitHeard(Cache<String, String> cache, long keys) {
        if (cache.nearStats().isPresent()) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> heard(cache) >= keys);
        }
    }

    /** Returns the round trips {@code operation} took on all nodes, recording each node's share. */
    private static long count(
            List<Jedis> nodes,
            Set<String> notRoundTrips,
            Map<String, List<Long>> perNode,
            Map<String, List<Long>> readsPerNode,
            String name,
            Runnable operation) {
        List<Map<String, Long>> before = new ArrayList<>();
        List<Long> readsBefore = new ArrayList<>();
        nodes.forEach(node -> readsBefore.add(readsProcessed(node)));
        nodes.forEach(node -> before.add(commandCalls(node)));
        operation.run();
        List<Long> reads = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            // Less the INFO commandstats call before the operation and this INFO stats call.
            reads.add(readsProcessed(nodes.get(i)) - readsBefore.get(i) - 2);
        }
        readsPerNode.put(name, reads);
        long total = 0;
        List<Long> shares = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Map<String, Long> after = commandCalls(nodes.get(i));
            long share = 0;
            for (Map.Entry<String, Long> command : after.entrySet()) {
                if (!notRoundTrips.contains(command.getKey())) {
                    share += command.getValue() - before.get(i).getOrDefault(command.getKey(), 0L);
                }
            }
            shares.add(share);
            total += share;
        }
        perNode.put(name, shares);
        return total;
    }

    /** Returns {@code total_reads_processed} from {@code INFO stats}: the reads of client sockets. */
    static long readsProcessed(Jedis node) {
        for (String line : node.info("stats").split("\r?\n")) {
            if (line.startsWith("total_reads_processed:")) {
                return Long.parseLong(
                        line.substring("total_reads_processed:".length()).trim());
            }
        }
        throw new IllegalStateException("no total_reads_processed in INFO stats");
    }

    /** Returns the calls of each command from {@code INFO commandstats}, by lower-case name. */
    static Map<String, Long> commandCalls(Jedis node) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : node.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int from = line.indexOf("calls=") + "calls=".length();
                calls.put(name, Long.parseLong(line.substring(from, line.indexOf(',', from))));
            }
        }
        return calls;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        return Set.copyOf(union);
    }

    private static Map<String, String> load(Set<? extends String> keys) {
        Map<String, String> loaded = new LinkedHashMap<>();
        keys.forEach(key -> loaded.put(key, "loaded-" + key));
        return loaded;
    }

    private static List<String> keys(int from, int to) {
        List<String> keys = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add("k" + i);
        }
        return keys;
    }

    private static Map<String, String> values(List<String> keys, String prefix) {
        Map<String, String> values = new LinkedHashMap<>();
        keys.forEach(key -> values.put(key, prefix + key));
        return values;
    }
}
