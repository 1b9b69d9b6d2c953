package dev.cachet.benchmarks.peers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
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

    /** A library's read-through call, what {@link PeerCache#get} does. */
    @FunctionalInterface
    interface ReadThrough {
        /** Returns the value of {@code key}, loading it with {@code loader} if the cache has none. */
        String get(String key, Function<String, String> loader);
    }

    /**
     * Returns a cache made of a library's calls, each the one its method above names. Thread-safe if the calls are.
     *
     * @param get the read-through call
     * @param put the write
     * @param getAll the bulk read ({@link #readEach} where the library has none)
     * @param close what closes the library's cache, clients and threads
     */
    static PeerCache of(
            ReadThrough get,
            BiConsumer<String, String> put,
            Function<List<String>, Map<String, String>> getAll,
            Runnable close) {
        Objects.requireNonNull(get, "get");
        Objects.requireNonNull(put, "put");
        Objects.requireNonNull(getAll, "getAll");
        Objects.requireNonNull(close, "close");
        return new PeerCache() {
            @Override
            public String get(String key, Function<String, String> loader) {
                return get.get(key, loader);
            }

            @Override
            public void put(String key, String value) {
                put.accept(key, value);
            }

            @Override
            public Map<String, String> getAll(List<String> keys) {
                return getAll.apply(keys);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    /**
     * Returns the values that {@code read} finds (not null) for {@code keys}, in their order, one key at a time: the
     * {@code getAll} of a library without a bulk read (Spring's {@code Cache}).
     */
    static Map<String, String> readEach(List<String> keys, Function<String, String> read) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : keys) {
            String value = read.apply(key);
            if (value != null) {
                values.put(key, value);
            }
        }
        return values;
    }
}
