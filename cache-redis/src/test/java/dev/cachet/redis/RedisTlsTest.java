package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheUnavailableException;
import dev.cachet.Cachet;
import dev.cachet.FailurePolicy;
import dev.cachet.RemoteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS ({@code rediss://}) against a real {@code redis-server} listening on TLS only, with a certificate made for the
 * test by {@code openssl}: the tier connects when told to trust that certificate, and refuses when it is not.
 */
class RedisTlsTest {
    @TempDir
    static Path dir;

    private static Process server;
    private static int port;

    @BeforeAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // makes an RSA key and starts a server: slow on a busy machine
    static void startTlsServer() throws Exception {
        run(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.crt");
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        server = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        "0",
                        "--tls-port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--tls-cert-file",
                        "server.crt",
                        "--tls-key-file",
                        "server.key",
                        "--tls-ca-cert-file",
                        "server.crt",
                        "--tls-auth-clients",
                        "no",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("server.crt"))) {
            trust.setCertificateEntry(
                    "redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
            trust.store(out, "changeit".toCharArray());
        }
        awaitListening();
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(command[0] + ".log").toFile())
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed: " + Files.readString(dir.resolve(command[0] + ".log")));
        }
    }

    private static void awaitListening() throws IOException {
        try {
            await("the TLS redis-server listens on port " + port)
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        try (java.net.Socket socket =
                                new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                            return socket.isConnected();
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(
                    "TLS redis-server did not listen: " + Files.readString(dir.resolve("redis.log")), e);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Cache<String, String> cache(RedisTier tier) {
        return Cachet.builder("tls")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1))
                .remote(
                        tier,
                        Codec.string(),
                        RemoteConfig.custom()
                                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                                .build())
                .build();
    }

    @Test
    void aTrustedServerCertificateConnects() {
        RedisTierConfig config = RedisTierConfig.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(2))
                .trustStore(dir.resolve("trust.p12"), "changeit")
                .build();
        try (RedisTier tier = RedisTier.connect("rediss://127.0.0.1:" + port, config)) {
            Cache<String, String> cache = cache(tier);
            cache.put("k", "over TLS");
            assertThat(cache.getIfPresent("k")).isEqualTo("over TLS");
            assertThat(tier.describe()).startsWith("rediss://");
        }
    }

    @Test
    void anUntrustedServerCertificateIsRefused() {
        RedisTierConfig config = RedisTierConfig.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(2))
                .build(); // the JVM's default trust store does not know the test certificate
        try (RedisTier tier = RedisTier.connect("rediss://127.0.0.1:" + port, config)) {
            assertThatThrownBy(() -> cache(tier).getIfPresent("k")).isInstanceOf(CacheUnavailableException.class);
        }
    }

    @Test
    void aPlainConnectionToATlsPortFails() {
        try (RedisTier tier = RedisTier.connect("redis://127.0.0.1:" + port)) {
            assertThatThrownBy(() -> cache(tier).getIfPresent("k")).isInstanceOf(CacheUnavailableException.class);
        }
    }
}
