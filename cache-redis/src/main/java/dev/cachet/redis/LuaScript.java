package dev.cachet.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script the store runs atomically, by its SHA-1 ({@code EVALSHA}), sending the text only when the server (or
 * the Cluster node owning the keys) does not know it yet. Every script's keys share one hash tag, so that it runs on
 * Cluster too. Scripts return integers, and {@link #LOOKUP} an array of strings and integers: RESP2 and RESP3 agree
 * on those, unlike on Lua's {@code false}.
 *
 * <p>Immutable and thread-safe.
 */
final class LuaScript {
    /**
     * Returns the server's clock in microseconds, the floor of every new fence value (see {@link #BUMP}). A Lua number
     * is a double, exact up to 2^53: microseconds since 1970 stay below that until the year 2255.
     */
    private static final String CLOCK = """
            local function clock()
              local now = redis.call('TIME')
              return tonumber(now[1]) * 1000000 + tonumber(now[2])
            end
            """;

    /**
     * Changes a key's fence, the counter behind its leases (see {@code RemoteStore}): the prelude of every script that
     * writes a value, deletes one or takes a lock, so that the change and its effect are one atomic step. The new
     * fence is {@code max(fence, the server's clock in microseconds) + 1}, a missing fence counting as 0: so fences
     * keep growing even after an idle fence key expired, and after a failover to a replica that missed the latest
     * changes (asynchronous replication), the first change on the new primary jumps past every token the old primary
     * issued, provided the two servers' clocks differ by less than the failover took. A lease from before either can
     * never match again. The fence's time to live is only ever extended. Values are written with {@code %d}, never in
     * a double's exponent notation.
     */
    private static final String BUMP = CLOCK + """
            local function bump(fence, ttl)
              local token = math.max(tonumber(redis.call('GET', fence) or '0'), clock()) + 1
              redis.call('SET', fence, string.format('%d', token), 'KEEPTTL')
              if redis.call('PTTL', fence) < tonumber(ttl) then
                redis.call('PEXPIRE', fence, ttl)
              end
              return token
            end
            """;

    /**
     * Takes the lock and changes the fence, in one step. KEYS: lock, fence. ARGV: token, lease in ms, fence time to
     * live in ms. Returns the new fence (the lock's fencing token), or 0 when the lock is held.
     */
    static final LuaScript LOCK = new LuaScript("LOCK", BUMP + """
            if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
              return 0
            end
            return bump(KEYS[2], ARGV[3])
            """);

    /** Deletes the lock only if it still holds our token. KEYS: lock. ARGV: token. Returns 1 if deleted, else 0. */
    static final LuaScript UNLOCK = new LuaScript("UNLOCK", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    /**
     * Reads a key in one step: its value if not longer than a limit ({@code STRLEN} first, so that Redis never sends
     * an oversized value), its lease and whether its lock is held. A key without a fence gets one, started as {@link
     * #BUMP} starts it, so that every lease handed out is a fence key that {@link #DELETE_ALL} can find and change; a
     * read that finds no value (or too long a value) extends the fence's time to live, since its lease is for a load.
     * KEYS: value, lock, fence. ARGV: the most bytes to send, fence time to live in ms. Returns {value, or its length
     * when over the limit, or -1 when absent; the fence; 1 if locked, else 0}. Run with {@link #call}, not {@link
     * #run}: its reply is not an integer.
     */
    static final LuaScript LOOKUP = new LuaScript("LOOKUP", """
            local fence = redis.call('GET', KEYS[3])
            if not fence then
              local now = redis.call('TIME')
              fence = now[1] .. string.format('%06d', tonumber(now[2]))
              redis.call('SET', KEYS[3], fence, 'PX', ARGV[2])
            end
            local locked = redis.call('EXISTS', KEYS[2])
            local length = redis.call('STRLEN', KEYS[1])
            if length <= tonumber(ARGV[1]) then
              local value = redis.call('GET', KEYS[1])
              if value then
                return {value, fence, locked}
              end
              length = -1
            end
            if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[2]) then
              redis.call('PEXPIRE', KEYS[3], ARGV[2])
            end
            return {length, fence, locked}
            """);

    /**
     * Writes a value and changes the fence. KEYS: value, fence. ARGV: value, time to live in ms, fence time to live in
     * ms. Returns the new fence.
     */
    static final LuaScript PUT = new LuaScript("PUT", BUMP + """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return bump(KEYS[2], ARGV[3])
            """);

    /**
     * Writes a value only if the fence still equals a lease, and then changes the fence. KEYS: value, fence. ARGV:
     * lease ("0": no fence), value, time to live in ms, fence time to live in ms. Returns 1 if written, else 0.
     */
    static final LuaScript PUT_IF_UNCHANGED = new LuaScript("PUT_IF_UNCHANGED", BUMP + """
            if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            bump(KEYS[2], ARGV[4])
            return 1
            """);

    /** Deletes a value and changes the fence. KEYS: value, fence. ARGV: fence time to live in ms. Returns the fence. */
    static final LuaScript DELETE = new LuaScript("DELETE", BUMP + """
            redis.call('UNLINK', KEYS[1])
            return bump(KEYS[2], ARGV[1])
            """);

    /**
     * Deletes a value only if it still is the one a reader saw, compared by SHA-1 (so the bytes need not travel
     * again), and then changes the fence. KEYS: value, fence. ARGV: the SHA-1 of the expected bytes in lower-case hex,
     * fence time to live in ms. Returns the new fence, or -1 if the value differs or is gone.
     */
    static final LuaScript DELETE_IF_UNCHANGED = new LuaScript("DELETE_IF_UNCHANGED", BUMP + """
            local value = redis.call('GET', KEYS[1])
            if not value or redis.sha1hex(value) ~= ARGV[1] then
              return -1
            end
            redis.call('UNLINK', KEYS[1])
            return bump(KEYS[2], ARGV[2])
            """);

    /**
     * One batch of {@code RemoteStore.deleteAll}: changes every fence that still exists, as {@link #BUMP} does (to
     * {@code max(fence, clock) + 1}, keeping its time to live), and unlinks every value. KEYS: fence keys, then value
     * keys (among them the value key of every fence). ARGV: the number of fence keys. Returns how many values it
     * unlinked. A fence that expired since it was scanned is not created again: its leases are refused anyway (a
     * missing fence reads as 0, and a new one starts at the server's clock).
     */
    static final LuaScript DELETE_ALL = new LuaScript("DELETE_ALL", CLOCK + """
            local fences = tonumber(ARGV[1])
            local now = clock()
            for i = 1, fences do
              local fence = redis.call('GET', KEYS[i])
              if fence then
                local token = math.max(tonumber(fence), now) + 1
                redis.call('SET', KEYS[i], string.format('%d', token), 'KEEPTTL')
              end
            end
            local removed = 0
            for i = fences + 1, #KEYS do
              removed = removed + redis.call('UNLINK', KEYS[i])
            end
            return removed
            """);

    private final String name;
    private final byte[] text;
    private final byte[] sha1;

    private LuaScript(String name, String text) {
        this.name = name;
        this.text = text.getBytes(StandardCharsets.UTF_8);
        this.sha1 = HexFormat.of().formatHex(sha1(this.text)).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Runs the script and returns its integer reply.
     *
     * @throws redis.clients.jedis.exceptions.JedisException if Redis fails
     * @throws IllegalStateException if the reply is not an integer, which these scripts never do
     */
    long run(UnifiedJedis client, List<byte[]> keys, List<byte[]> args) {
        Object reply = call(client, keys, args);
        if (reply instanceof Long value) {
            return value;
        }
        throw new IllegalStateException("script " + name + " replied " + reply + " instead of an integer");
    }

    /**
     * Runs the script and returns its reply as Jedis gives it: a {@code Long}, a {@code byte[]}, a list or null.
     *
     * @throws redis.clients.jedis.exceptions.JedisException if Redis fails
     */
    Object call(UnifiedJedis client, List<byte[]> keys, List<byte[]> args) {
        try {
            return client.evalsha(sha1, keys, args);
        } catch (JedisNoScriptException e) {
            // First use on this server (or after SCRIPT FLUSH or a failover): EVAL loads it for the next EVALSHA.
            return client.eval(text, keys, args);
        }
    }

    /**
     * Loads the script on {@code node}, so that {@link #queue} can run it there by its SHA-1.
     *
     * @throws redis.clients.jedis.exceptions.JedisException if Redis fails
     */
    void load(Jedis node) {
        node.scriptLoad(text);
    }

    /** Queues a run of the script, {@link #load loaded} on the pipeline's node, and returns its future reply. */
    Response<Object> queue(Pipeline pipeline, List<byte[]> keys, List<byte[]> args) {
        return pipeline.evalsha(sha1, keys, args);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Returns the SHA-1 of {@code bytes} in lower-case hex, as Lua's {@code redis.sha1hex} writes it. */
    static byte[] sha1Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha1(bytes)).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] sha1(byte[] bytes) {
        try {
            // Redis names scripts by SHA-1, and compare-and-delete compares values by it; no security depends on it: a
            // client that can write a colliding value can delete the key anyway.
            return MessageDigest.getInstance("SHA-1").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }
}
