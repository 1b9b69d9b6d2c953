/**
 * Leaf helpers of the caches over a remote tier, not API: the value envelope ({@link
 * dev.cachet.internal.remote.Envelope}), the circuit breaker ({@link dev.cachet.internal.remote.CircuitBreaker}), the
 * invalidations waiting for the tier to answer again ({@link dev.cachet.internal.remote.PendingInvalidations}) and the
 * default key encoder ({@link dev.cachet.internal.remote.DefaultKeyEncoder}).
 * The caches themselves ({@code RemoteCache}, {@code NearCache}) are package-private classes in {@code dev.cachet}.
 *
 * <p>Nothing here depends on {@code dev.cachet}. Not exported from the module.
 */
@NullMarked
package dev.cachet.internal.remote;

import org.jspecify.annotations.NullMarked;
