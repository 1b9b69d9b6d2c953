package dev.cachet.benchmarks.peers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** In-memory stand-ins for a peer's cache, for the harness's own tests. */
final class FakeCaches {
    private FakeCaches() {}

    /** A cache whose {@code get} is {@link ConcurrentHashMap#computeIfAbsent}: one load per key, like single flight. */
    static PeerCache singleFlight() {
        Map<String, String> map = new ConcurrentHashMap<>();
        return cache(map::computeIfAbsent, map::put);
    }

    /** A cache that answers every read with {@code value}, never loading. */
    static PeerCache constant(String value) {
        return of(key -> value);
    }

    /** A cache that holds nothing and answers every read from the loader, as one failing open on every call. */
    static PeerCache failingOpen() {
        return cache((key, loader) -> loader.apply(key), (key, value) -> {});
    }

    /** A cache whose calls {@code behaviour} answers. */
    static PeerCache of(Function<String, String> behaviour) {
        return cache((key, loader) -> behaviour.apply(key), (key, value) -> {});
    }

    private static PeerCache cache(PeerCache.ReadThrough get, BiConsumer<String, String> put) {
        return PeerCache.of(
                get,
                put,
                keys -> {
                    throw new UnsupportedOperationException("not needed by these tests");
                },
                () -> {});
    }

    /**
     * A writer and a reader over one shared "Redis" map: the reader keeps a copy of what it read; a write to a key
     * the reader holds tells it to drop its copy. With {@code lagging}, the reader applies the message only after its
     * next read (which is then stale), as a near tier whose invalidation arrives late; otherwise before it.
     */
    static final class NearPair {
        private final Map<String, String> redis = new ConcurrentHashMap<>();
        private final Map<String, String> readerCopies = new ConcurrentHashMap<>();
        private final Map<String, Boolean> pending = new ConcurrentHashMap<>();
        private final boolean lagging;

        NearPair(boolean lagging) {
            this.lagging = lagging;
        }

        PeerCache writer() {
            return cache(redis::computeIfAbsent, (key, value) -> {
                redis.put(key, value);
                if (readerCopies.containsKey(key)) {
                    pending.put(key, true);
                }
            });
        }

        PeerCache reader() {
            return cache(
                    (key, loader) -> {
                        if (!lagging) {
                            drop(key);
                        }
                        String value = readerCopies.computeIfAbsent(key, k -> redis.computeIfAbsent(k, loader));
                        if (lagging) {
                            drop(key);
                        }
                        return value;
                    },
                    redis::put);
        }

        private void drop(String key) {
            if (pending.remove(key) != null) {
                readerCopies.remove(key);
            }
        }
    }
}
