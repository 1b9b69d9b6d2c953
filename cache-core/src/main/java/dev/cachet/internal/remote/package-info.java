/**
 * Implementation of caches over a remote tier (the {@link dev.cachet.spi} SPI): the value envelope, the circuit
 * breaker and the cache itself. Not API.
 */
package dev.cachet.internal.remote;
