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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads a {@link RemoteCache}'s expiries so that keys written together do not all expire, or reload, at once: TTL
 * jitter on every write, and early recompute on reads (XFetch, Vattani et al., VLDB 2015), which reloads a value
 * shortly before it expires with a probability that grows as expiry nears and with how long it took to compute.
 * Thread-safe.
 */
final class EarlyExpiry {
    // RemoteCache's logger, so that the failure log keeps the category users configure.
    private static final Logger log = LoggerFactory.getLogger(RemoteCache.class);

    /** The longest per-entry remote TTL: an Expiry's "forever" must not overflow the envelope's epoch stamp. */
    static final Duration LONGEST_ENTRY_TTL = Duration.ofDays(36_500);

    private final String cacheName;
    private final @Nullable Duration ttl;
    private final double jitter;
    private final double beta;
    private final TierClock clock;
    private final RemoteCounters counters;
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    /**
     * Creates the policy.
     *
     * @param ttl the TTL before jitter; null when each entry has its own ({@link #entryTtl})
     */
    EarlyExpiry(
            String cacheName, RemoteConfig remote, @Nullable Duration ttl, TierClock clock, RemoteCounters counters) {
        this.cacheName = requireNonNull(cacheName, "cacheName");
        this.ttl = ttl;
        this.jitter = remote.ttlJitter();
        this.beta = remote.earlyRecomputeBeta();
        this.clock = requireNonNull(clock, "clock");
        this.counters = requireNonNull(counters, "counters");
    }

    /** Returns the TTL of one write: the TTL, spread uniformly by the jitter, and at least a millisecond. */
    Duration jitteredTtl() {
        Duration fixed = requireNonNull(ttl, "ttl");
        if (jitter == 0) {
            return fixed;
        }
        double factor = 1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Duration.ofMillis(Math.max(1, Math.round(fixed.toMillis() * factor)));
    }

    /**
     * Returns the TTL of a write whose entry has its own {@code entryTtl} (an {@link Expiry}'s, or a put's): jittered
     * downwards only, since a value such as a token must not outlive the expiry it carries, and at least a millisecond,
     * the remote tier's unit; at most {@link #LONGEST_ENTRY_TTL}.
     */
    Duration entryTtl(Duration entryTtl) {
        long millis = entryTtl.compareTo(LONGEST_ENTRY_TTL) >= 0 ? LONGEST_ENTRY_TTL.toMillis() : entryTtl.toMillis();
        if (jitter != 0) {
            millis = Math.round(millis * (1 - ThreadLocalRandom.current().nextDouble(0, jitter)));
        }
        return Duration.ofMillis(Math.max(1, millis));
    }

    /** Returns true if the read of a value in {@code envelope} should recompute it now (never if beta is 0). */
    boolean shouldRecompute(Envelope envelope) {
        if (beta <= 0) {
            return false;
        }
        double u = 1.0 - ThreadLocalRandom.current().nextDouble(); // uniform in (0, 1]
        double now = clock.epochMillis();
        return now - envelope.computeMillis() * beta * Math.log(u) >= envelope.expiresAtMillis();
    }

    /**
     * Recomputes a value that is about to expire, if no one else is; everyone else keeps the current value. A
     * recompute that fails (the loader throws, or the tier refuses the lock or the write under fail-closed) returns
     * the current value too: the caller read a valid value, and early recompute must never make a read fail that
     * would have succeeded without it. The failure is counted where any such failure is (a load failure in the cache's
     * stats, a remote error in its remote stats); errors ({@link Error}) still propagate.
     */
    <V> V recompute(String encodedKey, Stored<V> current, LoadElection<V> election, LoadAndWrite<V> load) {
        try {
            Optional<RemoteLock> lock = election.tryLock(encodedKey).orElse(Optional.empty());
            if (lock.isEmpty()) {
                return current.value();
            }
            try (RemoteLock held = lock.get()) {
                counters.earlyRecompute();
                // The lock's token is the key's lease as of the lock: a put or invalidate since refuses our write.
                Loaded<V> fresh = load.run(Read.miss(OptionalLong.of(held.fencingToken()), true), held);
                return fresh.value() != null ? fresh.value() : current.value();
            }
        } catch (Exception e) { // includes checked exceptions a loader throws by stealth
            if (failureLogged.compareAndSet(false, true)) {
                log.warn(
                        "cache '{}': an early recompute failed ({}); serving the value it was to replace. Further"
                                + " failures are counted, not logged.",
                        cacheName,
                        e.toString());
            }
            return current.value();
        }
    }
}
