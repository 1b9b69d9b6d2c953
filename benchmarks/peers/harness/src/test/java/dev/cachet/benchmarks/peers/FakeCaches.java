package dev.cachet.benchmarks.peers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** In-memory stand-ins for a peer's cache, for the harness's own tests. */
final class FakeCaches {
    private FakeCaches() {}

    /** A cache whose {@code get} is {@link ConcurrentHashMap#computeIfAbsent}: one load per key, like single flight. */
    static PeerCache singleFlight() {
        Map<String, String> map = new ConcurrentHashMap<>();
        return new Base() {
            @Override
            public String get(String key, Function<String, String> loader) {
                return map.computeIfAbsent(key, loader);
            }

            @Override
            public void put(String key, String value) {
                map.put(key, value);
            }
        };
    }

    /** A cache that answers every read with {@code value}, never loading. */
    static PeerCache constant(String value) {
        return new Base() {
            @Override
            public String get(String key, Function<String, String> loader) {
                return value;
            }

            @Override
            public void put(String key, String v) {}
        };
    }

    /** A cache whose calls {@code behaviour} answers. */
    static PeerCache of(Function<String, String> behaviour) {
        return new Base() {
            @Override
            public String get(String key, Function<String, String> loader) {
                return behaviour.apply(key);
            }

            @Override
            public void put(String key, String value) {}
        };
    }

    private abstract static class Base implements PeerCache {
        @Override
        public Map<String, String> getAll(List<String> keys) {
            throw new UnsupportedOperationException("not needed by these tests");
        }

        @Override
        public void close() {}
    }

    /**
     * A writer and a reader over one shared "Redis" map: the reader keeps a copy of what it read; a write to a key
     * the reader holds tells it to drop its copy. With {@code lagging}, the other applies the message only after its next read (which is then stale), as
     * a near tier whose invalidation arrives late; otherwise before it.
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
            return new Base() {
                @Override
                public String get(String key, Function<String, String> loader) {
                    return redis.computeIfAbsent(key, loader);
                }

                @Override
                public void put(String key, String value) {
                    redis.put(key, value);
                    if (readerCopies.containsKey(key)) {
                        pending.put(key, true);
                    }
                }
            };
        }

        PeerCache reader() {
            return new Base() {
                @Override
                public String get(String key, Function<String, String> loader) {
                    if (!lagging) {
                        drop(key);
                    }
                    String value = readerCopies.computeIfAbsent(key, k -> redis.computeIfAbsent(k, loader));
                    if (lagging) {
                        drop(key);
                    }
                    return value;
                }

                @Override
                public void put(String key, String value) {
                    redis.put(key, value);
                }
            };
        }

        private void drop(String key) {
            if (pending.remove(key) != null) {
                readerCopies.remove(key);
            }
        }
    }
}
