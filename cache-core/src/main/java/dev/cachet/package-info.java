/**
 * What users type: {@link dev.cachet.Cachet} (the entry point), {@link dev.cachet.Cache} and {@link
 * dev.cachet.CacheBuilder}, memoised functions ({@link dev.cachet.Memoized}), statistics ({@link
 * dev.cachet.CacheStats}), copying ({@link dev.cachet.Copier}) and time ({@link dev.cachet.Ticker}).
 *
 * <p>The implementation lives here too, package-private and final (as Caffeine keeps {@code BoundedLocalCache} next
 * to its API): the in-memory caches ({@code LocalCache}, {@code LocalLoadingCache}), the caches over a remote tier
 * ({@code RemoteCache}, {@code NearCache}, and the parts a remote cache wires: {@code TierGuard}, {@code
 * EnvelopeCodec}, {@code LoadElection}, {@code EarlyExpiry}, {@code RemoteCounters}, {@code TierClock}), memoised
 * functions, statistics recording, the hit-ratio monitor and the caching proxies behind {@code Cachet.proxy} (an
 * interface's annotations parsed once by {@code OperationParser} into one immutable record per method). Only leaf helpers that need nothing from this package live in {@code
 * dev.cachet.internal…}, so that no package cycle can form.
 */
@NullMarked
package dev.cachet;

import org.jspecify.annotations.NullMarked;
