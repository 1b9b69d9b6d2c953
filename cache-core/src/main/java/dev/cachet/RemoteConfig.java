package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/**
 * How a cache uses its remote tier: failure policy, the cross-process load lock, value size limit, early recompute
 * and TTL jitter. Immutable; build one with {@link #custom()} or take {@link #ofDefaults()}.
 *
 * @param failurePolicy what callers see while the tier is unreachable; {@link FailurePolicy#FAIL_OPEN} by default
 * @param lockLease how long the cross-process load lock lasts if its holder dies (default 10 s)
 * @param lockWait how long a process waits for another's load before loading itself (default 2 s)
 * @param lockPollInterval how often a waiting process looks for the other's value (default 20 ms)
 * @param maxValueBytes the largest encoded value written or read (default 1 MiB)
 * @param earlyRecomputeBeta XFetch's β: 0 turns early recompute off (the default); 1 is the paper's choice
 * @param ttlJitter spreads expiries by up to ± this fraction of the TTL (default 0, at most 0.5)
 * @param breakerFailureThreshold consecutive failures that open the circuit breaker (default 3)
 * @param breakerOpenDuration how long the breaker stays open before a probe (default 500 ms)
 * @param keyEncoder turns keys into the strings the tier stores them under; null for the default, which accepts
 *     strings, boxed primitives, enums and UUIDs
 * @param clock wall-clock time for expiry stamps shared between processes
 */
public record RemoteConfig(
        FailurePolicy failurePolicy,
        Duration lockLease,
        Duration lockWait,
        Duration lockPollInterval,
        int maxValueBytes,
        double earlyRecomputeBeta,
        double ttlJitter,
        int breakerFailureThreshold,
        Duration breakerOpenDuration,
        Function<Object, String> keyEncoder,
        Clock clock) {

    private static final RemoteConfig DEFAULTS = custom().build();

    /**
     * Validates the settings.
     *
     * @throws NullPointerException naming a null setting (only keyEncoder may be null)
     * @throws IllegalArgumentException naming a setting out of range and its value
     */
    public RemoteConfig {
        requireNonNull(failurePolicy, "failurePolicy");
        requirePositive("lockLease", requireNonNull(lockLease, "lockLease"));
        requireNonNull(lockWait, "lockWait");
        if (lockWait.isNegative()) {
            throw new IllegalArgumentException("lockWait must not be negative, was " + lockWait);
        }
        requirePositive("lockPollInterval", requireNonNull(lockPollInterval, "lockPollInterval"));
        requirePositive("breakerOpenDuration", requireNonNull(breakerOpenDuration, "breakerOpenDuration"));
        requireNonNull(clock, "clock");
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive, was " + maxValueBytes);
        }
        if (!(earlyRecomputeBeta >= 0) || Double.isInfinite(earlyRecomputeBeta)) {
            throw new IllegalArgumentException(
                    "earlyRecomputeBeta must be a finite number >= 0, was " + earlyRecomputeBeta);
        }
        if (!(ttlJitter >= 0 && ttlJitter <= 0.5)) {
            throw new IllegalArgumentException("ttlJitter must be between 0 and 0.5, was " + ttlJitter);
        }
        if (breakerFailureThreshold < 1) {
            throw new IllegalArgumentException(
                    "breakerFailureThreshold must be at least 1, was " + breakerFailureThreshold);
        }
    }

    /** Returns this configuration's values as text, with functional settings named by class; for comparisons. */
    String withoutFunctions() {
        return failurePolicy + "," + lockLease + "," + lockWait + "," + lockPollInterval + "," + maxValueBytes + ","
                + earlyRecomputeBeta + "," + ttlJitter + "," + breakerFailureThreshold + "," + breakerOpenDuration + ","
                + (keyEncoder == null ? "default" : keyEncoder.getClass().getName()) + "," + clock;
    }

    /** Returns the defaults. */
    public static RemoteConfig ofDefaults() {
        return DEFAULTS;
    }

    /** Starts a configuration from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** Builds a {@link RemoteConfig}; validation happens in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private FailurePolicy failurePolicy = FailurePolicy.FAIL_OPEN;
        private Duration lockLease = Duration.ofSeconds(10);
        private Duration lockWait = Duration.ofSeconds(2);
        private Duration lockPollInterval = Duration.ofMillis(20);
        private int maxValueBytes = 1 << 20;
        private double earlyRecomputeBeta;
        private double ttlJitter;
        private int breakerFailureThreshold = 3;
        private Duration breakerOpenDuration = Duration.ofMillis(500);
        private Function<Object, String> keyEncoder;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Sets what callers see while the tier is unreachable. */
        public Builder failurePolicy(FailurePolicy policy) {
            this.failurePolicy = policy;
            return this;
        }

        /** Sets how long the load lock lasts if its holder dies. */
        public Builder lockLease(Duration lease) {
            this.lockLease = lease;
            return this;
        }

        /** Sets how long to wait for another process's load; zero turns the cross-process lock off. */
        public Builder lockWait(Duration wait) {
            this.lockWait = wait;
            return this;
        }

        /** Sets how often a waiting process looks for the other's value. */
        public Builder lockPollInterval(Duration interval) {
            this.lockPollInterval = interval;
            return this;
        }

        /** Sets the largest encoded value written or read, in bytes. */
        public Builder maxValueBytes(int bytes) {
            this.maxValueBytes = bytes;
            return this;
        }

        /** Turns on probabilistic early recompute (XFetch) with the given β (1 is the usual choice). */
        public Builder earlyRecompute(double beta) {
            this.earlyRecomputeBeta = beta;
            return this;
        }

        /** Spreads expiries by up to ± {@code fraction} of the TTL. */
        public Builder ttlJitter(double fraction) {
            this.ttlJitter = fraction;
            return this;
        }

        /** Sets the circuit breaker: open after {@code failures} in a row, probe after {@code openFor}. */
        public Builder circuitBreaker(int failures, Duration openFor) {
            this.breakerFailureThreshold = failures;
            this.breakerOpenDuration = openFor;
            return this;
        }

        /** Sets how keys become the strings the tier stores them under; must be injective. */
        @SuppressWarnings("unchecked")
        public <K> Builder keyEncoder(Function<? super K, String> encoder) {
            this.keyEncoder = (Function<Object, String>) requireNonNull(encoder, "keyEncoder");
            return this;
        }

        /** Sets the wall clock used for expiry stamps (tests use a fixed or offset clock). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @throws IllegalArgumentException naming a setting out of range
         */
        public RemoteConfig build() {
            return new RemoteConfig(
                    failurePolicy,
                    lockLease,
                    lockWait,
                    lockPollInterval,
                    maxValueBytes,
                    earlyRecomputeBeta,
                    ttlJitter,
                    breakerFailureThreshold,
                    breakerOpenDuration,
                    keyEncoder,
                    clock);
        }
    }
}
