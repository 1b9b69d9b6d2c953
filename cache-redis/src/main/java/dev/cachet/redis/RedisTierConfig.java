package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link RedisTier} connects and names its keys. Immutable; make one with {@link #builder()} or take {@link
 * #defaults()}. The canonical constructor checks each component as the builder's setters do.
 *
 * @param keyPrefix the first part of every key the tier writes: 1 to 64 characters from {@code [A-Za-z0-9._-]}
 *     (no {@code :}, so that two prefixes can never produce the same key; no braces, which would break the Cluster
 *     hash tag); default {@code cachet}
 * @param connectTimeout how long to wait for a TCP connection, and for a free pooled connection; 1 ms to {@link
 *     Integer#MAX_VALUE} ms; default 200 ms
 * @param socketTimeout how long to wait for a reply, and for Redis to confirm an invalidation channel's {@code
 *     SUBSCRIBE}; 1 ms to {@link Integer#MAX_VALUE} ms; default 200 ms
 * @param maxConnections connections per Redis node; at least 1; default 16
 * @param maxKeyLength the length in UTF-8 bytes above which a cache key (once escaped) is stored as its SHA-256
 *     hash; at least 72 (the length of the hashed form); default 512
 * @param user the ACL user, overriding the one in a connection URI; empty to keep the URI's (or the default user)
 * @param password the password, overriding the one in a connection URI; empty to keep the URI's (or none)
 * @param tls whether to connect with TLS even without a {@code rediss://} URI: the way to ask for TLS with {@link
 *     RedisTier#cluster}; default false
 * @param trustStore a PKCS12 or JKS trust store with the certificates that may sign the server's certificate; empty
 *     for the JVM's default trust store. The server's certificate must also name the host connected to.
 * @param trustStorePassword the trust store's password, if it has one
 * @param sentinelUser the ACL user to authenticate to Redis Sentinel's own processes with ({@link
 *     RedisTier#sentinel}); empty for none, or the default user
 * @param sentinelPassword the password for Sentinel's own processes, if they ask for one
 * @param heartbeatTimeout how long an invalidation channel's subscription may go without hearing from Redis before it
 *     is deemed half-open (a peer gone without a reset, a stopped server), cut, and renewed, the near tier being
 *     cleared; the channel sends {@code PING} every third of it, so a dead connection is noticed within about 4/3 of it.
 *     30 ms to {@link Integer#MAX_VALUE} ms; default 3 s
 */
public record RedisTierConfig(
        String keyPrefix,
        Duration connectTimeout,
        Duration socketTimeout,
        int maxConnections,
        int maxKeyLength,
        Optional<String> user,
        Optional<String> password,
        boolean tls,
        Optional<Path> trustStore,
        Optional<String> trustStorePassword,
        Optional<String> sentinelUser,
        Optional<String> sentinelPassword,
        Duration heartbeatTimeout) {

    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String DEFAULT_KEY_PREFIX = "cachet";
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(200);
    private static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofMillis(200);
    private static final int DEFAULT_MAX_CONNECTIONS = 16;
    private static final int DEFAULT_MAX_KEY_LENGTH = 512;
    private static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration MIN_HEARTBEAT_TIMEOUT = Duration.ofMillis(30);
    private static final RedisTierConfig DEFAULTS = builder().build();

    /**
     * Validates every component.
     *
     * @throws NullPointerException naming the component if one is null
     * @throws IllegalArgumentException naming the component and its value if one is out of range
     */
    public RedisTierConfig {
        requireNonNull(keyPrefix, "keyPrefix");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(socketTimeout, "socketTimeout");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        requireNonNull(trustStore, "trustStore");
        requireNonNull(trustStorePassword, "trustStorePassword");
        requireNonNull(sentinelUser, "sentinelUser");
        requireNonNull(sentinelPassword, "sentinelPassword");
        requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        checkKeyPrefix(keyPrefix);
        checkTimeout("connectTimeout", connectTimeout);
        checkTimeout("socketTimeout", socketTimeout);
        checkMaxConnections(maxConnections);
        checkMaxKeyLength(maxKeyLength);
        checkHeartbeatTimeout(heartbeatTimeout);
        user.ifPresent(name -> checkUser("user", name));
        password.ifPresent(secret -> checkPassword("password", secret));
        sentinelUser.ifPresent(name -> checkUser("sentinelUser", name));
        sentinelPassword.ifPresent(secret -> checkPassword("sentinelPassword", secret));
    }

    /** Returns the configuration with every default; see the components. */
    public static RedisTierConfig defaults() {
        return DEFAULTS;
    }

    /** Returns a new builder, with every option unset (that is, at its default). */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the configuration's components, with the password, if any, shown as {@code <set>}. */
    @Override
    public String toString() {
        return "RedisTierConfig[keyPrefix=" + keyPrefix + ", connectTimeout=" + connectTimeout + ", socketTimeout="
                + socketTimeout + ", maxConnections=" + maxConnections + ", maxKeyLength=" + maxKeyLength + ", user="
                + user.orElse("<none>") + ", password=" + (password.isPresent() ? "<set>" : "<none>") + ", tls=" + tls
                + ", trustStore=" + trustStore.map(Path::toString).orElse("<jvm default>") + ", trustStorePassword="
                + (trustStorePassword.isPresent() ? "<set>" : "<none>") + ", sentinelUser="
                + sentinelUser.orElse("<none>") + ", sentinelPassword="
                + (sentinelPassword.isPresent() ? "<set>" : "<none>") + ", heartbeatTimeout=" + heartbeatTimeout
                + ']';
    }

    // One check per component, shared by the canonical constructor and the builder's setters.

    private static String checkKeyPrefix(String keyPrefix) {
        if (!KEY_PREFIX.matcher(keyPrefix).matches()) {
            throw new IllegalArgumentException(
                    "keyPrefix must be 1 to 64 characters from [A-Za-z0-9._-], was '" + keyPrefix + "'");
        }
        return keyPrefix;
    }

    private static Duration checkTimeout(String name, Duration timeout) {
        if (timeout.compareTo(Duration.ofMillis(1)) < 0
                || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(
                    name + " must be between 1 ms and " + Integer.MAX_VALUE + " ms, was " + timeout);
        }
        return timeout;
    }

    private static Duration checkHeartbeatTimeout(Duration heartbeatTimeout) {
        if (heartbeatTimeout.compareTo(MIN_HEARTBEAT_TIMEOUT) < 0
                || heartbeatTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("heartbeatTimeout must be between " + MIN_HEARTBEAT_TIMEOUT.toMillis()
                    + " ms and " + Integer.MAX_VALUE + " ms, was " + heartbeatTimeout);
        }
        return heartbeatTimeout;
    }

    private static int checkMaxConnections(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        return maxConnections;
    }

    private static int checkMaxKeyLength(int maxKeyLength) {
        if (maxKeyLength < KeyLayout.HASHED_KEY_LENGTH) {
            throw new IllegalArgumentException("maxKeyLength must be at least " + KeyLayout.HASHED_KEY_LENGTH
                    + " bytes (the length of a hashed key), was " + maxKeyLength);
        }
        return maxKeyLength;
    }

    private static String checkUser(String component, String user) {
        if (user.isBlank()) {
            throw new IllegalArgumentException(component + " must not be blank, was '" + user + "'");
        }
        return user;
    }

    private static String checkPassword(String component, String password) {
        if (password.isEmpty()) {
            // Never echo a password, not even a wrong one.
            throw new IllegalArgumentException(component + " must not be empty");
        }
        return password;
    }

    /**
     * Builds a {@link RedisTierConfig}. Each option may be set once (a second call throws {@link
     * IllegalStateException} naming the option and its value; never a password's); unset options take their
     * defaults. Each setter checks its value at once, so the stack trace points at the bad line. Not thread-safe.
     */
    public static final class Builder {
        // Null while unset.
        private @Nullable String keyPrefix;
        private @Nullable Duration connectTimeout;
        private @Nullable Duration socketTimeout;
        private @Nullable Integer maxConnections;
        private @Nullable Integer maxKeyLength;
        private @Nullable String user;
        private @Nullable String password;
        private @Nullable Boolean tls;
        private @Nullable Path trustStore;
        private @Nullable String trustStorePassword;
        private @Nullable String sentinelUser;
        private @Nullable String sentinelPassword;
        private @Nullable Duration heartbeatTimeout;

        private Builder() {}

        /**
         * Connects with TLS even without a {@code rediss://} URI (the way to ask for TLS on a Cluster); see {@link
         * RedisTierConfig#tls()}.
         *
         * @throws IllegalStateException if already set
         */
        public Builder tls(boolean tls) {
            checkUnset("tls", this.tls);
            this.tls = tls;
            return this;
        }

        /**
         * Sets the trust store that checks the server's certificate; see {@link RedisTierConfig#trustStore()}.
         *
         * @param password the store's password, or null if it has none
         * @throws NullPointerException if {@code path} is null
         * @throws IllegalStateException if already set
         */
        public Builder trustStore(Path path, @Nullable String password) {
            checkUnset("trustStore", this.trustStore);
            this.trustStore = requireNonNull(path, "trustStore");
            this.trustStorePassword = password;
            return this;
        }

        /**
         * Sets the prefix of every key; see {@link RedisTierConfig#keyPrefix()}.
         *
         * @throws NullPointerException if {@code keyPrefix} is null
         * @throws IllegalArgumentException if {@code keyPrefix} is not 1 to 64 characters from {@code [A-Za-z0-9._-]}
         * @throws IllegalStateException if already set
         */
        public Builder keyPrefix(String keyPrefix) {
            checkUnset("keyPrefix", this.keyPrefix);
            this.keyPrefix = checkKeyPrefix(requireNonNull(keyPrefix, "keyPrefix"));
            return this;
        }

        /**
         * Sets the connect timeout; see {@link RedisTierConfig#connectTimeout()}.
         *
         * @throws NullPointerException if {@code connectTimeout} is null
         * @throws IllegalArgumentException if {@code connectTimeout} is not between 1 ms and {@link Integer#MAX_VALUE} ms
         * @throws IllegalStateException if already set
         */
        public Builder connectTimeout(Duration connectTimeout) {
            checkUnset("connectTimeout", this.connectTimeout);
            this.connectTimeout = checkTimeout("connectTimeout", requireNonNull(connectTimeout, "connectTimeout"));
            return this;
        }

        /**
         * Sets the socket (reply) timeout; see {@link RedisTierConfig#socketTimeout()}.
         *
         * @throws NullPointerException if {@code socketTimeout} is null
         * @throws IllegalArgumentException if {@code socketTimeout} is not between 1 ms and {@link Integer#MAX_VALUE} ms
         * @throws IllegalStateException if already set
         */
        public Builder socketTimeout(Duration socketTimeout) {
            checkUnset("socketTimeout", this.socketTimeout);
            this.socketTimeout = checkTimeout("socketTimeout", requireNonNull(socketTimeout, "socketTimeout"));
            return this;
        }

        /**
         * Sets how long an invalidation subscription may stay silent before it is cut as half-open; see {@link
         * RedisTierConfig#heartbeatTimeout()}.
         *
         * @throws NullPointerException if {@code heartbeatTimeout} is null
         * @throws IllegalArgumentException if {@code heartbeatTimeout} is not between 30 ms and {@link
         *     Integer#MAX_VALUE} ms
         * @throws IllegalStateException if already set
         */
        public Builder heartbeatTimeout(Duration heartbeatTimeout) {
            checkUnset("heartbeatTimeout", this.heartbeatTimeout);
            this.heartbeatTimeout = checkHeartbeatTimeout(requireNonNull(heartbeatTimeout, "heartbeatTimeout"));
            return this;
        }

        /**
         * Sets the number of connections per node; see {@link RedisTierConfig#maxConnections()}.
         *
         * @throws IllegalArgumentException if {@code maxConnections} is less than 1
         * @throws IllegalStateException if already set
         */
        public Builder maxConnections(int maxConnections) {
            checkUnset("maxConnections", this.maxConnections);
            this.maxConnections = checkMaxConnections(maxConnections);
            return this;
        }

        /**
         * Sets the key length above which keys are hashed; see {@link RedisTierConfig#maxKeyLength()}.
         *
         * @throws IllegalArgumentException if {@code maxKeyLength} is less than 72 (the length of a hashed key)
         * @throws IllegalStateException if already set
         */
        public Builder maxKeyLength(int maxKeyLength) {
            checkUnset("maxKeyLength", this.maxKeyLength);
            this.maxKeyLength = checkMaxKeyLength(maxKeyLength);
            return this;
        }

        /**
         * Sets the ACL user, overriding a connection URI's.
         *
         * @throws NullPointerException if {@code user} is null
         * @throws IllegalArgumentException if {@code user} is blank
         * @throws IllegalStateException if already set
         */
        public Builder user(String user) {
            checkUnset("user", this.user);
            this.user = checkUser("user", requireNonNull(user, "user"));
            return this;
        }

        /**
         * Sets the password, overriding a connection URI's. It never appears in messages, logs or {@code toString()}.
         *
         * @throws NullPointerException if {@code password} is null
         * @throws IllegalArgumentException if {@code password} is empty
         * @throws IllegalStateException if already set (the message never shows the password)
         */
        public Builder password(String password) {
            if (this.password != null) {
                throw new IllegalStateException("password was already set");
            }
            this.password = checkPassword("password", requireNonNull(password, "password"));
            return this;
        }

        /**
         * Sets the ACL user for Redis Sentinel's own processes; see {@link RedisTierConfig#sentinelUser()}. The user
         * and password of the data nodes are {@link #user} and {@link #password}.
         *
         * @throws NullPointerException if {@code sentinelUser} is null
         * @throws IllegalArgumentException if {@code sentinelUser} is blank
         * @throws IllegalStateException if already set
         */
        public Builder sentinelUser(String sentinelUser) {
            checkUnset("sentinelUser", this.sentinelUser);
            this.sentinelUser = checkUser("sentinelUser", requireNonNull(sentinelUser, "sentinelUser"));
            return this;
        }

        /**
         * Sets the password for Redis Sentinel's own processes; see {@link RedisTierConfig#sentinelPassword()}. It
         * never appears in messages, logs or {@code toString()}.
         *
         * @throws NullPointerException if {@code sentinelPassword} is null
         * @throws IllegalArgumentException if {@code sentinelPassword} is empty
         * @throws IllegalStateException if already set (the message never shows the password)
         */
        public Builder sentinelPassword(String sentinelPassword) {
            if (this.sentinelPassword != null) {
                throw new IllegalStateException("sentinelPassword was already set");
            }
            this.sentinelPassword =
                    checkPassword("sentinelPassword", requireNonNull(sentinelPassword, "sentinelPassword"));
            return this;
        }

        /** Returns the configuration; every value was checked when it was set. */
        public RedisTierConfig build() {
            return new RedisTierConfig(
                    keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix,
                    connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout,
                    socketTimeout == null ? DEFAULT_SOCKET_TIMEOUT : socketTimeout,
                    maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections,
                    maxKeyLength == null ? DEFAULT_MAX_KEY_LENGTH : maxKeyLength,
                    Optional.ofNullable(user),
                    Optional.ofNullable(password),
                    tls != null && tls,
                    Optional.ofNullable(trustStore),
                    Optional.ofNullable(trustStorePassword),
                    Optional.ofNullable(sentinelUser),
                    Optional.ofNullable(sentinelPassword),
                    heartbeatTimeout == null ? DEFAULT_HEARTBEAT_TIMEOUT : heartbeatTimeout);
        }

        private static void checkUnset(String option, @Nullable Object current) {
            if (current != null) {
                throw new IllegalStateException(option + " was already set to " + current);
            }
        }
    }
}
