package dev.cachet.benchmarks.environment;

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
 * A throw-away {@code redis-server} for the Redis figures (the ratio report's P5–P7, the peers' figures): started on a
 * free loopback port, with persistence off ({@code --save "" --appendonly no}), and stopped by {@link #close()}. For
 * the peers' outage figure it can be killed ({@link #kill()}, {@code SIGKILL}) and started again, empty, on the same
 * port ({@link #restart()}). Not thread-safe: one thread drives it.
 */
public final class RedisServerProcess implements AutoCloseable {
    /** The executable, found on the {@code PATH}. */
    public static final String EXECUTABLE = "redis-server";

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(10);

    private final int port;
    private Process process;

    private RedisServerProcess(int port) {
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
     * Starts a server on a free loopback port and waits until it answers {@code PING}.
     *
     * @throws IllegalStateException if it cannot be started or does not answer within 10 s
     */
    public static RedisServerProcess start() {
        RedisServerProcess server = new RedisServerProcess(freePort());
        server.launch();
        return server;
    }

    /**
     * Kills the server with {@code SIGKILL} (no shutdown, no goodbye to its clients, as a crash) and waits until it is
     * gone.
     *
     * @throws IllegalStateException if it is still running 5 s later
     */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException(EXECUTABLE + " on port " + port + " survived SIGKILL for 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + EXECUTABLE + " on port " + port, e);
        }
    }

    /**
     * Starts the server again, empty, on the same port, after {@link #kill()} or {@link #close()}, and waits until it
     * answers {@code PING}.
     *
     * @throws IllegalStateException if it is still running, or cannot be started, or does not answer within 10 s
     */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(EXECUTABLE + " on port " + port + " is still running: kill it first");
        }
        launch();
    }

    private void launch() {
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
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(EXECUTABLE + " on port " + port + " did not answer PING within "
                        + STARTUP_LIMIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while starting " + EXECUTABLE, e);
            }
        }
    }

    /** Returns {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Returns the port. */
    public int port() {
        return port;
    }

    /** Returns whether the server answers {@code PING} within a second. */
    public boolean answersPing() {
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
