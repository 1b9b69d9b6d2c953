package dev.cachet.examples.spring;

import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.Cached;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slow quote service whose answers Cachet caches in the near cache {@code quotes} that {@code application.yml}
 * declares. The annotations carry no settings: the cache's tier, time to live and codec come from the properties.
 */
public class QuoteService {
    private static final String PROCESS = ManagementFactory.getRuntimeMXBean().getName();

    private final AtomicInteger computed = new AtomicInteger();

    /** Prices {@code symbol} the slow way (300 ms, standing in for a remote call). */
    @Cached(name = "quotes")
    public Quote quote(String symbol) throws InterruptedException {
        computed.incrementAndGet();
        Thread.sleep(300);
        return new Quote(symbol, 100L * (symbol.chars().sum() % 500), PROCESS);
    }

    /** Marks {@code symbol}'s price as stale: the next {@link #quote} computes it again, in every process. */
    @CacheInvalidate(name = "quotes")
    public void reprice(String symbol) {}

    /** Returns how many quotes this process computed. */
    public int computed() {
        return computed.get();
    }
}
