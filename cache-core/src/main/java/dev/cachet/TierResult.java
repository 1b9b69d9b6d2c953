package dev.cachet;

import static java.util.Objects.requireNonNull;

/**
 * What a call to the remote tier gave under the fail-open policy: the tier's answer, or that the tier was unavailable
 * (down, refused by the circuit breaker, or gated by pending invalidations). An explicit type rather than {@code
 * null}, so that no caller can mistake "the tier did not answer" for an answer.
 *
 * @param <T> the type of the answer, never null
 */
sealed interface TierResult<T> permits TierResult.Answered, TierResult.Unavailable {

    /** The tier answered {@code value}. */
    record Answered<T>(T value) implements TierResult<T> {
        public Answered {
            requireNonNull(value, "value");
        }
    }

    /** The tier did not answer; the failure is already counted and logged. */
    record Unavailable<T>() implements TierResult<T> {}

    /** Returns the answer, or {@code fallback} if the tier was unavailable. */
    default T orElse(T fallback) {
        return this instanceof Answered<T> answered ? answered.value() : fallback;
    }
}
