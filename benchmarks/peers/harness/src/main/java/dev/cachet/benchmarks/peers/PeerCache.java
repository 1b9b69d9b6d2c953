package dev.cachet.benchmarks.peers;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A peer's cache, as the workload drives it: String keys to String values, each call the library's idiomatic one
 * (named in the variant's configuration). Implementations are thread-safe, as the libraries' caches are.
 */
public interface PeerCache extends AutoCloseable {
    /**
     * Returns the value of {@code key}, calling {@code loader} (and storing its value) only if the cache has none: the
     * read-through call of the library ({@code Cache.get(k, loader)}, {@code computeIfAbsent}, or get-then-set where the
     * library has no such call).
     */
    String get(String key, Function<String, String> loader);

    /** Stores {@code value} under {@code key} with the TTL the cache was opened with ({@link Workload#TTL} unless said). */
    void put(String key, String value);

    /**
     * Returns the values of {@code keys} that are present, by the library's bulk read if it has one, otherwise by
     * reading each key in turn (see {@link Variant#bulkGetAll()}).
     */
    Map<String, String> getAll(List<String> keys);

    /** Closes the cache and everything it opened (clients, connections, threads). */
    @Override
    void close();
}
