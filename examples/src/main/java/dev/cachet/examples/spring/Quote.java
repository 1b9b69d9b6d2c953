package dev.cachet.examples.spring;

/**
 * A price quote: immutable (so the near tier shares it without copying) and plain JSON for Redis, where {@code
 * application.yml} names it as the cache's {@code value-type}.
 *
 * @param symbol the ticker symbol
 * @param cents the price in cents
 * @param pricedBy the process that computed it, so the output shows which one did
 */
public record Quote(String symbol, long cents, String pricedBy) {}
