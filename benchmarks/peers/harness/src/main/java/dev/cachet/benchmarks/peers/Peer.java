package dev.cachet.benchmarks.peers;

import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A caching library measured against Cachet, as one peer module provides it: the ways it can be set up ({@link
 * #variants()}) and a factory for each. Each peer module registers exactly one implementation in {@code
 * META-INF/services/dev.cachet.benchmarks.peers.Peer}; it runs in its own JVM, with its own class path.
 *
 * <p>Implementations are stateless and thread-safe; the caches they open are not shared between variants.
 */
public interface Peer {
    /** Returns the library and its version as the report names it, e.g. {@code Redisson 3.52.0}. */
    String library();

    /** Returns the variants this peer offers, in report order; ids are unique across all peers. */
    List<Variant> variants();

    /**
     * Opens a fresh cache of {@code variantId} (connections, clients, near tier) against the Redis server at {@code
     * host:port}, whose values live for the workload's TTL ({@link Workload#TTL}). The caller closes it.
     *
     * @throws IllegalArgumentException if this peer has no such variant
     */
    default PeerCache open(String variantId, String host, int port) {
        return open(variantId, host, port, Workload.TTL);
    }

    /**
     * Opens a fresh cache of {@code variantId} as {@link #open(String, String, int)} does, whose values live for {@code
     * ttl} in Redis (P12 waits for them to expire). A near tier keeps its copies for no longer.
     *
     * @throws IllegalArgumentException if this peer has no such variant
     */
    PeerCache open(String variantId, String host, int port, Duration ttl);

    /**
     * Returns the one {@code Peer} on the class path.
     *
     * @throws IllegalStateException if there is none, or more than one
     */
    static Peer load() {
        List<Peer> peers = ServiceLoader.load(Peer.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        if (peers.size() != 1) {
            throw new IllegalStateException("expected exactly one " + Peer.class.getName()
                    + " on the class path (one peer module per JVM), found " + peers.size() + ": " + peers);
        }
        return peers.get(0);
    }

    /**
     * Returns the variant with {@code id}.
     *
     * @throws IllegalArgumentException if this peer has no such variant
     */
    default Variant variant(String id) {
        return variants().stream()
                .filter(v -> v.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(library() + " has no variant '" + id + "'; it has "
                        + variants().stream().map(Variant::id).toList()));
    }
}
