package dev.cachet.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
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
     * Takes the lock unless another token holds it: the prelude of the lock scripts. A lock that already holds our own
     * token was taken by an earlier try of this very call, whose reply was lost (a Cluster client sends a command again
     * when the reply timed out): it is ours, taken again with a fresh lease, rather than a lock we would wait out.
     */
    private static final String TAKE = """
            local function take(lock, token, lease)
              if redis.call('SET', lock, token, 'NX', 'PX', lease) then
                return true
              end
              if redis.call('GET', lock) ~= token then
                return false
              end
              redis.call('PEXPIRE', lock, lease)
              return true
            end
            """;

    /**
     * Takes the lock and changes the fence, in one step. KEYS: lock, fence. ARGV: token, lease in ms, fence time to
     * live in ms. Returns the new fence (the lock's fencing token), or 0 when another token holds the lock.
     */
    static final LuaScript LOCK = new LuaScript("LOCK", BUMP + TAKE + """
            if not take(KEYS[1], ARGV[1], ARGV[2]) then
              return 0
            end
            return bump(KEYS[2], ARGV[3])
            """);

    /**
     * Takes the lock, changes the fence and reads the value, in one step: {@link #LOCK} and then {@link #LOOKUP} under
     * the lock (no fence to create, the lock just changed it; the fence's time to live, extended by the lock, outlives
     * the load). KEYS: value, lock, fence. ARGV: token, lease in ms, fence time to live in ms, the most bytes to send.
     * Returns {0} when another token holds the lock; else {the new fence (the lock's fencing token), and the value, or
     * its length when over the limit, or -1 when absent}. Run with {@link #call}.
     */
    static final LuaScript LOCK_AND_LOOKUP = new LuaScript("LOCK_AND_LOOKUP", BUMP + TAKE + """
            if not take(KEYS[2], ARGV[1], ARGV[2]) then
              return {0}
            end
            local token = bump(KEYS[3], ARGV[3])
            local length = redis.call('STRLEN', KEYS[1])
            if length <= tonumber(ARGV[4]) then
              local value = redis.call('GET', KEYS[1])
              if value then
                return {token, value}
              end
              length = -1
            end
            return {token, length}
            """);

    /**
     * Writes a value only if the fence still equals a lease, as {@link #PUT_IF_UNCHANGED} does, then deletes the lock
     * if it still holds our token, as {@link #UNLOCK} does, in one step. KEYS: value, fence, lock. ARGV: lease ("0":
     * no fence), value, time to live in ms, fence time to live in ms, token. Returns 1 if written, else 0.
     */
    static final LuaScript PUT_IF_UNCHANGED_AND_UNLOCK = new LuaScript("PUT_IF_UNCHANGED_AND_UNLOCK", BUMP + """
            local written = 0
            if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              bump(KEYS[2], ARGV[4])
              written = 1
            end
            if redis.call('GET', KEYS[3]) == ARGV[5] then
              redis.call('DEL', KEYS[3])
            end
            return written
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

    /**
     * Reads many keys in one step, as {@link #LOOKUP} reads one but without the locks (bulk loads neither take nor
     * wait for them): on a Cluster, the second read of the keys a plain bulk read ({@code MGET}) found without a fence.
     * One {@code MGET} for the values and one for the fences (a value too long is read into the script, never sent), a
     * fence created for each key without one, and the fence of each miss extended. KEYS: n values, then their n fences
     * (one hash slot on a Cluster). ARGV: the most bytes to send per value, fence time to live in ms. Returns two
     * arrays of n: the values (or a value's length when over the limit, or -1 when absent), and the fences. Run with
     * {@link #call}.
     */
    static final LuaScript LOOKUP_ALL = new LuaScript("LOOKUP_ALL", """
            local n = #KEYS / 2
            local max = tonumber(ARGV[1])
            local ttl = tonumber(ARGV[2])
            local values = redis.call('MGET', unpack(KEYS, 1, n))
            local fences = redis.call('MGET', unpack(KEYS, n + 1, 2 * n))
            local now = nil
            for i = 1, n do
              local value = values[i]
              local created = false
              if not fences[i] then
                if not now then
                  local time = redis.call('TIME')
                  now = time[1] .. string.format('%06d', tonumber(time[2]))
                end
                fences[i] = now
                created = true
                redis.call('SET', KEYS[n + i], now, 'PX', ttl)
              end
              if not value or #value > max then
                values[i] = value and #value or -1
                if not created and redis.call('PTTL', KEYS[n + i]) < ttl then
                  redis.call('PEXPIRE', KEYS[n + i], ttl)
                end
              end
            end
            return {values, fences}
            """);

    /**
     * Writes many values, each only if its key is unchanged since the bulk read that handed out its lease, as {@link
     * #PUT_IF_UNCHANGED} writes one. A lease is either the key's fence as read ({@code 0}: none), or, for a key that
     * had no fence when read, {@code c} followed by the cache's fence as read ({@link #CLEAR}; {@code 0}: none): such
     * a write lands only if the key still has no fence (nothing wrote, deleted or locked it, since each of those
     * creates it) and the cache's fence is unchanged (no {@code deleteAll} began since the read). KEYS: n values, then
     * their n fences, then (not on a Cluster, where no such lease is handed out) the cache's fence. ARGV: fence time to
     * live in ms, then per key its lease, value and time to live in ms. Returns n integers: 1 if written, else 0.
     */
    static final LuaScript PUT_ALL_IF_UNCHANGED = new LuaScript("PUT_ALL_IF_UNCHANGED", BUMP + """
            local n = math.floor(#KEYS / 2)
            local cleared = false
            if #KEYS > 2 * n then
              cleared = redis.call('GET', KEYS[#KEYS]) or '0'
            end
            local reply = {}
            for i = 1, n do
              local at = 3 * i - 1
              local lease = ARGV[at]
              local fence = redis.call('GET', KEYS[n + i])
              local unchanged
              if string.sub(lease, 1, 1) == 'c' then
                unchanged = not fence and cleared and string.sub(lease, 2) == cleared
              else
                unchanged = (fence or '0') == lease
              end
              if unchanged then
                redis.call('SET', KEYS[i], ARGV[at + 1], 'PX', ARGV[at + 2])
                bump(KEYS[n + i], ARGV[1])
                reply[i] = 1
              else
                reply[i] = 0
              end
            end
            return reply
            """);

    /**
     * Changes the cache's fence, as {@link #BUMP} changes a key's: the first step of {@code deleteAll} where bulk reads
     * hand out the cache's fence as a lease (not on a Cluster). KEYS: the cache's fence. ARGV: its time to live in ms.
     * Returns the new fence.
     */
    static final LuaScript CLEAR = new LuaScript("CLEAR", BUMP + """
            return bump(KEYS[1], ARGV[1])
            """);

    /**
     * Writes many values and changes their fences, as {@link #PUT} writes one. KEYS: n values, then their n fences.
     * ARGV: fence time to live in ms, then per key its value and time to live in ms. Returns n.
     */
    static final LuaScript PUT_EACH = new LuaScript("PUT_EACH", BUMP + """
            local n = #KEYS / 2
            for i = 1, n do
              redis.call('SET', KEYS[i], ARGV[2 * i], 'PX', ARGV[2 * i + 1])
              bump(KEYS[n + i], ARGV[1])
            end
            return n
            """);

    /**
     * Deletes many values and changes their fences, as {@link #DELETE} deletes one. KEYS: n values, then their n
     * fences. ARGV: fence time to live in ms. Returns n.
     */
    static final LuaScript DELETE_EACH = new LuaScript("DELETE_EACH", BUMP + """
            local n = #KEYS / 2
            for i = 1, n do
              redis.call('UNLINK', KEYS[i])
              bump(KEYS[n + i], ARGV[1])
            end
            return n
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

    /**
     * Queues a run of the script by its SHA-1 on any pipeline (a Cluster's routes it by the keys' slot), and returns
     * its future reply; where the server does not know the script yet, the reply fails with {@code NOSCRIPT} (see
     * {@link #isNoScript}) and the script did not run.
     */
    Response<Object> queueBySha(PipeliningBase pipeline, List<byte[]> keys, List<byte[]> args) {
        return pipeline.evalsha(sha1, keys, args);
    }

    /** Returns whether {@code failure} says the server did not know the script, which then did not run. */
    static boolean isNoScript(RuntimeException failure) {
        return failure instanceof JedisNoScriptException
                || (failure instanceof JedisDataException
                        && String.valueOf(failure.getMessage()).startsWith("NOSCRIPT"));
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
