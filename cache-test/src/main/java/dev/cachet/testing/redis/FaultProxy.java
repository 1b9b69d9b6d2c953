package dev.cachet.testing.redis;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy on loopback that puts network faults between clients and one server, such as a cache and its Redis:
 * point the client at {@link #port()} instead of the server's port, and switch the {@link Mode} at any time.
 *
 * <ul>
 *   <li>{@link Mode#PASS}: bytes flow both ways unchanged.
 *   <li>{@link Mode#BLACKHOLE}: a partition that outlasts TCP's retransmissions. Every connection open when it starts,
 *       and every one accepted while it lasts, is kept open but never delivers another byte either way, even after
 *       the mode changes back: its peers see silence (timeouts), not a closed socket, until they close it
 *       themselves. Connections accepted after the blackhole work normally.
 *   <li>{@link Mode#RESET}: every open connection is reset (RST) at once, and connections accepted while it lasts are
 *       reset as soon as they are accepted. The port stays bound, so that no other process can take it meanwhile; a
 *       client sees its connection refused at the first read or write.
 *   <li>{@link Mode#LATENCY}: each chunk of bytes read from either side waits the given time before it is passed on.
 * </ul>
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(redis.host(), redis.port())) {
 *     RedisTier tier = RedisTier.connect("redis://" + proxy.host() + ":" + proxy.port(), config);
 *     proxy.blackhole();   // calls time out from now on
 *     proxy.pass();        // new connections work again
 * }
 * }</pre>
 *
 * <p>Each connection has two platform threads, one per direction, and the proxy one more that accepts. Thread-safe:
 * mode switches are serialised with accepting, so a connection accepted during a switch gets the new mode.
 */
public final class FaultProxy implements AutoCloseable {
    /** What the proxy does to the connections it carries. */
    public enum Mode {
        /** Passes bytes through. */
        PASS,
        /** Delivers nothing, ever, on connections open during the blackhole. */
        BLACKHOLE,
        /** Resets every connection, open or new. */
        RESET,
        /** Delays each chunk by the set latency. */
        LATENCY
    }

    private static final String HOST = "127.0.0.1";
    private static final int BUFFER_BYTES = 16 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS; // written under this, read by the pumps without it
    private volatile long latencyNanos;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + listener.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Starts a proxy in {@link Mode#PASS} on a free loopback port, forwarding to {@code host:port}. The target need not
     * be up yet: a connection accepted while it is down is closed.
     *
     * @throws NullPointerException if {@code host} is null
     * @throws IllegalArgumentException if {@code port} is not a valid port
     * @throws UncheckedIOException if no loopback port can be bound
     */
    public static FaultProxy start(String host, int port) {
        requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName(HOST));
            FaultProxy proxy = new FaultProxy(new InetSocketAddress(host, port), listener);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind a loopback port for a proxy to " + host + ":" + port, e);
        }
    }

    /** Returns the host clients connect to: {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** Returns the port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Returns the current mode. */
    public Mode mode() {
        return mode;
    }

    /** Returns the number of client connections the proxy holds open, working or not. */
    public int openConnections() {
        return links.size();
    }

    /** Passes bytes through again, on new connections and on open ones that no blackhole silenced. */
    public synchronized void pass() {
        mode = Mode.PASS;
        latencyNanos = 0;
    }

    /** Silences every open connection for good, and every connection accepted until the mode changes. */
    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
        links.forEach(Link::silence);
    }

    /** Resets every open connection, and every connection accepted until the mode changes. */
    public synchronized void reset() {
        mode = Mode.RESET;
        links.forEach(Link::reset);
    }

    /**
     * Delays every chunk of bytes, either way, by {@code perChunk} until the mode changes.
     *
     * @throws NullPointerException if {@code perChunk} is null
     * @throws IllegalArgumentException if {@code perChunk} is negative
     */
    public synchronized void latency(Duration perChunk) {
        requireNonNull(perChunk, "perChunk");
        if (perChunk.isNegative()) {
            throw new IllegalArgumentException("perChunk must not be negative, was " + perChunk);
        }
        latencyNanos = perChunk.toNanos();
        mode = Mode.LATENCY;
    }

    /** Stops accepting and closes every connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // Closing anyway: the accept loop ends on the closed socket.
        }
        links.forEach(Link::close);
        try {
            acceptor.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + HOST + ":" + port() + " -> " + target.getHostString() + ":" + target.getPort() + ", "
                + mode
                + (mode == Mode.LATENCY ? " " + Duration.ofNanos(latencyNanos).toMillis() + " ms" : "") + "]";
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (this) {
                open(client);
            }
        }
    }

    /** Sets up one accepted connection according to the current mode; the caller holds the lock. */
    private void open(Socket client) {
        switch (mode) {
            case RESET -> Link.resetQuietly(client);
            case BLACKHOLE -> {
                Link link = new Link(this, client, null);
                link.silence();
                link.start();
            }
            case PASS, LATENCY -> {
                Socket server = new Socket();
                try {
                    server.connect(target);
                } catch (IOException e) {
                    Link.closeQuietly(server);
                    Link.closeQuietly(client); // the target is down: the client sees the connection closed
                    return;
                }
                new Link(this, client, server).start();
            }
        }
    }

    /** One client connection and, unless it was silenced from birth, its connection to the target. */
    private static final class Link {
        private final FaultProxy proxy;
        private final Socket client;
        private final @Nullable Socket server;
        private volatile boolean silenced;

        Link(FaultProxy proxy, Socket client, @Nullable Socket server) {
            this.proxy = proxy;
            this.client = client;
            this.server = server;
        }

        void start() {
            proxy.links.add(this);
            String name = "fault-proxy-" + proxy.port() + "-" + client.getPort();
            startPump(client, server, name + "-up");
            if (server != null) {
                startPump(server, client, name + "-down");
            }
        }

        private void startPump(Socket from, @Nullable Socket to, String name) {
            Thread pump = new Thread(() -> pump(from, to), name);
            pump.setDaemon(true);
            pump.start();
        }

        /** Copies {@code from} to {@code to} chunk by chunk, applying the mode, until either side ends. */
        private void pump(Socket from, @Nullable Socket to) {
            byte[] buffer = new byte[BUFFER_BYTES];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to == null ? null : to.getOutputStream();
                for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                    long delay = proxy.mode == Mode.LATENCY ? proxy.latencyNanos : 0;
                    if (delay > 0) {
                        Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
                    }
                    // Read and dropped, not left unread: a silenced peer must not see its writes block either.
                    if (!silenced && out != null) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // The connection ended (closed or reset): end the other direction too.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        void silence() {
            silenced = true;
        }

        void reset() {
            proxy.links.remove(this);
            resetQuietly(client);
            if (server != null) {
                resetQuietly(server);
            }
        }

        void close() {
            proxy.links.remove(this);
            closeQuietly(client);
            if (server != null) {
                closeQuietly(server);
            }
        }

        /** Closes with SO_LINGER 0, which makes the kernel send RST instead of FIN. */
        static void resetQuietly(Socket socket) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // Already closed: nothing to reset.
            }
            closeQuietly(socket);
        }

        static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // Best effort: the socket is unusable either way.
            }
        }
    }
}
