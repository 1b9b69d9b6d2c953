/**
 * Cachet's Redis tier: {@link dev.cachet.redis.RedisTier}, a {@link dev.cachet.spi.RemoteTier} on Jedis for a
 * standalone server or a Cluster, configured by {@link dev.cachet.redis.RedisTierConfig}, and {@link
 * dev.cachet.redis.Codec}, the value formats (strings, bytes, numbers, JSON with Jackson, opt-in Java serialisation
 * behind an allow-list). Everything else here is package-private implementation: the key layout, the Lua scripts of
 * the fenced lock, the store.
 */
@NullMarked
package dev.cachet.redis;

import org.jspecify.annotations.NullMarked;
