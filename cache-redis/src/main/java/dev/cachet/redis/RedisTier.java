package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import dev.cachet.CacheUnavailableException;
import dev.cachet.RemoteTierBusyException;
import dev.cachet.spi.InvalidationChannel;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.RemoteTier;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link RemoteTier} on Redis, standalone, under Sentinel or Cluster, through Jedis. Each cache gets a {@link RemoteStore} whose
 * keys live in their own namespace:
 *
 * <pre>{@code
 * <keyPrefix>:<name length>:<cache name>:{<key>}         value, e.g. cachet:5:users:{i:42}
 * <keyPrefix>:<name length>:<cache name>:{<key>}:lock    loader lock
 * <keyPrefix>:<name length>:<cache name>:{<key>}:fence   fencing counter
 * }</pre>
 *
 * <p>where {@code <key>} is the cache's encoded key: by default the key's type tag and value, such as {@code i:42} for
 * the Integer 42 and {@code s:42} for the String (see {@code RemoteConfig.keyEncoder()}).
 *
 * <p>The length (of the escaped name, in UTF-8 bytes) keeps cache {@code a} key {@code b:c} apart from cache {@code
 * a:b} key {@code c}. In names and keys {@code %}, <code>{</code> and <code>}</code> are written {@code %25}, {@code
 * %7B} and {@code %7D} (and an unpaired surrogate {@code %uXXXX}), so the braces are always Redis Cluster's hash tag:
 * a value, its lock and its fence share a slot. A key whose escaped form exceeds {@link RedisTierConfig#maxKeyLength()}
 * UTF-8 bytes is stored as {@code %sha256:<hex>} of that form, and the empty key as {@code %}; escaping never yields
 * either. Every key written has a time to live; fence keys live ten leases and at least an hour.
 *
 * <p>Every write, delete and lock of a key changes its fence counter in the same Lua script; a read returns the
 * fence as its lease, and {@link RemoteStore#putIfUnchanged} writes only if the fence still holds the lease (see
 * {@link RemoteStore}). Locks are {@code SET NX PX} with a random token; releasing deletes the lock only if it still
 * holds the token. Every change sets a fence to {@code max(fence, the server's clock in microseconds) + 1}, so fences
 * keep growing after an idle fence key expires, and after a failover that lost recent writes (Redis replicates
 * asynchronously) the new primary's first change jumps past every token the old one issued, as long as the two
 * servers' clocks differ by less than the failover took: a writer holding a lease from before can then write nothing.
 * Like any Redis lock, such a failover can still hand out a lock twice, and lose a write or a delete the old primary had
 * acknowledged.
 *
 * <p>Every Jedis failure (connection, timeout, Cluster redirection, error reply) reaches callers as a {@link
 * CacheUnavailableException} naming the cache, the operation and {@link #describe()}, never a password; when no pooled
 * connection is free within {@link RedisTierConfig#connectTimeout()}, as its subtype {@link RemoteTierBusyException}.
 * Operations after {@link #close()} fail the same way.
 *
 * <p>{@link #invalidations} carries a cache's invalidations over Redis pub/sub, for near caches; see {@link
 * RedisInvalidationChannel}.
 *
 * <p>Thread-safe. Stores are cached by name: {@link #store} returns the same instance for the same name.
 */
public final class RedisTier implements RemoteTier {
    private static final Logger logger = LoggerFactory.getLogger(RedisTier.class);
    private static final int CLUSTER_MAX_ATTEMPTS = 3;

    private final UnifiedJedis client;
    private final boolean ownsClient;
    private final boolean cluster;
    private final RedisTierConfig config;
    private final String description;
    private final Optional<String> password;
    private final Optional<InvalidationConnector> subscriberConnector;
    private final String originId = InvalidationMessage.newOriginId();
    private final ConcurrentMap<String, RedisStore> stores = new ConcurrentHashMap<>();
    private final Set<RedisInvalidationChannel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisTier(
            UnifiedJedis client,
            boolean ownsClient,
            RedisTierConfig config,
            String description,
            Optional<String> password,
            Optional<InvalidationConnector> subscriberConnector) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.cluster = isClusterClient(client);
        this.config = config;
        this.description = description;
        this.password = password;
        this.subscriberConnector = subscriberConnector;
    }

    /**
     * Connects to the standalone Redis at {@code uri} with the {@linkplain RedisTierConfig#defaults() default
     * configuration}; see {@link #connect(String, RedisTierConfig)}.
     *
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} is malformed
     */
    public static RedisTier connect(String uri) {
        return connect(uri, RedisTierConfig.defaults());
    }

    /**
     * Connects to the standalone Redis at {@code uri}: {@code redis://[[user]:password@]host[:port][/database]}, or
     * {@code rediss://...} for TLS with the JVM's trust store and host name verification. User and password are
     * percent-decoded; those of {@code config} take precedence. The port defaults to 6379. Connections are opened
     * lazily, so an unreachable server is reported by the first operation, not here.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code uri} is malformed (the message never shows its password), or names a
     *     user without a password
     */
    public static RedisTier connect(String uri, RedisTierConfig config) {
        ConnectionSettings settings = ConnectionSettings.parse(uri, config);
        if (settings.user().isPresent() && settings.password().isEmpty()) {
            throw new IllegalArgumentException(
                    "user '" + settings.user().get() + "' needs a password, in the uri or the config");
        }
        try {
            JedisClientConfig clientConfig = settings.clientConfig(config);
            RedisClient client = RedisClient.builder()
                    .hostAndPort(settings.hostAndPort())
                    .clientConfig(clientConfig)
                    .poolConfig(ConnectionSettings.poolConfig(config))
                    .build();
            InvalidationConnector subscriber =
                    InvalidationConnector.dedicated(clientConfig, () -> List.of(settings.hostAndPort()));
            return new RedisTier(
                    client, true, config, settings.describe(), settings.password(), Optional.of(subscriber));
        } catch (JedisException e) {
            throw new CacheUnavailableException(
                    "Cannot set up the connection pool to " + settings.describe() + ": "
                            + redact(e.toString(), settings.password()),
                    e);
        }
    }

    /**
     * Connects to a Redis Cluster through any of {@code nodes} (the rest of the topology is discovered), with the user
     * and password of {@code config}, with TLS when {@link RedisTierConfig#tls()} says so. A command redirected or failing over is retried up to three times
     * within three times the connect and socket timeouts.
     *
     * @throws NullPointerException if an argument or node is null
     * @throws IllegalArgumentException if {@code nodes} is empty, or {@code config} names a user without a password
     * @throws CacheUnavailableException if no node answers with the cluster's slot map
     */
    public static RedisTier cluster(Set<HostAndPort> nodes, RedisTierConfig config) {
        requireNonNull(nodes, "nodes");
        requireNonNull(config, "config");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("nodes must name at least one Cluster node, was empty");
        }
        for (HostAndPort node : nodes) {
            requireNonNull(node, "nodes element");
        }
        if (config.user().isPresent() && config.password().isEmpty()) {
            throw new IllegalArgumentException("user '" + config.user().get() + "' needs a password in the config");
        }
        String description = "redis-cluster://"
                + nodes.stream().map(HostAndPort::toString).sorted().collect(Collectors.joining(","));
        Duration retries = config.connectTimeout().plus(config.socketTimeout()).multipliedBy(CLUSTER_MAX_ATTEMPTS);
        JedisClientConfig builtConfig = clientConfig(config, config.user(), config.password());
        Set<HostAndPort> seeds = Set.copyOf(nodes);
        try {
            RedisClusterClient client = RedisClusterClient.builder()
                    .nodes(seeds)
                    .clientConfig(builtConfig)
                    .poolConfig(ConnectionSettings.poolConfig(config))
                    .maxAttempts(CLUSTER_MAX_ATTEMPTS)
                    .maxTotalRetriesDuration(retries)
                    .build();
            InvalidationConnector subscriber =
                    InvalidationConnector.dedicated(builtConfig, InvalidationConnector.clusterNodes(client, seeds));
            return new RedisTier(client, true, config, description, config.password(), Optional.of(subscriber));
        } catch (JedisException e) {
            throw new CacheUnavailableException(
                    "Cannot read the slot map of " + description + ": " + redact(e.toString(), config.password()), e);
        }
    }

    /**
     * Connects to the primary that Redis Sentinel names {@code masterName}, asking any of {@code sentinels} where it
     * is, and follows it across failovers: the tier listens on every Sentinel for {@code +switch-master} and moves its
     * connection pool to the promoted replica at once. Data nodes are reached with the user and password of {@code
     * config}, the Sentinels with its {@linkplain RedisTierConfig#sentinelUser() Sentinel user and password}, both
     * with TLS when {@link RedisTierConfig#tls()} says so. Invalidation channels subscribe on the current primary, so a
     * failover cuts them and they subscribe again on the new one, clearing their near tiers once.
     *
     * <p>While a failover runs, operations fail ({@link CacheUnavailableException}), so caches serve from their loader
     * (fail-open) until Sentinel has promoted a replica: typically {@code down-after-milliseconds} plus a second or
     * two. Writes the old primary acknowledged but had not yet replicated are lost, as with any Sentinel client; see
     * the class comment for what fences guarantee then.
     *
     * @throws NullPointerException if an argument or Sentinel is null
     * @throws IllegalArgumentException if {@code masterName} is blank, {@code sentinels} is empty, or {@code config}
     *     names a user (for the data nodes or the Sentinels) without a password
     * @throws CacheUnavailableException if no Sentinel answers, or none knows {@code masterName}
     */
    public static RedisTier sentinel(String masterName, Set<HostAndPort> sentinels, RedisTierConfig config) {
        requireNonNull(masterName, "masterName");
        requireNonNull(sentinels, "sentinels");
        requireNonNull(config, "config");
        if (masterName.isBlank()) {
            throw new IllegalArgumentException("masterName must not be blank, was '" + masterName + "'");
        }
        if (sentinels.isEmpty()) {
            throw new IllegalArgumentException("sentinels must name at least one Sentinel, was empty");
        }
        for (HostAndPort sentinel : sentinels) {
            requireNonNull(sentinel, "sentinels element");
        }
        if (config.user().isPresent() && config.password().isEmpty()) {
            throw new IllegalArgumentException("user '" + config.user().get() + "' needs a password in the config");
        }
        if (config.sentinelUser().isPresent() && config.sentinelPassword().isEmpty()) {
            throw new IllegalArgumentException(
                    "sentinelUser '" + config.sentinelUser().get() + "' needs a sentinelPassword in the config");
        }
        String description = "redis-sentinel://"
                + sentinels.stream().map(HostAndPort::toString).sorted().collect(Collectors.joining(","))
                + "/" + masterName;
        JedisClientConfig nodeConfig = clientConfig(config, config.user(), config.password());
        JedisClientConfig sentinelConfig = clientConfig(config, config.sentinelUser(), config.sentinelPassword());
        Optional<String> password = config.password().isPresent() ? config.password() : config.sentinelPassword();
        try {
            RedisSentinelClient client = RedisSentinelClient.builder()
                    .masterName(masterName)
                    .sentinels(Set.copyOf(sentinels))
                    .clientConfig(nodeConfig)
                    .sentinelClientConfig(sentinelConfig)
                    .poolConfig(ConnectionSettings.poolConfig(config))
                    .build();
            // The primary of the moment: a subscription there is cut by a failover, and renewed on the new primary.
            InvalidationConnector subscriber =
                    InvalidationConnector.dedicated(nodeConfig, () -> List.of(client.getCurrentMaster()));
            return new RedisTier(client, true, config, description, password, Optional.of(subscriber));
        } catch (JedisException e) {
            throw new CacheUnavailableException(
                    "Cannot find the primary '" + masterName + "' through " + description + ": "
                            + redact(redact(e.toString(), config.password()), config.sentinelPassword()),
                    e);
        }
    }

    /** Returns the configuration of a connection: the timeouts and TLS of {@code config}, and the credentials given. */
    private static JedisClientConfig clientConfig(
            RedisTierConfig config, Optional<String> user, Optional<String> password) {
        DefaultJedisClientConfig.Builder clientConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) config.connectTimeout().toMillis())
                .socketTimeoutMillis((int) config.socketTimeout().toMillis());
        user.ifPresent(clientConfig::user);
        password.ifPresent(clientConfig::password);
        if (config.tls()) {
            clientConfig.sslOptions(ConnectionSettings.sslOptions(config));
        }
        return clientConfig.build();
    }

    /**
     * Uses a client the caller made and owns: {@link #close()} leaves it open. A {@link RedisClusterClient} (or the
     * older {@code JedisCluster}) is treated as a Cluster, any other {@link UnifiedJedis} as one standalone server.
     * Only the key prefix, the maximum key length and, for invalidation channels, the timeouts of {@code config}
     * apply; the client brings its own connections, timeouts and credentials.
     *
     * @throws NullPointerException if an argument is null
     */
    public static RedisTier using(UnifiedJedis client, RedisTierConfig config) {
        requireNonNull(client, "client");
        requireNonNull(config, "config");
        String description = "redis via caller-owned " + client.getClass().getSimpleName();
        return new RedisTier(
                client, false, config, description, config.password(), InvalidationConnector.borrowing(client));
    }

    /**
     * Returns the store of cache {@code cacheName}, creating it on first use; the same instance afterwards.
     *
     * @throws NullPointerException if {@code cacheName} is null
     */
    @Override
    public RemoteStore store(String cacheName) {
        requireNonNull(cacheName, "cacheName");
        return stores.computeIfAbsent(
                cacheName,
                name -> new RedisStore(this, name, KeyLayout.of(config.keyPrefix(), name, config.maxKeyLength())));
    }

    /**
     * Returns a new invalidation channel of cache {@code cacheName} over Redis pub/sub, on channel {@code
     * <keyPrefix>:<name length>:<cache name>:invalidations}; see {@link RedisInvalidationChannel} for the message
     * format, the thread and the delivery guarantees. Channels of this tier share its origin id, so they never hear
     * each other, only other tiers (other processes). Its subscription holds one connection of its own (for {@link
     * #using}, one borrowed from the client); {@link #close()} closes every channel still open.
     *
     * @throws NullPointerException if {@code cacheName} is null
     * @throws UnsupportedOperationException if the tier was made by {@link #using} with a client that has no pool to
     *     borrow a connection from: only {@link RedisClient}, {@link redis.clients.jedis.JedisPooled}, {@link
     *     RedisClusterClient} and {@code JedisCluster} have one
     * @throws CacheUnavailableException if the tier is closed
     */
    @Override
    public InvalidationChannel invalidations(String cacheName) {
        requireNonNull(cacheName, "cacheName");
        InvalidationConnector connector = subscriberConnector.orElseThrow(
                () -> new UnsupportedOperationException(description + " carries no invalidation messages: a "
                        + client.getClass().getName() + " has no connection pool to hold a subscription on"));
        client(cacheName, "invalidations"); // fails once closed
        RedisInvalidationChannel channel = new RedisInvalidationChannel(
                this,
                cacheName,
                KeyLayout.of(config.keyPrefix(), cacheName, config.maxKeyLength())
                        .invalidationChannel(),
                originId,
                connector,
                channels::remove);
        channels.add(channel);
        if (closed.get()) {
            // Closed meanwhile, perhaps before close() saw the channel.
            channel.close();
            client(cacheName, "invalidations"); // throws, the tier being closed
        }
        return channel;
    }

    /**
     * Returns where the tier connects, without credentials: {@code redis://host:port} (with {@code /database} when
     * not 0), {@code rediss://...} for TLS, {@code redis-cluster://host:port,...} for a Cluster's seed nodes, {@code
     * redis-sentinel://host:port,.../masterName} for the Sentinels of a primary, or the client's class for {@link
     * #using}.
     */
    @Override
    public String describe() {
        return description;
    }

    /** Returns this tier's configuration. */
    public RedisTierConfig config() {
        return config;
    }

    /**
     * Closes the tier's invalidation channels and the connections the tier opened (not a client given to {@link
     * #using}); later operations of its stores throw {@link CacheUnavailableException}. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Before the client: a channel of a using() tier returns its borrowed connection to the client's pool.
        for (RedisInvalidationChannel channel : channels) {
            channel.close();
        }
        if (!ownsClient) {
            return;
        }
        try {
            client.close();
        } catch (RuntimeException e) {
            logger.warn("Closing the Redis connections to {} failed: {}", description, redact(e.toString(), password));
        }
    }

    @Override
    public String toString() {
        return "RedisTier[" + description + ']';
    }

    /**
     * Returns the client for an operation.
     *
     * @throws CacheUnavailableException if the tier is closed
     */
    UnifiedJedis client(String cacheName, String operation) {
        if (closed.get()) {
            throw new CacheUnavailableException(
                    "Redis " + operation + " for cache '" + cacheName + "' failed: the tier " + description
                            + " is closed",
                    null);
        }
        return client;
    }

    /**
     * Returns the exception for a Jedis failure of {@code operation} on cache {@code cacheName}: a {@link
     * RemoteTierBusyException} when no pooled connection was free within the wait (this process is busy, the server
     * may be fine: caches do not count it towards their circuit breaker), else a {@link CacheUnavailableException}.
     */
    CacheUnavailableException unavailable(String cacheName, String operation, JedisException cause) {
        String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        String message = "Redis " + operation + " for cache '" + cacheName + "' failed on " + description + ": "
                + redact(reason, password);
        if (isPoolExhausted(cause)) {
            return new RemoteTierBusyException(message + " (connection pool exhausted)", cause);
        }
        if (cause instanceof JedisConnectionException && !isTimeout(cause)) {
            discardIdleConnections();
        }
        return new CacheUnavailableException(message, cause);
    }

    /**
     * Returns whether borrowing a connection failed because every one was in use: commons-pool's "Timeout waiting for
     * idle object" (blocking pool) or "Pool exhausted", wrapped by Jedis in "Could not get a resource from the pool".
     * Its other failures (a new connection that cannot be opened or validated) are the server's.
     */
    static boolean isPoolExhausted(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoSuchElementException && cause.getMessage() != null) {
                String message = cause.getMessage();
                return message.startsWith("Timeout waiting for idle object") || message.startsWith("Pool exhausted");
            }
        }
        return false;
    }

    /** Returns whether a connection failure is a timeout: the server or the network is slow, not gone. */
    private static boolean isTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Drops the idle pooled connections of a standalone server after a connection failure other than a timeout (the
     * server closed or refused a connection): when the server died and came back, every connection that idled in the
     * pool meanwhile is dead too, and handing them out one by one would fail one call each (and, behind a cache,
     * reopen its circuit breaker each time). A timeout keeps them: it says the server or the network is slow, which
     * leaves the other connections as good as they were (Jedis closes the one that timed out), and reconnecting them
     * all, with TLS and AUTH, would add load just when the server is slow. Validating on every borrow (testOnBorrow)
     * would cost a PING round trip per operation instead.
     */
    private void discardIdleConnections() {
        if (ownsClient && client instanceof RedisClient standalone) {
            try {
                standalone.getPool().clear();
            } catch (RuntimeException e) {
                logger.debug("could not clear the idle connections of {}: {}", description, e.toString());
            }
        }
    }

    /** Returns whether the client talks to a Redis Cluster. */
    boolean isCluster() {
        return cluster;
    }

    /**
     * Returns the connection pools of the Cluster's nodes, masters and replicas, by {@code host:port}; empty for a
     * standalone server.
     */
    @SuppressWarnings("deprecation") // recognises the deprecated JedisCluster, still common in callers' code
    Map<String, ConnectionPool> clusterNodes() {
        if (client instanceof RedisClusterClient clusterClient) {
            return new LinkedHashMap<>(clusterClient.getClusterNodes());
        } else if (client instanceof redis.clients.jedis.JedisCluster legacy) {
            return new LinkedHashMap<>(legacy.getClusterNodes());
        }
        return Map.of();
    }

    @SuppressWarnings("deprecation") // recognises the deprecated JedisCluster, still common in callers' code
    private static boolean isClusterClient(UnifiedJedis client) {
        return client instanceof RedisClusterClient || client instanceof redis.clients.jedis.JedisCluster;
    }

    /** Blanks out the password wherever a message repeats it; defence in depth, Redis does not echo passwords. */
    private static String redact(String text, Optional<String> password) {
        if (password.isEmpty() || text == null) {
            return text;
        }
        return text.replace(password.get(), "***");
    }
}
