package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.remote.CircuitBreaker;
import dev.cachet.internal.remote.PendingInvalidations;
import dev.cachet.spi.RemoteStore;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every call of a {@link RemoteCache} to its tier goes through here: the circuit breaker, the {@link FailurePolicy},
 * the outage log (once per outage) and the gate of pending invalidations. Under fail-closed an unavailable tier
 * throws {@link CacheUnavailableException}; under fail-open a call returns {@link TierResult.Unavailable}, and a write
 * that may not have reached the tier is remembered as a pending invalidation of its key, applied before this process
 * reads the tier again. Thread-safe.
 */
final class TierGuard {
    // RemoteCache's logger, so that the outage log keeps the category users configure.
    private static final Logger log = LoggerFactory.getLogger(RemoteCache.class);

    private final String cacheName;
    private final FailurePolicy policy;
    private final RemoteStore store;
    private final RemoteCounters counters;
    private final CircuitBreaker breaker;
    private final AtomicBoolean outage = new AtomicBoolean();
    private final PendingInvalidations pending;
    private final PendingInvalidations.Target pendingTarget = new PendingTarget();
    private volatile Runnable recoveryListener = () -> {};
    private volatile Runnable outageListener = () -> {};
    private volatile PendingInvalidations.Applied pendingListener = new PendingInvalidations.Applied() {
        @Override
        public void applied(String key) {}

        @Override
        public void appliedAll() {}
    };

    /**
     * Creates the guard, with a closed breaker and nothing pending.
     *
     * @param maxPending pending invalidations kept before they fall back to one pending invalidateAll
     */
    TierGuard(
            String cacheName,
            RemoteConfig remote,
            RemoteStore store,
            TierClock clock,
            RemoteCounters counters,
            int maxPending) {
        this.cacheName = requireNonNull(cacheName, "cacheName");
        this.policy = remote.failurePolicy();
        this.store = requireNonNull(store, "store");
        this.counters = requireNonNull(counters, "counters");
        this.breaker = new CircuitBreaker(
                clock::nanoTime,
                remote.breakerFailureThreshold(),
                remote.breakerOpenDuration().toNanos());
        this.pending = new PendingInvalidations(maxPending);
    }

    /**
     * Runs a tier call under the breaker and the failure policy: returns its answer, or {@link TierResult.Unavailable}
     * when the tier is unavailable and the policy is fail-open; throws {@link CacheUnavailableException} under
     * fail-closed. While invalidations of this process are pending (fail-open only), it first applies them, and
     * returns unavailable without calling the tier if that fails or another thread is still applying them: the tier
     * may still hold what they removed, so this process does not read it (contract item 3).
     */
    <T> TierResult<T> call(String operation, Supplier<T> call) {
        if (applyPending() != PendingInvalidations.Replay.CLEAR) {
            return new TierResult.Unavailable<>();
        }
        return attempt(operation, call);
    }

    /**
     * Writes under the failure policy. Under fail-open, a write that failed, timed out or was refused by the breaker
     * may not have reached the tier, which may then keep the old value for its whole TTL: the key (every key, for
     * {@code key} null) becomes a pending invalidation, applied before this process reads the tier again. A failed
     * put is remembered as an invalidation too: deleting is always safe. A write may run while another thread applies
     * pending invalidations: a delete commutes with them, and a value they remove is only a miss.
     */
    void write(String operation, @Nullable String key, Runnable call) {
        boolean written = applyPending() != PendingInvalidations.Replay.PENDING && attemptRun(operation, call);
        if (!written) { // fail-open: fail-closed threw
            if (key == null) {
                pending.addAll();
            } else {
                pending.add(key);
            }
        }
    }

    /**
     * Writes every key of {@code keys} in one call, as {@link #write} writes one: under fail-open, a call that failed,
     * timed out or was refused makes each key a pending invalidation (past the capacity, every key), since any of
     * them may not have reached the tier.
     */
    void writeEach(String operation, Collection<String> keys, Runnable call) {
        boolean written = applyPending() != PendingInvalidations.Replay.PENDING && attemptRun(operation, call);
        if (!written) { // fail-open: fail-closed threw
            keys.forEach(pending::add);
        }
    }

    /** Returns true while the breaker is open: calls would be refused, bar one probe per open period. */
    boolean isOpen() {
        return breaker.isOpen();
    }

    /** Returns true during an outage whose breaker is open: a write would only be refused. */
    boolean isOpenOutage() {
        return outage.get() && breaker.isOpen();
    }

    /** Returns the number of invalidations waiting for the tier. */
    int pendingInvalidations() {
        return pending.size();
    }

    /** Sets what runs when the breaker opens, after which invalidations may be lost. */
    void onOutage(Runnable listener) {
        this.outageListener = requireNonNull(listener, "listener");
    }

    /** Sets what runs when the breaker closed again after an outage. */
    void onRecovery(Runnable listener) {
        this.recoveryListener = requireNonNull(listener, "listener");
    }

    /** Sets what runs once a pending invalidation reached the tier. */
    void onPendingApplied(PendingInvalidations.Applied listener) {
        this.pendingListener = requireNonNull(listener, "listener");
    }

    /** Applies the pending invalidations, if any and if no other thread is applying them. */
    private PendingInvalidations.Replay applyPending() {
        try {
            return pending.replay(pendingTarget, pendingListener);
        } catch (NotApplied e) {
            return PendingInvalidations.Replay.PENDING; // counted and logged by attempt
        }
    }

    /** Runs a call without an answer as {@link #attempt}; returns true if it reached the tier. */
    private boolean attemptRun(String operation, Runnable call) {
        return attempt(operation, () -> {
                    call.run();
                    return Boolean.TRUE;
                })
                instanceof TierResult.Answered;
    }

    /** Runs a tier call under the breaker and the failure policy, as {@link #call}, pending or not. */
    private <T> TierResult<T> attempt(String operation, Supplier<T> call) {
        if (!breaker.allowsRequest()) {
            unavailable(operation, null);
            return new TierResult.Unavailable<>();
        }
        try {
            T result = call.get();
            boolean closed = breaker.onSuccess();
            if (outage.get() && outage.compareAndSet(true, false)) { // read first: see CircuitBreaker#onSuccess
                log.info("cache '{}': remote tier is reachable again", cacheName);
            }
            if (closed) {
                recoveryListener.run();
            }
            return new TierResult.Answered<>(result);
        } catch (CacheUnavailableException e) {
            counters.error();
            // An exhausted connection pool says this process is busy, not that the tier is down: opening the breaker
            // would turn a burst of load into a fail-open period, and clear near tiers for nothing.
            if (e instanceof RemoteTierBusyException) {
                breaker.onInconclusive();
            } else if (breaker.onFailure()) {
                outageListener.run();
            }
            unavailable(operation, e);
            return new TierResult.Unavailable<>();
        } catch (RuntimeException | Error e) {
            breaker.onInconclusive(); // if this call was the probe, the next one need not wait for its limit
            throw e;
        }
    }

    /** Logs the first failure of an outage; throws under fail-closed, returns under fail-open. */
    private void unavailable(String operation, @Nullable CacheUnavailableException cause) {
        if (outage.compareAndSet(false, true)) {
            log.warn(
                    "cache '{}': remote tier unavailable ({}); {} until it is back. Logged once per outage.",
                    cacheName,
                    cause == null ? operation + " refused by the open circuit breaker" : cause.getMessage(),
                    policy == FailurePolicy.FAIL_OPEN
                            ? "callers get their loader's values"
                            : "callers get CacheUnavailableException");
        }
        if (policy == FailurePolicy.FAIL_CLOSED) {
            throw cause != null
                    ? cause
                    : new CacheUnavailableException(
                            "cache '" + cacheName + "': remote tier unavailable (circuit open) for " + operation, null);
        }
    }

    /**
     * Stops a replay whose call did not reach the tier, already counted and logged. One instance without a stack
     * trace: while the breaker is open, every read of a process with pending invalidations ends its replay so.
     */
    @SuppressWarnings("serial") // never serialised; it never leaves this class
    private static final class NotApplied extends RuntimeException {
        static final NotApplied INSTANCE = new NotApplied();

        private NotApplied() {
            super("pending invalidation not applied", null, false, false);
        }
    }

    /** Applies pending invalidations through the breaker; throws {@link NotApplied} when one did not reach the tier. */
    private final class PendingTarget implements PendingInvalidations.Target {
        @Override
        public void delete(String key) {
            apply("invalidate (pending)", () -> store.delete(key));
        }

        @Override
        public void deleteAll() {
            apply("invalidateAll (pending)", store::deleteAll);
        }

        private void apply(String operation, Runnable call) {
            if (!attemptRun(operation, call)) {
                throw NotApplied.INSTANCE;
            }
        }
    }
}
