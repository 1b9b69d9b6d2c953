package dev.cachet.testing.redis;

/**
 * A standalone Redis server a test talks to, resolved by {@link RedisExtension}.
 *
 * <p>Two kinds exist. The <em>shared</em> server (a plain {@code RedisServer} parameter) is one per test run, comes
 * from {@code REDIS_URL}, a Testcontainers container or a {@code redis-server} process, and is flushed before each
 * test class; it cannot be killed or restarted. A <em>dedicated</em> server (a parameter annotated {@link Dedicated})
 * is always a {@code redis-server} child process of the test JVM that the test may kill and restart.
 *
 * <p>Implementations are thread-safe.
 */
public interface RedisServer {

    /** Returns the host to connect to, {@code 127.0.0.1} for spawned servers. */
    String host();

    /** Returns the port to connect to; it stays the same across {@link #restart()}. */
    int port();

    /**
     * Returns the URI to connect to: {@code redis://127.0.0.1:PORT} for spawned servers and containers, the value of
     * {@code REDIS_URL} as given (possibly with credentials or a database) for an external server.
     */
    String uri();

    /**
     * Kills the server the way a crash would (SIGKILL: no shutdown, no save) and returns once its port refuses
     * connections. Does nothing if the server is already stopped.
     *
     * @throws UnsupportedOperationException for the shared server, which other tests use; ask for a {@link
     *     Dedicated} server instead
     * @throws IllegalStateException if the port still accepts connections 10 seconds later
     */
    void kill();

    /**
     * Starts the server again on the same port, killing it first if it runs, and returns once it answers PING. The
     * restarted server is empty: spawned servers never persist data.
     *
     * @throws UnsupportedOperationException for the shared server
     * @throws IllegalStateException if the server does not answer PING within 10 seconds (the message ends with its
     *     log) or the port has been taken meanwhile
     */
    void restart();

    /** Returns whether the server is up: the process is alive, or for the shared server, whether it answers PING. */
    boolean isRunning();

    /**
     * Deletes every key of every database (FLUSHALL).
     *
     * @throws redis.clients.jedis.exceptions.JedisConnectionException if the server is not running
     */
    void flushAll();
}
