package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * One cache's keys in Redis, laid out by {@link KeyLayout}: a Lua script ({@link LuaScript}) per operation on a key, so
 * that a value, its lock and its fence (the counter behind leases) change in one atomic step; {@code SCAN} and a
 * script that unlinks values and changes fences, on every master, for {@link #deleteAll()}. Every key it writes has a
 * time to live. Every Jedis failure becomes a {@link CacheUnavailableException} naming the cache and the operation.
 *
 * <p>Thread-safe: it holds no mutable state; Jedis pools the connections.
 */
final class RedisStore implements RemoteStore {
    /** The longest time to live or lease accepted; Redis's own limit is far above it. */
    static final Duration MAX_TTL = Duration.ofDays(365L * 100);

    /**
     * The shortest time a fence key outlives the last write, delete or lock of its key; see {@link
     * #fenceTtlMillis(long)}. A load whose lease is older than this may write over a value that replaced it after its
     * fence expired; no load takes an hour.
     */
    static final Duration MIN_FENCE_TTL = Duration.ofHours(1);

    private static final byte[] FENCE_TTL = utf8(Long.toString(MIN_FENCE_TTL.toMillis()));

    private static final Logger logger = LoggerFactory.getLogger(RedisStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SCAN_COUNT = 1_000;
    /** The most keys one {@link LuaScript#DELETE_ALL} call touches, so that it blocks Redis only briefly. */
    private static final int SWEEP_BATCH = 500;

    private final RedisTier tier;
    private final String cacheName;
    private final KeyLayout layout;

    RedisStore(RedisTier tier, String cacheName, KeyLayout layout) {
        this.tier = tier;
        this.cacheName = cacheName;
        this.layout = layout;
    }

    @Override
    public String cacheName() {
        return cacheName;
    }

    /** Returns where this cache's keys live. */
    KeyLayout layout() {
        return layout;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One round trip: a script asks {@code STRLEN} before {@code GET}, and answers with the length alone when it is
     * over {@code maxBytes}, so an oversized value never leaves Redis; the same script reads the fence and whether the
     * lock key exists (they share the value's slot). Its cost over a plain {@code GET} is an {@code EVALSHA} and three
     * O(1) commands, and on a miss one more. A key that has no fence gets one (which lives at least {@link
     * #MIN_FENCE_TTL}), so that every lease handed out is a fence {@link #deleteAll()} can find and change; a miss
     * extends its fence to live that long, so that a load's lease does not expire before the load ends.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    @Override
    public Lookup lookup(String key, long maxBytes) {
        requireNonNull(key, "key");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(layout.lockKey(key)), utf8(layout.fenceKey(key)));
        List<byte[]> args = List.of(utf8(Long.toString(maxBytes)), FENCE_TTL);
        Object reply = call("get", client -> LuaScript.LOOKUP.call(client, keys, args));
        if (reply instanceof List<?> parts
                && parts.size() == 3
                && parts.get(1) instanceof byte[] fence
                && parts.get(2) instanceof Long locked) {
            long lease = Long.parseLong(new String(fence, StandardCharsets.US_ASCII));
            Object found = parts.get(0);
            if (found instanceof byte[] value) {
                return Lookup.hit(value, lease, locked == 1);
            }
            if (found instanceof Long length) {
                return length < 0 ? Lookup.miss(lease, locked == 1) : Lookup.oversized(length, lease, locked == 1);
            }
        }
        throw new IllegalStateException("script " + LuaScript.LOOKUP + " replied " + reply);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code GETRANGE key 0 maxBytes}: a plain command (no script, so the hit of a {@code get} costs Redis what a
     * {@code GET} does), which reads at most one byte more than the limit, so that a longer value is never sent whole.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public Optional<byte[]> peek(String key, long maxBytes) {
        requireNonNull(key, "key");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        byte[] valueKey = utf8(layout.valueKey(key));
        long end = maxBytes == Long.MAX_VALUE ? -1 : maxBytes; // -1: to the end
        byte[] found = call("get", client -> client.getrange(valueKey, 0, end));
        return found == null || found.length == 0 || found.length > maxBytes ? Optional.empty() : Optional.of(found);
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code ttl} is not positive or exceeds 100 years
     */
    @Override
    public void put(String key, byte[] value, Duration ttl) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        long ttlMillis = millis("ttl", ttl);
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(layout.fenceKey(key)));
        List<byte[]> args = List.of(value, utf8(Long.toString(ttlMillis)), FENCE_TTL);
        call("put", client -> LuaScript.PUT.run(client, keys, args));
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code ttl} is not positive or exceeds 100 years
     */
    @Override
    public boolean putIfUnchanged(String key, byte[] value, Duration ttl, long lease) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        long ttlMillis = millis("ttl", ttl);
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(layout.fenceKey(key)));
        List<byte[]> args = List.of(utf8(Long.toString(lease)), value, utf8(Long.toString(ttlMillis)), FENCE_TTL);
        return call("putIfUnchanged", client -> LuaScript.PUT_IF_UNCHANGED.run(client, keys, args) == 1);
    }

    @Override
    public void delete(String key) {
        requireNonNull(key, "key");
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(layout.fenceKey(key)));
        call("delete", client -> LuaScript.DELETE.run(client, keys, List.of(FENCE_TTL)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Compares by SHA-1 inside Redis, so the bytes do not travel twice.
     *
     * @throws NullPointerException if an argument is null
     */
    @Override
    public OptionalLong deleteIfUnchanged(String key, byte[] expected) {
        requireNonNull(key, "key");
        requireNonNull(expected, "expected");
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(layout.fenceKey(key)));
        List<byte[]> args = List.of(LuaScript.sha1Hex(expected), FENCE_TTL);
        long fence = call("deleteIfUnchanged", client -> LuaScript.DELETE_IF_UNCHANGED.run(client, keys, args));
        return fence < 0 ? OptionalLong.empty() : OptionalLong.of(fence);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Walks the keyspace with {@code SCAN ... MATCH} (never {@code KEYS}) on the server, or on every master of a
     * Cluster, for this cache's value and fence keys, and in batches of one script ({@link LuaScript#DELETE_ALL})
     * unlinks the values and changes the fences, each fence together with its value. Locks stay (they expire with
     * their lease), but their holders' fencing tokens are revoked like every other lease.
     *
     * <p>Why no lease handed out before this call can write after it: every lease is a fence key, since {@link
     * #lookup} creates the fence it reads and a lock changes (so creates) it. A fence present from before the walk to
     * its end is returned by {@code SCAN}, which guarantees it for every key present during the whole iteration; its
     * batch then unlinks the value and changes the fence in one atomic step, so a write with an older lease either
     * came before that step, and is unlinked, or comes after it, and is refused. A fence that expires meanwhile
     * refuses its leases anyway (it reads as 0, or starts again at the server's clock). A lease handed out during the
     * walk may go unrevoked, and so may a value written with it, but such a lease belongs to a load that began after
     * this call did: if the caller updated the source of truth before calling, that load read the update.
     *
     * <p>On a Cluster it visits every node, even when some cannot be reached, so that one unreachable node leaves no
     * master unscanned: see {@link #deleteAllOnCluster}. The batches of a node go in one pipeline per scan page.
     */
    @Override
    public void deleteAll() {
        byte[] pattern = utf8(layout.keyPattern());
        ScanParams params = new ScanParams().match(pattern).count(SCAN_COUNT);
        long removed = call(
                "deleteAll",
                client -> tier.isCluster()
                        ? deleteAllOnCluster(tier.clusterNodes(), params)
                        : deleteAllOnServer(client, params));
        logger.debug("Removed {} values of cache '{}' from {}", removed, cacheName, tier.describe());
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lock key holds a random 128-bit token so that only this holder can release it; the fence lives ten leases
     * and at least an hour after the latest lock on the key.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code lease} is not positive or exceeds 100 years
     */
    @Override
    public Optional<RemoteLock> tryLock(String key, Duration lease) {
        requireNonNull(key, "key");
        long leaseMillis = millis("lease", lease);
        String lockKey = layout.lockKey(key);
        String fenceKey = layout.fenceKey(key);
        byte[] token = newToken();
        List<byte[]> keys = List.of(utf8(lockKey), utf8(fenceKey));
        List<byte[]> args =
                List.of(token, utf8(Long.toString(leaseMillis)), utf8(Long.toString(fenceTtlMillis(leaseMillis))));
        long fencingToken = call("tryLock", client -> LuaScript.LOCK.run(client, keys, args));
        if (fencingToken == 0) {
            return Optional.empty();
        }
        return Optional.of(new FencedLock(this, key, utf8(lockKey), fenceKey, token, fencingToken));
    }

    /**
     * Releases {@code lock} if Redis still holds its token. Never throws: a lock that cannot be released expires with
     * its lease, so a failure is only logged.
     */
    void release(FencedLock lock) {
        List<byte[]> keys = List.of(lock.lockKey());
        List<byte[]> args = List.of(lock.token());
        try {
            long deleted = call("unlock", client -> LuaScript.UNLOCK.run(client, keys, args));
            if (deleted == 0) {
                logger.debug("Lock on key '{}' of cache '{}' had expired before its release", lock.key(), cacheName);
            }
        } catch (CacheUnavailableException e) {
            logger.warn(
                    "Could not release a lock of cache '{}'; it expires with its lease: {}", cacheName, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "RedisStore[" + cacheName + " on " + tier.describe() + ']';
    }

    /**
     * Returns how long a fence key lives after a lock: ten leases, at least an hour, so that it outlives every lease
     * by far and tokens keep growing while a key is in use.
     */
    static long fenceTtlMillis(long leaseMillis) {
        long tenLeases = leaseMillis > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : leaseMillis * 10;
        return Math.max(tenLeases, MIN_FENCE_TTL.toMillis());
    }

    private <T> T call(String operation, RedisCall<T> body) {
        UnifiedJedis client = tier.client(cacheName, operation);
        try {
            return body.apply(client);
        } catch (JedisException e) {
            throw tier.unavailable(cacheName, operation, e);
        }
    }

    private static long deleteAllOnServer(UnifiedJedis client, ScanParams params) {
        long removed = 0;
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        ScanResult<byte[]> page;
        do {
            page = client.scan(cursor, params);
            for (Sweep sweep : Sweep.of(page.getResult())) {
                removed += LuaScript.DELETE_ALL.run(client, sweep.keys(), sweep.args());
            }
            cursor = page.getCursorAsBytes();
        } while (!page.isCompleteIteration());
        return removed;
    }

    /**
     * Scans and sweeps (unlinks values, changes fences) on every master among {@code nodes} (by {@code host:port}),
     * and returns how many values it removed. A node that cannot be reached, or fails, does not stop the walk: the
     * masters after it are scanned too. Which nodes are masters comes from each node's {@code ROLE} and, for nodes that
     * do not answer, from the slot map ({@code CLUSTER SLOTS}) of the first node that does: an unreachable replica is
     * skipped (its master's scan covers its keys), while a master that could not be scanned fails the call once every
     * other node was visited, so that the caller knows values may survive (a cache makes its invalidateAll pending).
     *
     * @throws JedisException naming the masters that could not be scanned, with the first one's failure as the cause
     */
    static long deleteAllOnCluster(Map<String, ConnectionPool> nodes, ScanParams params) {
        Set<String> masters = null;
        Set<String> scanned = new HashSet<>();
        Map<String, JedisException> failures = new LinkedHashMap<>();
        long removed = 0;
        for (Map.Entry<String, ConnectionPool> node : nodes.entrySet()) {
            try (Connection connection = node.getValue().getResource()) {
                Jedis jedis = new Jedis(connection);
                if (masters == null) {
                    masters = slotMasters(jedis, HostAndPort.from(node.getKey()).getHost());
                }
                if (isMaster(jedis)) {
                    removed += deleteAllOnNode(jedis, params);
                    scanned.add(node.getKey());
                }
                // A replica holds copies of its master's keys, which the master's scan covers.
            } catch (JedisException e) {
                failures.put(node.getKey(), e);
            }
        }
        Set<String> missed = new LinkedHashSet<>(masters == null ? failures.keySet() : masters);
        missed.removeAll(scanned);
        if (masters == null || !missed.isEmpty()) {
            JedisException first = missed.stream()
                    .map(failures::get)
                    .filter(Objects::nonNull)
                    .findFirst()
                    .orElse(null);
            JedisException failure = new JedisException(
                    (masters == null ? "no Cluster node answered" : "masters " + missed + " could not be scanned")
                            + " (" + removed + " keys removed elsewhere)"
                            + (first == null ? "" : ": " + first.getMessage()),
                    first);
            failures.values().stream().filter(e -> e != first).forEach(failure::addSuppressed);
            throw failure;
        }
        if (!failures.isEmpty()) {
            logger.debug("deleteAll skipped unreachable replicas {}", failures.keySet());
        }
        return removed;
    }

    /** Returns the {@code host:port} of every master in the slot map of {@code node}, reached at {@code host}. */
    private static Set<String> slotMasters(Jedis node, String host) {
        Set<String> masters = new LinkedHashSet<>();
        for (Object range : node.clusterSlots()) {
            // [start, end, [host, port, id, ...] of the master, replicas...]
            List<?> master = (List<?>) ((List<?>) range).get(2);
            Object announced = master.get(0);
            String ip = announced instanceof byte[] bytes
                    ? new String(bytes, StandardCharsets.UTF_8)
                    : announced == null ? "" : announced.toString();
            // An empty host means "the address you reached me at", as Jedis reads it too.
            masters.add((ip.isEmpty() ? host : ip) + ":" + master.get(1));
        }
        return masters;
    }

    private static long deleteAllOnNode(Jedis node, ScanParams params) {
        LuaScript.DELETE_ALL.load(node);
        long removed = 0;
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        ScanResult<byte[]> page;
        do {
            page = node.scan(cursor, params);
            // A script's keys must share a slot, even on one node.
            Map<Integer, List<byte[]>> bySlot = new TreeMap<>();
            for (byte[] key : page.getResult()) {
                bySlot.computeIfAbsent(JedisClusterCRC16.getSlot(key), slot -> new ArrayList<>())
                        .add(key);
            }
            List<Response<Object>> replies = new ArrayList<>();
            try (Pipeline pipeline = node.pipelined()) {
                for (List<byte[]> slotKeys : bySlot.values()) {
                    for (Sweep sweep : Sweep.of(slotKeys)) {
                        replies.add(LuaScript.DELETE_ALL.queue(pipeline, sweep.keys(), sweep.args()));
                    }
                }
                pipeline.sync();
            }
            for (Response<Object> reply : replies) {
                Object unlinked = reply.get();
                if (!(unlinked instanceof Long count)) {
                    throw new IllegalStateException("script " + LuaScript.DELETE_ALL + " replied " + unlinked);
                }
                removed += count;
            }
            cursor = page.getCursorAsBytes();
        } while (!page.isCompleteIteration());
        return removed;
    }

    private static boolean isMaster(Jedis node) {
        List<Object> role = node.role();
        Object first = role.isEmpty() ? null : role.get(0);
        String name = first instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(first);
        return name.equals("master");
    }

    /**
     * One {@link LuaScript#DELETE_ALL} call: the fence keys, then the value keys, among them the value key of every
     * fence, so that a fence changes in the same step as its value goes. Lock keys are left out.
     */
    private static final class Sweep {
        private static final byte[] FENCE_SUFFIX = utf8(KeyLayout.FENCE_SUFFIX);

        private final List<byte[]> fences = new ArrayList<>();
        private final List<byte[]> values = new ArrayList<>();

        /** Splits scanned keys (of one slot, on a Cluster) into sweeps of at most {@code SWEEP_BATCH} keys. */
        static List<Sweep> of(List<byte[]> scanned) {
            List<Sweep> sweeps = new ArrayList<>();
            Sweep current = new Sweep();
            for (byte[] key : scanned) {
                if (endsWith(key, FENCE_SUFFIX)) {
                    current.fences.add(key);
                    current.values.add(Arrays.copyOf(key, key.length - FENCE_SUFFIX.length));
                } else if (key.length > 0 && key[key.length - 1] == '}') {
                    current.values.add(key);
                } else {
                    continue; // a lock: an escaped key has no brace, so nothing else follows the tag
                }
                if (current.fences.size() + current.values.size() >= SWEEP_BATCH) {
                    sweeps.add(current);
                    current = new Sweep();
                }
            }
            if (!current.values.isEmpty()) {
                sweeps.add(current);
            }
            return sweeps;
        }

        List<byte[]> keys() {
            List<byte[]> keys = new ArrayList<>(fences.size() + values.size());
            keys.addAll(fences);
            keys.addAll(values);
            return keys;
        }

        List<byte[]> args() {
            return List.of(utf8(Integer.toString(fences.size())));
        }

        private static boolean endsWith(byte[] key, byte[] suffix) {
            int from = key.length - suffix.length;
            return from >= 0 && Arrays.equals(key, from, key.length, suffix, 0, suffix.length);
        }
    }

    private static long millis(String name, Duration duration) {
        requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        if (duration.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_TTL + ", was " + duration);
        }
        // Redis counts whole milliseconds; round up so that a positive duration never becomes "no expiry".
        long millis = duration.toMillis();
        return duration.equals(Duration.ofMillis(millis)) ? millis : millis + 1;
    }

    private static byte[] newToken() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return utf8(HexFormat.of().formatHex(random));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A Redis operation that may throw a {@link JedisException}. */
    @FunctionalInterface
    private interface RedisCall<T> {
        T apply(UnifiedJedis client);
    }
}
