package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.EnvelopeCodec.Read;
import dev.cachet.EnvelopeCodec.Stored;
import dev.cachet.LoadElection.LoadAndWrite;
import dev.cachet.LoadElection.Loaded;
import dev.cachet.internal.remote.Envelope;
import dev.cachet.spi.RemoteLock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refresh-ahead for a {@link RemoteCache} ({@code refreshAfterWrite}): a read that finds a live value written {@code
 * refreshAfterWrite} or more ago (by the write time in its envelope; a value of an envelope version without one is
 * due at once) returns that value and schedules one refresh of the key on the cache's executor. The refresh takes the
 * tier's lock without waiting (if another process holds it, that process is loading the key: this one skips), reads
 * the key again under it (a process that refreshed just before leaves a value that is no longer due: nothing to do),
 * reloads, and writes with the lock's fencing token as its lease, so a {@code put} or {@code invalidate} since the
 * lock wins. Once the write is done, {@link #onRefreshed} listeners hear of the key (a near cache publishes it, so
 * every process drops its copy). Every process keeps serving the old value meanwhile; a refresh that fails (the loader
 * throws, the tier refuses) leaves the old value to its TTL, counted as a load failure or a remote error and logged
 * once per cache. One refresh per key at a time in a process. Thread-safe.
 *
 * @param <V> the type of values
 */
final class RefreshAhead<V> {
    // RemoteCache's logger, so that the failure log keeps the category users configure.
    private static final Logger log = LoggerFactory.getLogger(RemoteCache.class);

    private final long refreshMillis;
    private final Executor executor;
    private final LoadElection<V> election;
    private final EnvelopeCodec<V> envelopes;
    private final TierClock clock;
    private final RemoteCounters counters;
    /** The keys this process is refreshing: one refresh per key at a time. */
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    private final RefreshFailureLogger failures;
    private volatile Consumer<String> onRefreshed = key -> {};

    RefreshAhead(
            String cacheName,
            Duration refreshAfterWrite,
            Executor executor,
            LoadElection<V> election,
            EnvelopeCodec<V> envelopes,
            TierClock clock,
            RemoteCounters counters) {
        this.failures = new RefreshFailureLogger(log, cacheName); // checks cacheName
        this.refreshMillis =
                requireNonNull(refreshAfterWrite, "refreshAfterWrite").toMillis();
        this.executor = requireNonNull(executor, "executor");
        this.election = requireNonNull(election, "election");
        this.envelopes = requireNonNull(envelopes, "envelopes");
        this.clock = requireNonNull(clock, "clock");
        this.counters = requireNonNull(counters, "counters");
    }

    /** Returns whether the value in {@code envelope} is due for a refresh: written refreshAfterWrite or more ago. */
    boolean isDue(Envelope envelope) {
        return clock.epochMillis() - envelope.writtenAtMillis() >= refreshMillis;
    }

    /**
     * Returns how long the value in {@code envelope} stays fresh: until its refresh point, zero if due. A near copy
     * lives no longer, so that a read after the refresh point reaches the tier (and triggers the refresh).
     */
    Duration freshFor(Envelope envelope) {
        return Duration.ofMillis(Math.max(0, envelope.writtenAtMillis() + refreshMillis - clock.epochMillis()));
    }

    /** Sets what runs once a refresh wrote its value (a near cache publishes the key). */
    void onRefreshed(Consumer<String> listener) {
        this.onRefreshed = requireNonNull(listener, "listener");
    }

    /** Schedules a refresh of {@code encodedKey} with {@code load}, unless this process is refreshing it already. */
    void schedule(String encodedKey, LoadAndWrite<V> load) {
        if (!refreshing.add(encodedKey)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    refresh(encodedKey, load);
                } finally {
                    refreshing.remove(encodedKey);
                }
            });
        } catch (RejectedExecutionException e) {
            refreshing.remove(encodedKey);
            failures.failed(e);
        }
    }

    /** Returns the number of refreshes scheduled or running in this process. */
    int inFlight() {
        return refreshing.size();
    }

    private void refresh(String encodedKey, LoadAndWrite<V> load) {
        try {
            // Unavailable or held elsewhere: either way this process does not refresh; the holder, if any, does.
            Optional<RemoteLock> lock = election.tryLock(encodedKey).orElse(Optional.empty());
            if (lock.isEmpty()) {
                return;
            }
            try (RemoteLock held = lock.get()) {
                Stored<V> current = envelopes.read(encodedKey).stored();
                if (current == null || current.value() == null || !isDue(current.envelope())) {
                    return; // invalidated (the next read loads), or refreshed by another process just before
                }
                counters.refresh();
                // The lock's token is the key's lease as of the lock: a put or invalidate since refuses our write.
                Loaded<V> fresh = load.run(Read.miss(OptionalLong.of(held.fencingToken()), true), held);
                if (fresh.bytes() != null) {
                    onRefreshed.accept(encodedKey);
                }
            }
        } catch (Exception e) { // includes checked exceptions a loader throws by stealth
            failures.failed(e);
        }
    }
}
