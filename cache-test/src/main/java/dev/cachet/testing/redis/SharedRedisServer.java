package dev.cachet.testing.redis;

import java.net.URI;

/**
 * The server every test of the run shares: an external {@code REDIS_URL} server, a container or a {@code
 * redis-server} process. Tests cannot kill or restart it, since that would break the tests that run after them.
 *
 * <p>Thread-safe (immutable; closing is left to the one owner, {@link RedisEnvironment}).
 */
final class SharedRedisServer implements RedisServer, AutoCloseable {
    private static final int DEFAULT_PORT = 6379;

    private final URI uri;
    private final String origin;
    private final Runnable stop;

    /**
     * @param uri where to connect
     * @param origin where the server comes from, for messages ({@code "REDIS_URL"}, {@code "a container"}, ...)
     * @param stop stops the server at the end of the run; does nothing for an external server
     */
    SharedRedisServer(URI uri, String origin, Runnable stop) {
        this.uri = uri;
        this.origin = origin;
        this.stop = stop;
    }

    @Override
    public String host() {
        return uri.getHost();
    }

    @Override
    public int port() {
        return uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
    }

    @Override
    public String uri() {
        return uri.toString();
    }

    @Override
    public void kill() {
        throw notKillable("killed");
    }

    @Override
    public void restart() {
        throw notKillable("restarted");
    }

    @Override
    public boolean isRunning() {
        return RedisProbe.answersPing(uri);
    }

    @Override
    public void flushAll() {
        try (var jedis = RedisProbe.connect(uri)) {
            jedis.flushAll();
        }
    }

    /** Stops the server unless it is external. */
    @Override
    public void close() {
        stop.run();
    }

    @Override
    public String toString() {
        return "shared Redis server from " + origin + " at " + host() + ":" + port();
    }

    private UnsupportedOperationException notKillable(String verb) {
        return new UnsupportedOperationException("The shared Redis server (from " + origin + ") cannot be " + verb
                + ": other tests use it. Annotate the parameter @Dedicated to get a redis-server process of the"
                + " test's own, which may be killed and restarted (needs redis-server on the PATH).");
    }
}
