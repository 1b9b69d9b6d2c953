/**
 * What users type: {@link dev.cachet.Cachet} (the entry point), {@link dev.cachet.Cache} and {@link
 * dev.cachet.CacheBuilder}, memoised functions ({@link dev.cachet.Memoized}), statistics ({@link
 * dev.cachet.CacheStats}), copying ({@link dev.cachet.Copier}) and time ({@link dev.cachet.Ticker}).
 */
@NullMarked
package dev.cachet;

import org.jspecify.annotations.NullMarked;
