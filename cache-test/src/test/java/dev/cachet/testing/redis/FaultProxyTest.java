package dev.cachet.testing.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's modes against a loopback echo server. */
class FaultProxyTest {
    private static final int READ_TIMEOUT_MILLIS = 300;

    private ServerSocket echo;
    private Thread echoAcceptor;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        echoAcceptor = new Thread(this::echoLoop, "echo-accept");
        echoAcceptor.setDaemon(true);
        echoAcceptor.start();
        proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        proxy.close();
        echo.close();
        echoAcceptor.join(5_000);
    }

    @Test
    void passCarriesBytesBothWays() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
            assertThat(roundTrip(socket, "again")).isEqualTo("again");
        }
        assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.PASS);
    }

    @Test
    void blackholeSilencesOpenAndNewConnectionsForGoodButNotLaterOnes() throws IOException {
        try (Socket before = connect()) {
            assertThat(roundTrip(before, "up")).isEqualTo("up");
            proxy.blackhole();
            assertThatThrownBy(() -> roundTrip(before, "lost")).isInstanceOf(SocketTimeoutException.class);
            try (Socket during = connect()) {
                assertThatThrownBy(() -> roundTrip(during, "lost")).isInstanceOf(SocketTimeoutException.class);
                proxy.pass();
                assertThatThrownBy(() -> roundTrip(during, "still lost")).isInstanceOf(SocketTimeoutException.class);
            }
            assertThatThrownBy(() -> roundTrip(before, "still lost")).isInstanceOf(SocketTimeoutException.class);
            assertThat(before.isClosed()).isFalse();
        }
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "back")).isEqualTo("back");
        }
    }

    @Test
    void resetBreaksOpenAndNewConnectionsUntilPass() throws IOException {
        try (Socket before = connect()) {
            assertThat(roundTrip(before, "up")).isEqualTo("up");
            proxy.reset();
            assertThatThrownBy(() -> roundTrip(before, "gone")).isInstanceOf(SocketException.class);
        }
        try (Socket during = connect()) {
            // Accepted, then reset at once: the read sees the reset (or the end of the stream, if the RST came first).
            assertThatThrownBy(() -> roundTrip(during, "gone")).isInstanceOf(IOException.class);
        }
        proxy.pass();
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "back")).isEqualTo("back");
        }
    }

    @Test
    void latencyDelaysEachChunk() throws IOException {
        try (Socket socket = connect()) {
            proxy.latency(Duration.ofMillis(50));
            long start = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            // One chunk each way: at least twice the latency.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            proxy.pass();
            assertThat(roundTrip(socket, "fast")).isEqualTo("fast");
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> FaultProxy.start("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> proxy.latency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.001S");
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(proxy.host(), proxy.port());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /** Sends {@code text} and reads as many bytes back; end of stream is reported as a reset. */
    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] sent = text.getBytes(UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(sent);
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] received = new byte[sent.length];
        int total = 0;
        while (total < sent.length) {
            int read = in.read(received, total, sent.length - total);
            if (read == -1) {
                throw new SocketException("end of stream after " + total + " bytes");
            }
            total += read;
        }
        return new String(Arrays.copyOf(received, total), UTF_8);
    }

    private void echoLoop() {
        while (!echo.isClosed()) {
            try {
                Socket socket = echo.accept();
                Thread echoer = new Thread(() -> echoUntilClosed(socket), "echo");
                echoer.setDaemon(true);
                echoer.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echoUntilClosed(Socket socket) {
        try (socket) {
            socket.getInputStream().transferTo(socket.getOutputStream());
        } catch (IOException e) {
            // The proxy closed or reset it.
        }
    }
}
