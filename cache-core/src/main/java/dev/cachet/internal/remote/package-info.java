/**
 * Implementation of caches over a remote tier (the {@link dev.cachet.spi} SPI): the value envelope, the circuit
 * breaker and the cache itself. Not API.
 */
@NullMarked
package dev.cachet.internal.remote;

import org.jspecify.annotations.NullMarked;
