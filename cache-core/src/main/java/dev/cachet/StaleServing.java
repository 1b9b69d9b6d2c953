package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * What every tier does when it returns an expired value in place of a failed load ({@code staleIfError}): counts it,
 * and logs it once per key and outage, that is, again only after a load of the key succeeded since. Shared by the
 * in-memory, remote and near tiers so that they say it alike. Thread-safe.
 *
 * @param <K> the keys as the tier knows them (a remote or near tier's encoded keys)
 */
final class StaleServing<K> {
    private final String cacheName;
    private final Duration grace;
    private final Logger log;
    /** Keys served stale since their last successful load: each outage of a key is logged once. */
    private final Set<K> outages = ConcurrentHashMap.newKeySet();

    private final LongAdder served = new LongAdder();

    /**
     * Creates the helper of one tier.
     *
     * @param cacheName the cache named in the log
     * @param grace the cache's staleIfError, named in the log
     * @param log the tier's logger, whose category users configure
     */
    StaleServing(String cacheName, Duration grace, Logger log) {
        this.cacheName = requireNonNull(cacheName, "cacheName");
        this.grace = requireNonNull(grace, "grace");
        this.log = requireNonNull(log, "log");
    }

    /** Counts a stale value returned for {@code key} in place of {@code failure}, logging the first of an outage. */
    void served(K key, RuntimeException failure) {
        served.increment();
        if (outages.add(key)) {
            log.warn(
                    "cache '{}': loading key {} failed; serving its expired value (staleIfError {}) until a load"
                            + " succeeds",
                    cacheName,
                    key,
                    grace,
                    failure);
        }
    }

    /** Ends the outage of {@code key}, if any: a load of it succeeded, so its next stale value is logged again. */
    void loaded(K key) {
        if (!outages.isEmpty()) { // cheaper than a removal on the common path, where no key is in an outage
            outages.remove(key);
        }
    }

    /** Ends the outages of {@code keys}, as {@link #loaded(Object)} does for one. */
    void loadedAll(Collection<? extends K> keys) {
        if (!outages.isEmpty()) {
            outages.removeAll(keys);
        }
    }

    /** Forgets the outage of {@code key}, if any: its stale copy is gone, so nothing more is served for it. */
    void forget(K key) {
        outages.remove(key);
    }

    /** Forgets every outage: every stale copy is gone. */
    void forgetAll() {
        outages.clear();
    }

    /** Returns how many keys are in an outage: served stale since their last successful load. */
    int outages() {
        return outages.size();
    }

    /** Returns how many stale values were served. */
    long servedCount() {
        return served.sum();
    }

    /** Returns the grace during which an expired value may be served. */
    Duration grace() {
        return grace;
    }
}
