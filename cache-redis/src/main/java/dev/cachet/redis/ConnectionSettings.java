package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * Where and how to connect to one standalone Redis: what a {@code redis://} or {@code rediss://} URI says, with the
 * user and password of a {@link RedisTierConfig} taking precedence. {@link #toString()} never shows the password.
 *
 * @param hostAndPort the server
 * @param tls whether to connect with TLS ({@code rediss://}), verifying the server's certificate and host name
 * @param database the database index from the URI's path, 0 by default
 * @param user the ACL user, if any
 * @param password the password, if any
 */
record ConnectionSettings(
        HostAndPort hostAndPort, boolean tls, int database, Optional<String> user, Optional<String> password) {
    private static final int DEFAULT_PORT = 6379;

    ConnectionSettings {
        requireNonNull(hostAndPort, "hostAndPort");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
    }

    /**
     * Parses {@code redis://[[user]:password@]host[:port][/database]} (or {@code rediss://} for TLS); user and
     * password are percent-decoded. The config's user and password, when present, replace the URI's.
     *
     * <p>The user information ends at the last {@code @}, and is split off before {@link URI} parses the rest: a
     * password may then hold any character ({@code / @ # ? : %}, the last percent-encoded as {@code %25} when followed
     * by two hex digits), and never becomes part of a path, query or fragment that a message would repeat.
     *
     * @throws IllegalArgumentException if the URI is not of that form; the message never shows the password
     */
    static ConnectionSettings parse(String uri, RedisTierConfig config) {
        requireNonNull(uri, "uri");
        requireNonNull(config, "config");
        int schemeEnd = uri.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        boolean tls;
        if (scheme.equals("redis")) {
            tls = false;
        } else if (scheme.equals("rediss")) {
            tls = true;
        } else {
            // Nothing of the URI is shown: without a scheme we cannot tell where its password is.
            throw new IllegalArgumentException(
                    "uri must start with redis:// or rediss://; it is not shown as it may hold a password");
        }
        String authorityAndPath = uri.substring(schemeEnd + 3);
        int at = authorityAndPath.lastIndexOf('@');
        String userInfo = at < 0 ? null : authorityAndPath.substring(0, at);
        String address = authorityAndPath.substring(at + 1); // holds no user information, so it may be shown
        String shown = scheme + "://" + (userInfo == null ? "" : "***@") + address;
        URI parsed;
        try {
            parsed = new URI(scheme + "://" + address);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("uri is not a valid URI (" + e.getReason() + "), was " + shown);
        }
        String host = parsed.getHost();
        if (host == null || host.isEmpty() || parsed.getRawUserInfo() != null) {
            throw new IllegalArgumentException("uri must name a host, was " + shown);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = parsed.getPort() == -1 ? DEFAULT_PORT : parsed.getPort();
        if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
            throw new IllegalArgumentException("uri must have no query or fragment, was " + shown);
        }
        int database = database(parsed, shown);

        String uriUser = null;
        String uriPassword = null;
        if (userInfo != null) {
            if (userInfo.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException(
                        "uri user information must percent-encode spaces and control characters (%20, ...), in "
                                + shown);
            }
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(
                        "uri user information must be user:password or :password, in " + shown);
            }
            String rawUser = userInfo.substring(0, colon);
            String rawPassword = userInfo.substring(colon + 1);
            uriUser = rawUser.isEmpty() ? null : decode(rawUser, "user", shown);
            uriPassword = rawPassword.isEmpty() ? null : decode(rawPassword, "password", shown);
        }
        return new ConnectionSettings(
                new HostAndPort(host, port),
                tls,
                database,
                config.user().isPresent() ? config.user() : Optional.ofNullable(uriUser),
                config.password().isPresent() ? config.password() : Optional.ofNullable(uriPassword));
    }

    /** Returns the client configuration: timeouts from {@code config}, credentials, database and TLS. */
    JedisClientConfig clientConfig(RedisTierConfig config) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) config.connectTimeout().toMillis())
                .socketTimeoutMillis((int) config.socketTimeout().toMillis())
                .database(database);
        user.ifPresent(builder::user);
        password.ifPresent(builder::password);
        if (tls || config.tls()) {
            builder.sslOptions(sslOptions(config));
        }
        return builder.build();
    }

    /**
     * Returns the TLS options: FULL verification (the trust store checks the chain, and the certificate must name the
     * host), with the configured trust store or the JVM's.
     */
    static SslOptions sslOptions(RedisTierConfig config) {
        SslOptions.Builder ssl = SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL);
        config.trustStore().ifPresent(path -> {
            ssl.truststore(
                    path.toFile(),
                    config.trustStorePassword().map(String::toCharArray).orElse(null));
            ssl.trustStoreType(path.toString().endsWith(".jks") ? "JKS" : "PKCS12");
        });
        return ssl.build();
    }

    /** Returns the address as a URI without credentials, such as {@code redis://127.0.0.1:6379} or with {@code /2}. */
    String describe() {
        String host = hostAndPort.getHost();
        String shownHost = host.indexOf(':') >= 0 ? '[' + host + ']' : host;
        return (tls ? "rediss://" : "redis://")
                + shownHost
                + ':'
                + hostAndPort.getPort()
                + (database == 0 ? "" : "/" + database);
    }

    @Override
    public String toString() {
        return "ConnectionSettings[" + describe() + ", user=" + user.orElse("<none>") + ", password="
                + (password.isPresent() ? "<set>" : "<none>") + ']';
    }

    /**
     * Returns the pool settings for one node: {@code maxConnections} connections, and a wait for a free one bounded by
     * the connect timeout, so that an exhausted pool fails like an unreachable server instead of blocking forever.
     */
    static GenericObjectPoolConfig<Connection> poolConfig(RedisTierConfig config) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(config.maxConnections());
        pool.setMaxIdle(config.maxConnections());
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(config.connectTimeout());
        return pool;
    }

    private static int database(URI uri, String shown) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String digits = path.substring(1);
        if (!digits.isEmpty() && digits.length() <= 5 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Integer.parseInt(digits);
        }
        throw new IllegalArgumentException(
                "uri path must be empty or /<database index>, was '" + path + "' in " + shown);
    }

    private static String decode(String raw, String part, String shown) {
        try {
            // URLDecoder would turn '+' into a space; URIs keep it.
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // Not e's message, which repeats the bad escape and so part of the password.
            throw new IllegalArgumentException("uri " + part + " has a bad percent escape, in " + shown);
        }
    }
}
