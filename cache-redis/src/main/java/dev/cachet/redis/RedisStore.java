package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.spi.LockedLookup;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteLock;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteWrite;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * One cache's keys in Redis, laid out by {@link KeyLayout}: a Lua script ({@link LuaScript}) per operation that
 * changes a key, so that a value, its lock and its fence (the counter behind leases) change in one atomic step; plain
 * commands for the reads that need no script ({@code GETRANGE} for a hit, {@code MGET} for bulk reads); {@code SCAN}
 * and a script that unlinks values and changes fences, on every master, for {@link #deleteAll()}. Every key it writes
 * has a time to live. Every Jedis failure becomes a {@link CacheUnavailableException} naming the cache and the
 * operation.
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
    /** The most keys of one bulk call's script ({@link #lookupAll} and the others), so that it blocks Redis briefly. */
    static final int BULK_BATCH = 1_000;

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
        if (reply instanceof List<?> parts && parts.size() == 3) {
            Lookup lookup = toLookup(parts, 0);
            if (lookup != null) {
                return lookup;
            }
        }
        throw new IllegalStateException("script " + LuaScript.LOOKUP + " replied " + reply);
    }

    /** Returns the read in {@code parts} at {@code from}: value or length, fence, lock flag; null if malformed. */
    private static @Nullable Lookup toLookup(List<?> parts, int from) {
        return toLookup(parts.get(from), parts.get(from + 1), parts.get(from + 2));
    }

    /** Returns the read of a value (or its length, or -1), a fence and a lock flag; null if malformed. */
    private static @Nullable Lookup toLookup(Object found, Object fenceReply, Object lockedReply) {
        if (fenceReply instanceof byte[] fence && lockedReply instanceof Long locked) {
            long lease = Long.parseLong(new String(fence, StandardCharsets.US_ASCII));
            if (found instanceof byte[] value) {
                return Lookup.hit(value, lease, locked == 1);
            }
            if (found instanceof Long length) {
                return length < 0 ? Lookup.miss(lease, locked == 1) : Lookup.oversized(length, lease, locked == 1);
            }
        }
        return null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A plain read, no script: one {@code MGET} per batch of the values and their fences (and, but on a Cluster, the
     * cache's fence), all batches in one pipeline, so the call takes one round trip (one per Cluster node) and costs
     * Redis what an {@code MGET} does. Batches are as for the writes: on a standalone server one per {@value
     * #BULK_BATCH} keys, on a Cluster one per hash slot (every key has its own hash tag). Locks are not read: every
     * read reports its key's lock free, since bulk loads neither take nor wait for locks.
     *
     * <p>A key with a fence gets it as its lease. A key without one (never written, or its fence expired) gets no fence
     * created, so that reads leave nothing behind:
     *
     * <ul>
     *   <li>on a standalone server (and under Sentinel), its lease is the cache's fence ({@link
     *       KeyLayout#cacheFenceKey()}, read by the same {@code MGET}, as a negative number), which {@link #deleteAll()}
     *       changes before it scans; {@link #putAllIfUnchanged} then writes only if the key still has no fence (every
     *       write, delete or lock creates it) and the cache's fence is unchanged, in one script, so neither a change of
     *       the key nor a {@code deleteAll} that began after the read is undone, even though {@code SCAN} cannot find a
     *       fence that does not exist;
     *   <li>on a Cluster a script cannot read the cache's fence beside a key of another slot, so such keys are read
     *       again by {@link LuaScript#LOOKUP_ALL}, in a second round trip, which creates their fences (for at least
     *       {@link #MIN_FENCE_TTL}, so a key read again soon needs no second trip) as {@link #lookup} does.
     * </ul>
     *
     * <p>{@code MGET} sends whole values: a value longer than {@code maxBytes} is received, reported {@link
     * Lookup#oversized oversized} and dropped, never decoded. Unlike {@link #lookup} and {@link #peek}, a bulk read
     * therefore does not keep an oversized value inside Redis; what it holds is bounded by the values Redis holds (at
     * most {@code proto-max-bulk-len}, 512 MB by default), which only a writer outside Cachet, or one with a larger
     * {@code maxValueBytes}, can make large.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    @Override
    public List<Lookup> lookupAll(List<String> keys, long maxBytes) {
        requireNonNull(keys, "keys");
        keys.forEach(key -> requireNonNull(key, "key"));
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        if (keys.isEmpty()) {
            return List.of();
        }
        boolean cluster = tier.isCluster();
        List<List<Integer>> batches = batches(keys);
        List<List<byte[]>> batchKeys = valueAndFenceKeys(keys, batches, !cluster);
        List<List<byte[]>> replies = call("getAll", client -> mgetBatches(client, batchKeys));
        Lookup[] lookups = new Lookup[keys.size()];
        List<Integer> unfenced = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            List<Integer> batch = batches.get(b);
            List<byte[]> reply = replies.get(b);
            int n = batch.size();
            if (reply == null || reply.size() != batchKeys.get(b).size()) {
                throw new IllegalStateException("MGET of " + batchKeys.get(b).size() + " keys replied " + reply);
            }
            // A key without a fence: its lease is the cache's fence, as a negative number (see putAllIfUnchanged).
            long unfencedLease = cluster ? 0 : -1 - fence(reply.get(2 * n), 0);
            for (int j = 0; j < n; j++) {
                byte[] value = reply.get(j);
                byte[] fence = reply.get(n + j);
                if (fence == null && cluster) {
                    unfenced.add(batch.get(j));
                    continue;
                }
                long lease = fence == null ? unfencedLease : fence(fence, -1);
                lookups[batch.get(j)] = value == null
                        ? Lookup.miss(lease, false)
                        : value.length > maxBytes
                                ? Lookup.oversized(value.length, lease, false)
                                : Lookup.hit(value, lease, false);
            }
        }
        if (!unfenced.isEmpty()) {
            List<String> again = unfenced.stream().map(keys::get).toList();
            List<Lookup> fenced = lookupAllCreatingFences(again, maxBytes);
            for (int i = 0; i < unfenced.size(); i++) {
                lookups[unfenced.get(i)] = fenced.get(i);
            }
        }
        return Arrays.asList(lookups);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code MGET} of the value keys per batch, batched and pipelined as in {@link #lookupAll}: one round trip,
     * nothing created. As there, a value longer than {@code maxBytes} is received and dropped (empty), never decoded.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    @Override
    public List<Optional<byte[]>> peekAll(List<String> keys, long maxBytes) {
        requireNonNull(keys, "keys");
        keys.forEach(key -> requireNonNull(key, "key"));
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        if (keys.isEmpty()) {
            return List.of();
        }
        List<List<Integer>> batches = batches(keys);
        List<List<byte[]>> batchKeys = new ArrayList<>(batches.size());
        for (List<Integer> batch : batches) {
            List<byte[]> valueKeys = new ArrayList<>(batch.size());
            batch.forEach(i -> valueKeys.add(utf8(layout.valueKey(keys.get(i)))));
            batchKeys.add(valueKeys);
        }
        List<List<byte[]>> replies = call("getAll", client -> mgetBatches(client, batchKeys));
        List<Optional<byte[]>> values = new ArrayList<>(keys.size());
        keys.forEach(key -> values.add(Optional.empty()));
        for (int b = 0; b < batches.size(); b++) {
            List<Integer> batch = batches.get(b);
            List<byte[]> reply = replies.get(b);
            if (reply == null || reply.size() != batch.size()) {
                throw new IllegalStateException("MGET of " + batch.size() + " keys replied " + reply);
            }
            for (int j = 0; j < batch.size(); j++) {
                byte[] value = reply.get(j);
                if (value != null && value.length > 0 && value.length <= maxBytes) {
                    values.set(batch.get(j), Optional.of(value));
                }
            }
        }
        return values;
    }

    /** Returns the fence in {@code reply} as a number; {@code absent} if null. */
    private static long fence(byte @Nullable [] reply, long absent) {
        if (reply == null) {
            return absent;
        }
        try {
            long fence = Long.parseLong(new String(reply, StandardCharsets.US_ASCII));
            if (fence >= 0) {
                return fence;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException("a fence holds " + new String(reply, StandardCharsets.US_ASCII));
    }

    /**
     * Sends one {@code MGET} per batch and returns the replies in order: a single batch as one call, several in one
     * pipeline (on a Cluster, Jedis sends each node its part).
     */
    private static List<List<byte[]>> mgetBatches(UnifiedJedis client, List<List<byte[]>> batchKeys) {
        if (batchKeys.size() == 1) {
            return List.of(client.mget(batchKeys.get(0).toArray(byte[][]::new)));
        }
        List<Response<List<byte[]>>> replies = new ArrayList<>(batchKeys.size());
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (List<byte[]> keys : batchKeys) {
                replies.add(pipeline.mget(keys.toArray(byte[][]::new)));
            }
            pipeline.sync();
        }
        List<List<byte[]>> results = new ArrayList<>(replies.size());
        replies.forEach(reply -> results.add(reply.get()));
        return results;
    }

    /**
     * Reads {@code keys} as {@link #lookup} does (but for their locks), creating the fence of each key that has none:
     * one script ({@link LuaScript#LOOKUP_ALL}) per batch, batched and pipelined as in {@link #lookupAll}.
     */
    private List<Lookup> lookupAllCreatingFences(List<String> keys, long maxBytes) {
        List<List<Integer>> batches = batches(keys);
        List<byte[]> args = List.of(utf8(Long.toString(maxBytes)), FENCE_TTL);
        List<List<byte[]>> batchKeys = valueAndFenceKeys(keys, batches, false);
        List<Object> replies =
                call("getAll", client -> runBatches(client, LuaScript.LOOKUP_ALL, batchKeys, batch -> args));
        Lookup[] lookups = new Lookup[keys.size()];
        for (int b = 0; b < batches.size(); b++) {
            List<Integer> batch = batches.get(b);
            Object reply = replies.get(b);
            if (!(reply instanceof List<?> parts
                    && parts.size() == 2
                    && parts.get(0) instanceof List<?> values
                    && parts.get(1) instanceof List<?> fences
                    && values.size() == batch.size()
                    && fences.size() == batch.size())) {
                throw new IllegalStateException("script " + LuaScript.LOOKUP_ALL + " replied " + reply);
            }
            for (int j = 0; j < batch.size(); j++) {
                Lookup lookup = toLookup(values.get(j), fences.get(j), 0L);
                if (lookup == null) {
                    throw new IllegalStateException("script " + LuaScript.LOOKUP_ALL + " replied " + reply);
                }
                lookups[batch.get(j)] = lookup;
            }
        }
        return Arrays.asList(lookups);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One script ({@link LuaScript#PUT_EACH}) per batch, batched and pipelined as in {@link #lookupAll}.
     *
     * @throws IllegalArgumentException if a TTL exceeds 100 years
     */
    @Override
    public void putAll(List<RemoteWrite> writes) {
        requireNonNull(writes, "writes");
        writes.forEach(write -> requireNonNull(write, "write"));
        if (writes.isEmpty()) {
            return;
        }
        List<String> keys = writes.stream().map(RemoteWrite::key).toList();
        List<List<Integer>> batches = batches(keys);
        List<List<byte[]>> batchKeys = valueAndFenceKeys(keys, batches);
        List<List<byte[]>> batchArgs = new ArrayList<>(batches.size());
        for (List<Integer> batch : batches) {
            List<byte[]> args = new ArrayList<>(1 + 2 * batch.size());
            args.add(FENCE_TTL);
            for (int i : batch) {
                RemoteWrite write = writes.get(i);
                args.add(write.value());
                args.add(utf8(Long.toString(millis("ttl", write.ttl()))));
            }
            batchArgs.add(args);
        }
        call("putAll", client -> runBatches(client, LuaScript.PUT_EACH, batchKeys, batchArgs::get));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One script ({@link LuaScript#PUT_ALL_IF_UNCHANGED}) per batch, batched and pipelined as in {@link
     * #lookupAll}: each key's compare-and-write is atomic, as {@link #putIfUnchanged}'s. A negative lease, which
     * {@link #lookupAll} hands out for a key that had no fence (never on a Cluster), is the cache's fence at the read:
     * its write lands only if the key still has no fence and the cache's fence is unchanged, checked in the same
     * script.
     *
     * @throws IllegalArgumentException if a TTL exceeds 100 years, or the leases do not match the writes
     */
    @Override
    public List<Boolean> putAllIfUnchanged(List<RemoteWrite> writes, long[] leases) {
        requireNonNull(writes, "writes");
        writes.forEach(write -> requireNonNull(write, "write"));
        requireNonNull(leases, "leases");
        if (leases.length != writes.size()) {
            throw new IllegalArgumentException(
                    "one lease per write expected: " + writes.size() + " writes, " + leases.length + " leases");
        }
        if (writes.isEmpty()) {
            return List.of();
        }
        List<String> keys = writes.stream().map(RemoteWrite::key).toList();
        List<List<Integer>> batches = batches(keys);
        List<List<byte[]>> batchKeys = valueAndFenceKeys(keys, batches, !tier.isCluster());
        List<List<byte[]>> batchArgs = new ArrayList<>(batches.size());
        for (List<Integer> batch : batches) {
            List<byte[]> args = new ArrayList<>(1 + 3 * batch.size());
            args.add(FENCE_TTL);
            for (int i : batch) {
                RemoteWrite write = writes.get(i);
                // A negative lease is the cache's fence c, as -1 - c: "c" marks it for the script.
                args.add(utf8(leases[i] < 0 ? "c" + (-1 - leases[i]) : Long.toString(leases[i])));
                args.add(write.value());
                args.add(utf8(Long.toString(millis("ttl", write.ttl()))));
            }
            batchArgs.add(args);
        }
        List<Object> replies =
                call("putAll", client -> runBatches(client, LuaScript.PUT_ALL_IF_UNCHANGED, batchKeys, batchArgs::get));
        Boolean[] stored = new Boolean[writes.size()];
        for (int b = 0; b < batches.size(); b++) {
            List<Integer> batch = batches.get(b);
            Object reply = replies.get(b);
            if (!(reply instanceof List<?> flags) || flags.size() != batch.size()) {
                throw new IllegalStateException("script " + LuaScript.PUT_ALL_IF_UNCHANGED + " replied " + reply);
            }
            for (int j = 0; j < batch.size(); j++) {
                stored[batch.get(j)] = Long.valueOf(1).equals(flags.get(j));
            }
        }
        return Arrays.asList(stored);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One script ({@link LuaScript#DELETE_EACH}) per batch, batched and pipelined as in {@link #lookupAll}.
     */
    @Override
    public void deleteEach(Collection<String> keys) {
        requireNonNull(keys, "keys");
        keys.forEach(key -> requireNonNull(key, "key"));
        if (keys.isEmpty()) {
            return;
        }
        List<String> ordered = List.copyOf(keys);
        List<List<Integer>> batches = batches(ordered);
        List<List<byte[]>> batchKeys = valueAndFenceKeys(ordered, batches);
        List<byte[]> args = List.of(FENCE_TTL);
        call("invalidateAll(keys)", client -> runBatches(client, LuaScript.DELETE_EACH, batchKeys, batch -> args));
    }

    /**
     * Splits the indexes of {@code keys} into the batches of one script each: on a Cluster by the hash slot of each
     * key (a script's keys must share one), everywhere at most {@value #BULK_BATCH} keys, so that one script blocks
     * Redis only briefly.
     */
    private List<List<Integer>> batches(List<String> keys) {
        Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
        boolean cluster = tier.isCluster();
        for (int i = 0; i < keys.size(); i++) {
            int slot = cluster ? JedisClusterCRC16.getSlot(layout.valueKey(keys.get(i))) : 0;
            bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> batches = new ArrayList<>();
        for (List<Integer> slotKeys : bySlot.values()) {
            for (int from = 0; from < slotKeys.size(); from += BULK_BATCH) {
                batches.add(slotKeys.subList(from, Math.min(slotKeys.size(), from + BULK_BATCH)));
            }
        }
        return batches;
    }

    /** Returns, per batch, the value keys of its keys followed by their fence keys. */
    private List<List<byte[]>> valueAndFenceKeys(List<String> keys, List<List<Integer>> batches) {
        return valueAndFenceKeys(keys, batches, false);
    }

    /**
     * Returns, per batch, the value keys of its keys followed by their fence keys, and with {@code cacheFence} the
     * cache's fence key ({@link KeyLayout#cacheFenceKey()}) last.
     */
    private List<List<byte[]>> valueAndFenceKeys(List<String> keys, List<List<Integer>> batches, boolean cacheFence) {
        List<List<byte[]>> batchKeys = new ArrayList<>(batches.size());
        byte[] cacheFenceKey = utf8(layout.cacheFenceKey());
        for (List<Integer> batch : batches) {
            byte[][] scriptKeys = new byte[batch.size() * 2 + (cacheFence ? 1 : 0)][];
            for (int j = 0; j < batch.size(); j++) {
                String valueKey = layout.valueKey(keys.get(batch.get(j)));
                scriptKeys[j] = utf8(valueKey);
                scriptKeys[batch.size() + j] = utf8(valueKey + KeyLayout.FENCE_SUFFIX); // as layout.fenceKey
            }
            if (cacheFence) {
                scriptKeys[batch.size() * 2] = cacheFenceKey;
            }
            batchKeys.add(Arrays.asList(scriptKeys));
        }
        return batchKeys;
    }

    /**
     * Runs {@code script} once per batch and returns the replies in order: a single batch as one call, several in one
     * pipeline (on a Cluster, Jedis sends each node its part), so that the whole takes one round trip per node. A
     * batch whose node did not know the script yet ({@code NOSCRIPT}: it did not run) runs again on its own, which
     * loads it there.
     */
    private static List<Object> runBatches(
            UnifiedJedis client, LuaScript script, List<List<byte[]>> batchKeys, IntFunction<List<byte[]>> batchArgs) {
        if (batchKeys.size() == 1) {
            return List.of(script.call(client, batchKeys.get(0), batchArgs.apply(0)));
        }
        List<Response<Object>> replies = new ArrayList<>(batchKeys.size());
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (int b = 0; b < batchKeys.size(); b++) {
                replies.add(script.queueBySha(pipeline, batchKeys.get(b), batchArgs.apply(b)));
            }
            pipeline.sync();
        }
        List<Object> results = new ArrayList<>(replies.size());
        for (int b = 0; b < replies.size(); b++) {
            try {
                results.add(replies.get(b).get());
            } catch (JedisDataException e) {
                if (!LuaScript.isNoScript(e)) {
                    throw e;
                }
                results.add(script.call(client, batchKeys.get(b), batchArgs.apply(b)));
            }
        }
        return results;
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
        if (lease < 0) { // a lease from lookupAll of a key without a fence: only the bulk script checks those
            return putAllIfUnchanged(List.of(new RemoteWrite(key, value, ttl)), new long[] {lease})
                    .get(0);
        }
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
     * #lookup} creates the fence it reads and a lock changes (so creates) it; but for the leases {@link #lookupAll}
     * hands out for keys without a fence, which are the cache's fence ({@link KeyLayout#cacheFenceKey()}): this call
     * changes it first (on a standalone server; on a Cluster no such lease exists), so those are refused from then on,
     * and a key such a lease filled before has a fence, created by that write, which the walk finds. A fence present from before the walk to
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
        List<byte[]> cacheFence = List.of(utf8(layout.cacheFenceKey()));
        long removed = call("deleteAll", client -> {
            if (tier.isCluster()) {
                return deleteAllOnCluster(tier.clusterNodes(), params);
            }
            // First, so that a lease of a key without a fence, handed out before, is refused (see lookupAll).
            LuaScript.CLEAR.run(client, cacheFence, List.of(FENCE_TTL));
            return deleteAllOnServer(client, params);
        });
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
     * {@inheritDoc}
     *
     * <p>One round trip: a script ({@link LuaScript#LOCK_AND_LOOKUP}) takes the lock as {@link #tryLock} does and reads
     * the value as {@link #lookup} does, in one step, so the read's lease is the lock's fencing token.
     *
     * @throws NullPointerException if {@code key} or {@code lease} is null
     * @throws IllegalArgumentException if {@code lease} is not positive or exceeds 100 years, or {@code maxBytes} is
     *     negative
     */
    @Override
    public Optional<LockedLookup> tryLockAndLookup(String key, Duration lease, long maxBytes) {
        requireNonNull(key, "key");
        long leaseMillis = millis("lease", lease);
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        String lockKey = layout.lockKey(key);
        String fenceKey = layout.fenceKey(key);
        byte[] token = newToken();
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(lockKey), utf8(fenceKey));
        List<byte[]> args = List.of(
                token,
                utf8(Long.toString(leaseMillis)),
                utf8(Long.toString(fenceTtlMillis(leaseMillis))),
                utf8(Long.toString(maxBytes)));
        Object reply = call("tryLock", client -> LuaScript.LOCK_AND_LOOKUP.call(client, keys, args));
        if (reply instanceof List<?> parts && !parts.isEmpty() && parts.get(0) instanceof Long fencingToken) {
            if (fencingToken == 0 && parts.size() == 1) {
                return Optional.empty();
            }
            if (fencingToken > 0 && parts.size() == 2) {
                Lookup lookup = lockedLookup(parts.get(1), fencingToken);
                if (lookup != null) {
                    FencedLock lock = new FencedLock(this, key, utf8(lockKey), fenceKey, token, fencingToken);
                    return Optional.of(LockedLookup.of(lock, lookup));
                }
            }
        }
        throw new IllegalStateException("script " + LuaScript.LOCK_AND_LOOKUP + " replied " + reply);
    }

    /** Returns the read, under our own lock, of a value (or its length, or -1) whose lease is {@code lease}. */
    private static @Nullable Lookup lockedLookup(Object found, long lease) {
        if (found instanceof byte[] value) {
            return Lookup.hit(value, lease, true);
        }
        if (found instanceof Long length) {
            return length < 0 ? Lookup.miss(lease, true) : Lookup.oversized(length, lease, true);
        }
        return null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One round trip for a lock this store handed out: a script ({@link LuaScript#PUT_IF_UNCHANGED_AND_UNLOCK})
     * writes as {@link #putIfUnchanged} does and deletes the lock key if it still holds the lock's token, as closing the
     * lock does. Any other lock, and a lease from {@link #lookupAll} of a key without a fence, take the two calls.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code ttl} is not positive or exceeds 100 years
     */
    @Override
    public boolean putIfUnchangedAndRelease(RemoteLock lock, byte[] value, Duration ttl, long lease) {
        requireNonNull(lock, "lock");
        requireNonNull(value, "value");
        if (!(lock instanceof FencedLock fenced) || fenced.store() != this || lease < 0) {
            return RemoteStore.super.putIfUnchangedAndRelease(lock, value, ttl, lease);
        }
        long ttlMillis = millis("ttl", ttl);
        String key = fenced.key();
        List<byte[]> keys = List.of(utf8(layout.valueKey(key)), utf8(layout.fenceKey(key)), fenced.lockKey());
        List<byte[]> args =
                List.of(utf8(Long.toString(lease)), value, utf8(Long.toString(ttlMillis)), FENCE_TTL, fenced.token());
        boolean written =
                call("putIfUnchanged", client -> LuaScript.PUT_IF_UNCHANGED_AND_UNLOCK.run(client, keys, args) == 1);
        fenced.released(); // only once the script ran: if it failed, closing the lock tries to release it again
        return written;
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
