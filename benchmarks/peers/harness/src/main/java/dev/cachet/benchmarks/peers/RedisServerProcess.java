package dev.cachet.benchmarks.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} for the peers' figures (a copy of the benchmarks module's, which the harness cannot depend on: that module brings Cachet and Jedis onto every peer's class path): started on a free loopback port, with persistence
 * off ({@code --save "" --appendonly no}), and stopped by {@link #close()}.
 */
public final class RedisServerProcess implements AutoCloseable {
    /** The executable, found on the {@code PATH}. */
    public static final String EXECUTABLE = "redis-server";

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;

    private RedisServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Returns whether {@code redis-server} can be run here. */
    public static boolean available() {
        try {
            Process probe = new ProcessBuilder(EXECUTABLE, "--version")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts a server and waits until it answers {@code PING}.
     *
     * @throws IllegalStateException if it cannot be started or does not answer within 10 s
     */
    public static RedisServerProcess start() {
        int port = freePort();
        Process process;
        try {
            process = new ProcessBuilder(List.of(
                            EXECUTABLE,
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start " + EXECUTABLE + " (is it installed and on the PATH?): " + e.getMessage(), e);
        }
        RedisServerProcess server = new RedisServerProcess(process, port);
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (!server.answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException(EXECUTABLE + " on port " + port + " did not answer PING within "
                        + STARTUP_LIMIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
                throw new IllegalStateException("interrupted while starting " + EXECUTABLE, e);
            }
        }
        return server;
    }

    /** Returns {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Returns the port. */
    public int port() {
        return port;
    }

    private boolean answersPing() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.read(reply);
            return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
