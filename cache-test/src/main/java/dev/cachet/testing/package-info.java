/**
 * Support for testing code that uses Cachet, shipped as {@code dev.cachet:cache-test} (depend on it with test scope):
 * {@link dev.cachet.testing.FakeTicker} moves time only when told, {@link dev.cachet.testing.InMemoryRemoteTier} is a
 * remote tier in a map for remote and near caches without Redis, {@link dev.cachet.testing.CacheInvariants} checks
 * every cache after each test, and {@link dev.cachet.testing.StampedeHarness} counts loads per expiry across worker
 * JVMs. The Redis JUnit extension lives in {@code dev.cachet.testing.redis}.
 */
@NullMarked
package dev.cachet.testing;

import org.jspecify.annotations.NullMarked;
