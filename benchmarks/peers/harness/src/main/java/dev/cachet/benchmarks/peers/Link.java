package dev.cachet.benchmarks.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One line-based loopback TCP connection between two JVMs of a multi-JVM figure: the driver and a peer's JVM, or the
 * writer and the reader of P13. A message is one line of text. Loopback TCP is what two processes of an application
 * would use to tell each other about a write, so a signal sent over it is no faster than a real user's. Not
 * thread-safe: one thread sends and receives.
 */
final class Link implements AutoCloseable {
    /** How long {@link #receive()} waits for a line before it gives up: a stuck peer fails the figure. */
    static final Duration RECEIVE_LIMIT = Duration.ofMinutes(3);

    private final Socket socket;
    private final BufferedReader in;
    private final Writer out;

    private Link(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) RECEIVE_LIMIT.toMillis());
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Connects to the listener on loopback port {@code port}. */
    static Link connect(int port) {
        try {
            return new Link(new Socket(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to loopback port " + port, e);
        }
    }

    /** Sends one line. */
    void send(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send '" + line + "'", e);
        }
    }

    /**
     * Returns the next line.
     *
     * @throws IllegalStateException if the other side closed the connection or sent nothing for {@link #RECEIVE_LIMIT}
     */
    String receive() {
        try {
            String line = in.readLine();
            if (line == null) {
                throw new IllegalStateException("the other side closed the link on port " + socket.getPort());
            }
            return line;
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("nothing received for " + RECEIVE_LIMIT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot receive", e);
        }
    }

    /**
     * Returns the next line, which must start with {@code word}, split at spaces and tabs (a result's line, see {@link
     * ResultLine}).
     *
     * @throws IllegalStateException if it starts with another word
     */
    String[] receive(String word) {
        String line = receive();
        String[] fields = line.split("[ \t]", -1);
        if (!fields[0].equals(word)) {
            throw new IllegalStateException("expected '" + word + " ...', received '" + line + "'");
        }
        return fields;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort: the figure is already measured.
        }
    }

    /** A loopback listener that accepts links. Not thread-safe. */
    static final class Listener implements AutoCloseable {
        private final ServerSocket server;

        /** Listens on a free loopback port. */
        Listener() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                server.setSoTimeout((int) RECEIVE_LIMIT.toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on loopback", e);
            }
        }

        /** Returns the port to {@link Link#connect} to. */
        int port() {
            return server.getLocalPort();
        }

        /** Accepts {@code count} links, in the order they connect. */
        List<Link> accept(int count) {
            List<Link> links = new ArrayList<>(count);
            try {
                for (int i = 0; i < count; i++) {
                    links.add(new Link(server.accept()));
                }
            } catch (IOException e) {
                links.forEach(Link::close);
                throw new UncheckedIOException("accepted " + links.size() + " of " + count + " links", e);
            }
            return links;
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // Best effort, as for a link.
            }
        }
    }
}
