package dev.cachet.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script the store runs atomically, by its SHA-1 ({@code EVALSHA}), sending the text only when the server (or
 * the Cluster node owning the keys) does not know it yet. Every script's keys share one hash tag, so that it runs on
 * Cluster too. Scripts return integers, and {@link #GET_AT_MOST} also a string: RESP2 and RESP3 agree on those,
 * unlike on Lua's {@code false}.
 *
 * <p>Immutable and thread-safe.
 */
final class LuaScript {
    /**
     * Takes the lock and draws the next fencing token, in one step. KEYS: lock, fence. ARGV: token, lease in ms, fence
     * time to live in ms. Returns the fencing token, or 0 when the lock is held. A missing fence starts at the server's
     * clock in microseconds, so tokens keep growing even after an idle fence key expired.
     */
    static final LuaScript LOCK = new LuaScript("LOCK", """
            if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
              return 0
            end
            if redis.call('EXISTS', KEYS[2]) == 0 then
              local now = redis.call('TIME')
              redis.call('SET', KEYS[2], now[1] .. string.format('%06d', tonumber(now[2])))
            end
            local token = redis.call('INCR', KEYS[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            return token
            """);

    /** Deletes the lock only if it still holds our token. KEYS: lock. ARGV: token. Returns 1 if deleted, else 0. */
    static final LuaScript UNLOCK = new LuaScript("UNLOCK", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    /**
     * Writes the value only if no newer lock drew a fencing token since ours. KEYS: value, fence. ARGV: fencing token,
     * value, time to live in ms. Returns 1 if written, else 0.
     */
    static final LuaScript PUT_FENCED = new LuaScript("PUT_FENCED", """
            if redis.call('GET', KEYS[2]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """);

    /**
     * Reads a value only if it is not longer than a limit, in one round trip: {@code STRLEN} first, so that Redis never
     * sends an oversized value. KEYS: value. ARGV: the most bytes to send. Returns the value, its length when that
     * exceeds the limit, or -1 when absent. Run with {@link #call}, not {@link #run}: its reply is not an integer.
     */
    static final LuaScript GET_AT_MOST = new LuaScript("GET_AT_MOST", """
            local length = redis.call('STRLEN', KEYS[1])
            if length > tonumber(ARGV[1]) then
              return length
            end
            local value = redis.call('GET', KEYS[1])
            if not value then
              return -1
            end
            return value
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

    @Override
    public String toString() {
        return name;
    }

    private static byte[] sha1(byte[] bytes) {
        try {
            // Redis names scripts by SHA-1; no security depends on it.
            return MessageDigest.getInstance("SHA-1").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }
}
