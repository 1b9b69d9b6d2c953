package dev.cachet.spring.autoconfigure;

import dev.cachet.FailurePolicy;
import dev.cachet.spring.CacheTier;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Cachet's Spring Boot properties, the ones whose names start with "cachet.":
 *
 * <pre>{@code
 * cachet:
 *   redis:
 *     url: redis://localhost:6379          # or cluster.nodes: [host:port, ...], or sentinel.master and
 *                                          # sentinel.nodes: [host:port, ...]; absent = in-memory caches only
 *   caches:
 *     prices:
 *       tier: near                         # local (default), remote or near
 *       expire-after-write: 30s            # the Redis time to live; required for remote and near
 *       maximum-size: 1000                 # the local copy's bound (default 10000; alias near-maximum-size)
 *       near-expire-after-write: 5s        # how stale a local copy may get if an invalidation is lost; required
 *       acknowledged-invalidation: 100ms   # a write returns once the other processes dropped their copies, or
 *                                          # after this long (near caches only; unset, writes do not wait)
 *       value-type: com.example.Price      # values cross Redis as JSON of this type (or java.util.List<...>)
 *     sessions:
 *       maximum-size: 10000
 *       expire-after-access: 10m
 *       cache-nulls: 30s                   # cache null values for that long (Spring's allowNullValues)
 *     rates:
 *       expire-after-write: 1m
 *       stale-if-error: 10m                # an expired value returned when its reload fails
 *       refresh-after-write: 1m            # a value this old is returned and reloaded in the background
 * }</pre>
 *
 * <p>Wrong values fail the startup with a message naming the property. Immutable.
 *
 * @param enabled Whether Cachet's auto-configuration applies at all
 * @param redis The Redis tier that remote and near caches use
 * @param caches The caches to build at startup, by name
 * @param cacheManager The Spring CacheManager backed by Cachet's caches
 */
@ConfigurationProperties("cachet")
public record CachetProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue Redis redis,
        @Nullable Map<String, CacheDefinition> caches,
        @DefaultValue CacheManager cacheManager) {

    /** Copies the caches, keeping their declaration order; no caches is an empty map, never null. */
    public CachetProperties {
        caches = caches == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(caches));
    }

    /**
     * The Redis server, Cluster or primary under Sentinel. Set one of {@code url}, {@code cluster.nodes} and {@code
     * sentinel}; unset options take the defaults of {@code RedisTierConfig}.
     *
     * @param url The standalone server, redis://[[user]:password@]host[:port][/database] or rediss://... for TLS
     * @param cluster The Redis Cluster to use instead of a standalone server
     * @param sentinel The primary under Redis Sentinel to use instead of a standalone server
     * @param keyPrefix The first part of every key written (default cachet)
     * @param connectTimeout How long to wait for a connection (default 200 ms)
     * @param socketTimeout How long to wait for a reply (default 200 ms)
     * @param maxConnections Connections per Redis node (default 16)
     * @param user The ACL user, overriding the url's
     * @param password The password, overriding the url's
     */
    public record Redis(
            @Nullable String url,
            @DefaultValue Cluster cluster,
            @DefaultValue Sentinel sentinel,
            @Nullable String keyPrefix,
            @Nullable Duration connectTimeout,
            @Nullable Duration socketTimeout,
            @Nullable Integer maxConnections,
            @Nullable String user,
            @Nullable String password) {

        /** Keeps the password out of logs and reports. */
        @Override
        public String toString() {
            return "Redis[url=" + (url == null ? null : RedisUris.redact(url)) + ", cluster=" + cluster
                    + ", sentinel=" + sentinel + ", keyPrefix=" + keyPrefix + ", connectTimeout=" + connectTimeout
                    + ", socketTimeout="
                    + socketTimeout + ", maxConnections=" + maxConnections + ", user=" + user + ", password="
                    + (password == null ? "<none>" : "<set>") + "]";
        }
    }

    /**
     * A Redis Cluster.
     *
     * @param nodes Some of the Cluster's nodes, as host:port; the rest of the topology is discovered
     */
    public record Cluster(@Nullable List<String> nodes) {

        /** Copies the nodes; no Cluster is an empty list, never null. */
        public Cluster {
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
        }
    }

    /**
     * A primary under Redis Sentinel, which the tier follows across failovers. The data nodes take {@code
     * cachet.redis.user} and {@code password}; the Sentinels themselves the user and password here.
     *
     * @param master The name the Sentinels monitor the primary under
     * @param nodes The Sentinels, as host:port
     * @param user The ACL user of the Sentinels, if they ask for one
     * @param password The password of the Sentinels, if they ask for one
     */
    public record Sentinel(
            @Nullable String master,
            @Nullable List<String> nodes,
            @Nullable String user,
            @Nullable String password) {

        /** Copies the nodes; none is an empty list, never null. */
        public Sentinel {
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
        }

        /** Returns whether any Sentinel setting is given. */
        boolean isSet() {
            return (master != null && !master.isBlank()) || !nodes.isEmpty();
        }

        /** Keeps the password out of logs and reports. */
        @Override
        public String toString() {
            return "Sentinel[master=" + master + ", nodes=" + nodes + ", user=" + user + ", password="
                    + (password == null ? "<none>" : "<set>") + "]";
        }
    }

    /**
     * One cache to build at startup. Which options apply depends on the tier; setting one that does not apply fails
     * the startup rather than being ignored.
     *
     * @param tier Where values live: local (default), remote or near
     * @param maximumSize Local: about how many entries to keep; near: the local copy's entry bound (as
     *     near-maximum-size); not for remote caches
     * @param expireAfterWrite How long an entry lives after it was written; for remote and near caches the Redis
     *     time to live, required
     * @param expireAfterAccess Local: how long an entry lives after it was last read or written
     * @param nearMaximumSize Near: the local copy's entry bound (default 10000); the same as maximum-size, set one
     * @param nearExpireAfterWrite Near: how long a local copy lives, so how stale it may get if an invalidation
     *     message is lost; required
     * @param valueType Remote and near: the type values are encoded as JSON of (Jackson 2, no type ids in the
     *     payload): a class ({@code com.example.Price}) or a generic type in Jackson's canonical form ({@code
     *     java.util.List<com.example.Quote>}); implies codec json
     * @param codec Remote and near: how values are encoded: json (needs value-type), string, long, integer, double or
     *     bytes
     * @param copier Local and near: how values are copied in and out of local memory: defensive (default: immutable
     *     values pass, JDK collections are copied, other types rejected), identity (for immutable types) or
     *     serializing
     * @param failurePolicy Remote and near: what callers see while Redis is unreachable: fail-open (default: the
     *     loader's value) or fail-closed (an exception)
     * @param cacheNulls How long a null value is cached (positive); unset, nulls are not cached. With it the Spring
     *     cache allows null values as Spring's own caches do
     * @param staleIfError How long an expired value is kept to be returned when its reload fails (positive); needs
     *     expire-after-write. On remote and near caches Redis keeps each value that much longer, and a near tier its
     *     copies, served while Redis is down and the source fails
     * @param refreshAfterWrite How long after a value was written a read through a loader (a {@code @Cached} method,
     *     {@code @Cacheable(sync = true)}) returns it and reloads it in the background (positive, shorter than
     *     expire-after-write, which a local cache needs); on remote and near caches one process refreshes, under the
     *     Redis lock, and every process then reads the new value
     * @param acknowledgedInvalidation Near: how long a write or invalidation waits at most, once sent, for every other
     *     process to say it dropped its copy (positive, such as 100ms); each outcome is counted as acknowledged or
     *     unacknowledged in the near stats. Unset, writes do not wait
     */
    public record CacheDefinition(
            @DefaultValue("local") CacheTier tier,
            @Nullable Long maximumSize,
            @Nullable Duration expireAfterWrite,
            @Nullable Duration expireAfterAccess,
            @Nullable Long nearMaximumSize,
            @Nullable Duration nearExpireAfterWrite,
            @Nullable String valueType,
            @Nullable CodecType codec,
            @Nullable CopierType copier,
            @Nullable FailurePolicy failurePolicy,
            @Nullable Duration cacheNulls,
            @Nullable Duration staleIfError,
            @Nullable Duration refreshAfterWrite,
            @Nullable Duration acknowledgedInvalidation) {}

    /**
     * The Spring {@code CacheManager} backed by Cachet's caches.
     *
     * @param enabled Whether to define it (when the application defines no CacheManager of its own)
     */
    public record CacheManager(@DefaultValue("true") boolean enabled) {}

    /** How a remote or near cache encodes its values; see {@code dev.cachet.redis.Codec}. */
    public enum CodecType {
        /** JSON of the cache's {@code value-type}. */
        JSON,
        /** Strings as UTF-8. */
        STRING,
        /** Longs as decimal text. */
        LONG,
        /** Integers as decimal text. */
        INTEGER,
        /** Doubles as decimal text. */
        DOUBLE,
        /** Byte arrays as they are. */
        BYTES
    }

    /** How a cache copies values in and out of local memory; see {@code dev.cachet.Copier}. */
    public enum CopierType {
        /** {@code Copier.defensive()}: immutable values pass, JDK collections are copied, other types are rejected. */
        DEFENSIVE,
        /** {@code Copier.identity()}: no copies, for immutable types. */
        IDENTITY,
        /** {@code Copier.serializing()}: a copy through Java serialisation. */
        SERIALIZING
    }
}
