/**
 * What integrators implement to plug a shared, remote tier (Redis, in the {@code cache-redis} module) under Cachet's
 * caches without core depending on it: a {@link dev.cachet.spi.RemoteTier} hands out one {@link
 * dev.cachet.spi.RemoteStore} per cache, which stores encoded values with a time to live, answers reads with a {@link
 * dev.cachet.spi.Lookup} carrying the key's lease (so that a load never writes over a newer put or delete), and offers
 * a {@link dev.cachet.spi.RemoteLock} for one load per key across processes. Values cross it as bytes made by a {@link
 * dev.cachet.spi.ValueCodec}.
 */
@NullMarked
package dev.cachet.spi;

import org.jspecify.annotations.NullMarked;
