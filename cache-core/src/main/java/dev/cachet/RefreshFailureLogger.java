package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Logs the first refresh of a cache that fails as a WARN, and no other: the failures are counted in the cache's
 * statistics, and a source that stays down must not flood the log. Serves the in-memory caches' refreshes and
 * refresh-ahead over a remote tier ({@link RefreshAhead}), which say the same thing. Thread-safe.
 */
final class RefreshFailureLogger {
    private final Logger log;
    private final String cacheName;
    private final AtomicBoolean logged = new AtomicBoolean();

    /**
     * Creates the logger of one cache.
     *
     * @param log the category to log in: the cache's class's, which users configure
     * @param cacheName the cache's name, which the line gives
     */
    RefreshFailureLogger(Logger log, String cacheName) {
        this.log = requireNonNull(log, "log");
        this.cacheName = requireNonNull(cacheName, "cacheName");
    }

    /** Logs {@code failure} if it is the cache's first failed refresh. */
    void failed(Exception failure) {
        if (logged.compareAndSet(false, true)) {
            log.warn(
                    "cache '{}': a refresh failed ({}); the value it was to replace stays until it expires. Further"
                            + " failures are counted, not logged.",
                    cacheName,
                    failure.toString());
        }
    }
}
