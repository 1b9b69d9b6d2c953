package dev.cachet.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Opens the connection an {@link InvalidationSubscriber} holds its subscription on; the subscriber closes it when the
 * subscription ends. Made by {@link RedisTier}:
 *
 * <ul>
 *   <li>{@link RedisTier#connect}: a new connection of the channel's own to the server, with the tier's host, port,
 *       credentials, database, TLS and connect timeout, outside the tier's pool ({@link #dedicated});
 *   <li>{@link RedisTier#cluster}: the same, to a reachable node of the Cluster (a master or a replica, tried in random
 *       order among the nodes the client knows and the seeds, {@link #clusterNodes}), since every node relays every
 *       {@code PUBLISH};
 *   <li>{@link RedisTier#sentinel}: the same, to the primary Sentinel names at the time (a failover cuts the
 *       subscription, and the next attempt reaches the promoted replica);
 *   <li>{@link RedisTier#using}: a connection borrowed from the caller's client, for as long as the subscription lasts,
 *       from the pool of a {@link RedisClient} or {@link JedisPooled}, or of a reachable node of a {@link
 *       RedisClusterClient} or {@code JedisCluster} ({@link #borrowing}). The client's settings are not visible, so a
 *       connection of its own cannot be made; other clients (a {@link UnifiedJedis} over one connection, Sentinel,
 *       multi-database) cannot carry invalidations.
 * </ul>
 *
 * <p>{@link JedisPubSub#proceed} lifts the read timeout of that connection while subscribed; the subscriber's
 * heartbeat, not the socket, notices a connection that went silent. Implementations are thread-safe.
 */
@FunctionalInterface
interface InvalidationConnector {
    /**
     * Opens or borrows a connection.
     *
     * @throws JedisException if none can be had
     */
    Connection open();

    /**
     * Returns a connector that opens a new connection with {@code clientConfig} to the first of {@code nodes} that
     * accepts it, trying them in random order.
     */
    static InvalidationConnector dedicated(JedisClientConfig clientConfig, Supplier<Collection<HostAndPort>> nodes) {
        return () -> {
            List<HostAndPort> candidates = new ArrayList<>(nodes.get());
            Collections.shuffle(candidates, ThreadLocalRandom.current());
            JedisException last = new JedisConnectionException("no node to subscribe on");
            for (HostAndPort node : candidates) {
                try {
                    return new Connection(node, clientConfig);
                } catch (JedisException e) {
                    last = e;
                }
            }
            throw last;
        };
    }

    /** Returns the nodes of {@code client}'s current view of the Cluster, then the seed nodes. */
    static Supplier<Collection<HostAndPort>> clusterNodes(RedisClusterClient client, Set<HostAndPort> seeds) {
        return () -> {
            Set<HostAndPort> nodes = new LinkedHashSet<>();
            try {
                client.getClusterNodes().keySet().forEach(node -> nodes.add(HostAndPort.from(node)));
            } catch (RuntimeException e) {
                // The client may be closing; the seeds still serve.
                LoggerFactory.getLogger(InvalidationConnector.class)
                        .debug("Cannot list the Cluster's nodes: {}", e.toString());
            }
            nodes.addAll(seeds);
            return nodes;
        };
    }

    /**
     * Returns a connector that borrows a connection from {@code client}'s pool, or empty when the client has no pool to
     * borrow from.
     */
    @SuppressWarnings("deprecation") // recognises the deprecated JedisCluster, still common in callers' code
    static Optional<InvalidationConnector> borrowing(UnifiedJedis client) {
        if (client instanceof RedisClient pooled) {
            return Optional.of(() -> pooled.getPool().getResource());
        }
        if (client instanceof JedisPooled pooled) {
            return Optional.of(() -> pooled.getPool().getResource());
        }
        if (client instanceof RedisClusterClient cluster) {
            return Optional.of(() -> anyNode(cluster.getClusterNodes().values()));
        }
        if (client instanceof redis.clients.jedis.JedisCluster legacy) {
            return Optional.of(() -> anyNode(legacy.getClusterNodes().values()));
        }
        return Optional.empty();
    }

    /** Borrows a connection from the first node, in random order, that answers PING. */
    private static Connection anyNode(Collection<ConnectionPool> pools) {
        List<ConnectionPool> candidates = new ArrayList<>(pools);
        Collections.shuffle(candidates, ThreadLocalRandom.current());
        JedisException last = new JedisConnectionException("no node to subscribe on");
        for (ConnectionPool pool : candidates) {
            Connection borrowed = null;
            try {
                borrowed = pool.getResource();
                borrowed.ping();
                return borrowed;
            } catch (JedisException e) {
                last = e;
                if (borrowed != null) {
                    borrowed.close();
                }
            }
        }
        throw last;
    }
}
