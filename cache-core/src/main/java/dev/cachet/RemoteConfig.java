package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a cache uses its remote tier: failure policy, the cross-process load lock, value size limit, early recompute,
 * TTL jitter and the circuit breaker. Immutable and thread-safe; build one with {@link #custom()} or take {@link
 * #ofDefaults()}. A final class behind a builder, not a record, so that a new setting never breaks a caller.
 *
 * <p>Two configs are equal when their settings are; the key encoder and the clock compare by their own {@code
 * equals} (for a lambda, that is identity).
 */
public final class RemoteConfig {
    private static final FailurePolicy DEFAULT_FAILURE_POLICY = FailurePolicy.FAIL_OPEN;
    private static final Duration DEFAULT_LOCK_LEASE = Duration.ofSeconds(10);
    private static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(2);
    private static final Duration DEFAULT_LOCK_POLL_INTERVAL = Duration.ofMillis(20);
    private static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
    private static final int DEFAULT_BREAKER_FAILURE_THRESHOLD = 3;
    // Short, so that callers are back on the tier soon after it restarted (each key's load until then is not shared),
    // and cheap: the breaker lets one probe through at a time, so against a blackholed server a cache keeps at most
    // one caller waiting (for the connect timeout), and against a refused port it makes ten quick attempts a second.
    private static final Duration DEFAULT_BREAKER_OPEN_DURATION = Duration.ofMillis(100);
    private static final RemoteConfig DEFAULTS = custom().build();

    private final FailurePolicy failurePolicy;
    private final Duration lockLease;
    private final Duration lockWait;
    private final Duration lockPollInterval;
    private final int maxValueBytes;
    private final double earlyRecomputeBeta;
    private final double ttlJitter;
    private final int breakerFailureThreshold;
    private final Duration breakerOpenDuration;
    private final @Nullable Function<Object, String> keyEncoder;
    private final Clock clock;

    private RemoteConfig(Builder builder) {
        this.failurePolicy = orDefault(builder.failurePolicy, DEFAULT_FAILURE_POLICY);
        this.lockLease = orDefault(builder.lockLease, DEFAULT_LOCK_LEASE);
        this.lockWait = orDefault(builder.lockWait, DEFAULT_LOCK_WAIT);
        this.lockPollInterval = orDefault(builder.lockPollInterval, DEFAULT_LOCK_POLL_INTERVAL);
        this.maxValueBytes = orDefault(builder.maxValueBytes, DEFAULT_MAX_VALUE_BYTES);
        this.earlyRecomputeBeta = orDefault(builder.earlyRecomputeBeta, 0.0);
        this.ttlJitter = orDefault(builder.ttlJitter, 0.0);
        this.breakerFailureThreshold = orDefault(builder.breakerFailureThreshold, DEFAULT_BREAKER_FAILURE_THRESHOLD);
        this.breakerOpenDuration = orDefault(builder.breakerOpenDuration, DEFAULT_BREAKER_OPEN_DURATION);
        this.keyEncoder = builder.keyEncoder;
        this.clock = orDefault(builder.clock, Clock.systemUTC());
    }

    /** Returns the defaults: fail open, a 2 s lock wait, 1 MiB values, no early recompute, no jitter. */
    public static RemoteConfig ofDefaults() {
        return DEFAULTS;
    }

    /** Starts a configuration from the defaults; each setting may be set once. */
    public static Builder custom() {
        return new Builder();
    }

    /** Returns what callers see while the tier is unreachable; {@link FailurePolicy#FAIL_OPEN} by default. */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    /** Returns how long the cross-process load lock lasts if its holder dies (default 10 s). */
    public Duration lockLease() {
        return lockLease;
    }

    /**
     * Returns how long a process waits for another's load before loading itself (default 2 s; zero: no lock). A
     * waiting thread that is interrupted stops waiting at once and loads itself, its interrupt flag still set.
     */
    public Duration lockWait() {
        return lockWait;
    }

    /** Returns how often a waiting process looks for the other's value (default 20 ms). */
    public Duration lockPollInterval() {
        return lockPollInterval;
    }

    /** Returns the largest encoded value written or read, in bytes (default 1 MiB). */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * Returns XFetch's β: 0 turns early recompute off (the default); 1 is the paper's choice. An early recompute that
     * fails serves the value it was to replace; the failure is counted, never thrown.
     */
    public double earlyRecomputeBeta() {
        return earlyRecomputeBeta;
    }

    /**
     * Returns the fraction of the TTL by which expiries are spread, ± (default 0, at most 0.5). Each write draws one
     * TTL, used both by the tier and by the expiry stamped in the value, which early recompute reads.
     */
    public double ttlJitter() {
        return ttlJitter;
    }

    /** Returns how many consecutive failures open the circuit breaker (default 3). */
    public int breakerFailureThreshold() {
        return breakerFailureThreshold;
    }

    /**
     * Returns how long the breaker stays open before a probe, and after each failed probe (default 100 ms). One probe
     * runs at a time: while it waits for the tier, every other call still fails fast.
     */
    public Duration breakerOpenDuration() {
        return breakerOpenDuration;
    }

    /**
     * Returns what turns keys into the strings the tier stores them under, or null for the default.
     *
     * <p>The encoded key names the entry everywhere: the remote tier's key, the near tier's key and the key an
     * invalidation message carries to other processes. The default gives each accepted type a short tag, so that keys
     * that differ by {@code equals} never share an entry ({@code "1"}, {@code 1} and {@code 1L} are three keys):
     *
     * <pre>
     * String      s:AAPL                 Integer  i:42     Long     l:42     Short  sh:42    Byte  by:42
     * BigInteger  bi:42                  BigDecimal  bd:1.50 (the scale kept, as equals does)
     * Double      d:0.5                  Float    f:0.5    (the exact decimal value; -0, NaN, Infinity, -Infinity)
     * Boolean     b:true                 Character  c:x    UUID     u:123e4567-e89b-12d3-a456-426614174000
     * enum        e:com.example.Colour:RED (the declaring class's binary name, then name(), never toString())
     * </pre>
     *
     * <p>Keys of other types (records, lists, subclasses of {@code BigInteger} or {@code BigDecimal}, mutable numbers
     * such as {@code AtomicLong}) make the cache throw {@link IllegalArgumentException} naming the type: set an
     * encoder for them. Every process sharing a cache must encode its keys alike.
     */
    public @Nullable Function<Object, String> keyEncoder() {
        return keyEncoder;
    }

    /** Returns the wall clock for expiry stamps shared between processes ({@link Clock#systemUTC()} by default). */
    public Clock clock() {
        return clock;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return this == other
                || (other instanceof RemoteConfig that
                        && failurePolicy == that.failurePolicy
                        && lockLease.equals(that.lockLease)
                        && lockWait.equals(that.lockWait)
                        && lockPollInterval.equals(that.lockPollInterval)
                        && maxValueBytes == that.maxValueBytes
                        && Double.compare(earlyRecomputeBeta, that.earlyRecomputeBeta) == 0
                        && Double.compare(ttlJitter, that.ttlJitter) == 0
                        && breakerFailureThreshold == that.breakerFailureThreshold
                        && breakerOpenDuration.equals(that.breakerOpenDuration)
                        && Objects.equals(keyEncoder, that.keyEncoder)
                        && clock.equals(that.clock));
    }

    @Override
    public int hashCode() {
        return Objects.hash(
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

    @Override
    public String toString() {
        return "RemoteConfig[failurePolicy=" + failurePolicy + ", lockLease=" + lockLease + ", lockWait=" + lockWait
                + ", lockPollInterval=" + lockPollInterval + ", maxValueBytes=" + maxValueBytes
                + ", earlyRecomputeBeta=" + earlyRecomputeBeta + ", ttlJitter=" + ttlJitter
                + ", breakerFailureThreshold=" + breakerFailureThreshold + ", breakerOpenDuration="
                + breakerOpenDuration + ", keyEncoder=" + (keyEncoder == null ? "<default>" : keyEncoder) + ", clock="
                + clock + ']';
    }

    private static <T> T orDefault(@Nullable T value, T defaultValue) {
        return value == null ? defaultValue : value;
    }

    /**
     * Builds a {@link RemoteConfig}. Each setting may be set once; unset settings take their defaults. Every setter
     * checks its value at once, so the stack trace points at the bad line. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable FailurePolicy failurePolicy;
        private @Nullable Duration lockLease;
        private @Nullable Duration lockWait;
        private @Nullable Duration lockPollInterval;
        private @Nullable Integer maxValueBytes;
        private @Nullable Double earlyRecomputeBeta;
        private @Nullable Double ttlJitter;
        private @Nullable Integer breakerFailureThreshold;
        private @Nullable Duration breakerOpenDuration;
        private @Nullable Function<Object, String> keyEncoder;
        private @Nullable Clock clock;

        private Builder() {}

        /**
         * Sets what callers see while the tier is unreachable.
         *
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if already set
         */
        public Builder failurePolicy(FailurePolicy policy) {
            requireUnset("failurePolicy", failurePolicy);
            this.failurePolicy = requireNonNull(policy, "failurePolicy");
            return this;
        }

        /**
         * Sets how long the load lock lasts if its holder dies.
         *
         * @throws NullPointerException if {@code lease} is null
         * @throws IllegalArgumentException if {@code lease} is not positive
         * @throws IllegalStateException if already set
         */
        public Builder lockLease(Duration lease) {
            requireUnset("lockLease", lockLease);
            this.lockLease = requirePositive("lockLease", requireNonNull(lease, "lockLease"));
            return this;
        }

        /**
         * Sets how long to wait for another process's load; zero turns the cross-process lock off.
         *
         * @throws NullPointerException if {@code wait} is null
         * @throws IllegalArgumentException if {@code wait} is negative
         * @throws IllegalStateException if already set
         */
        public Builder lockWait(Duration wait) {
            requireUnset("lockWait", lockWait);
            requireNonNull(wait, "lockWait");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("lockWait must not be negative, was " + wait);
            }
            this.lockWait = wait;
            return this;
        }

        /**
         * Sets how often a waiting process looks for the other's value.
         *
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is not positive
         * @throws IllegalStateException if already set
         */
        public Builder lockPollInterval(Duration interval) {
            requireUnset("lockPollInterval", lockPollInterval);
            this.lockPollInterval = requirePositive("lockPollInterval", requireNonNull(interval, "lockPollInterval"));
            return this;
        }

        /**
         * Sets the largest encoded value written or read, in bytes.
         *
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         * @throws IllegalStateException if already set
         */
        public Builder maxValueBytes(int bytes) {
            requireUnset("maxValueBytes", maxValueBytes);
            if (bytes < 1) {
                throw new IllegalArgumentException("maxValueBytes must be positive, was " + bytes);
            }
            this.maxValueBytes = bytes;
            return this;
        }

        /**
         * Turns on probabilistic early recompute (XFetch) with the given β (1 is the usual choice; 0 turns it off).
         *
         * @throws IllegalArgumentException if {@code beta} is negative, infinite or NaN
         * @throws IllegalStateException if already set
         */
        public Builder earlyRecompute(double beta) {
            requireUnset("earlyRecompute", earlyRecomputeBeta);
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("earlyRecomputeBeta must be a finite number >= 0, was " + beta);
            }
            this.earlyRecomputeBeta = beta;
            return this;
        }

        /**
         * Spreads expiries by up to ± {@code fraction} of the TTL.
         *
         * @throws IllegalArgumentException if {@code fraction} is not between 0 and 0.5
         * @throws IllegalStateException if already set
         */
        public Builder ttlJitter(double fraction) {
            requireUnset("ttlJitter", ttlJitter);
            if (!(fraction >= 0 && fraction <= 0.5)) {
                throw new IllegalArgumentException("ttlJitter must be between 0 and 0.5, was " + fraction);
            }
            this.ttlJitter = fraction;
            return this;
        }

        /**
         * Sets the circuit breaker: open after {@code failures} in a row, probe after {@code openFor}.
         *
         * @throws NullPointerException if {@code openFor} is null
         * @throws IllegalArgumentException if {@code failures} is less than 1 or {@code openFor} is not positive
         * @throws IllegalStateException if already set
         */
        public Builder circuitBreaker(int failures, Duration openFor) {
            if (breakerFailureThreshold != null) {
                throw new IllegalStateException("circuitBreaker was already set to " + breakerFailureThreshold
                        + " failures, open for " + breakerOpenDuration + "; set each option once");
            }
            requireNonNull(openFor, "openFor");
            if (failures < 1) {
                throw new IllegalArgumentException("circuitBreaker failures must be at least 1, was " + failures);
            }
            requirePositive("circuitBreaker openFor", openFor);
            this.breakerFailureThreshold = failures;
            this.breakerOpenDuration = openFor;
            return this;
        }

        /**
         * Sets how keys become the strings the tier stores them under, in place of the default described at {@link
         * RemoteConfig#keyEncoder()}. It must be injective (keys that differ by {@code equals} must give different
         * strings, or they share one entry in the remote tier and the near tier), deterministic, and the same in every
         * process that shares the cache. The tier escapes whatever string it returns.
         *
         * @throws NullPointerException if {@code encoder} is null
         * @throws IllegalStateException if already set
         */
        @SuppressWarnings("unchecked")
        public <K> Builder keyEncoder(Function<? super K, String> encoder) {
            requireUnset("keyEncoder", keyEncoder);
            this.keyEncoder = (Function<Object, String>) requireNonNull(encoder, "keyEncoder");
            return this;
        }

        /**
         * Sets the wall clock used for expiry stamps (tests use a fixed or offset clock).
         *
         * @throws NullPointerException if {@code clock} is null
         * @throws IllegalStateException if already set
         */
        public Builder clock(Clock clock) {
            requireUnset("clock", this.clock);
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Builds the configuration; every value was checked when it was set. */
        public RemoteConfig build() {
            return new RemoteConfig(this);
        }

        private static void requireUnset(String option, @Nullable Object current) {
            if (current != null) {
                throw new IllegalStateException(option + " was already set to " + current + "; set each option once");
            }
        }

        private static Duration requirePositive(String option, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(option + " must be positive, was " + value);
            }
            return value;
        }
    }
}
