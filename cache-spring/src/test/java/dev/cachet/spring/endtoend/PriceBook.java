package dev.cachet.spring.endtoend;

import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.Cached;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A bean whose prices are cached in the near cache "prices", declared in the test's properties. */
public class PriceBook {
    private final ConcurrentMap<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** A price; immutable, and JSON-friendly for the Redis tier. */
    public record Price(String symbol, long cents) {}

    /** Loads a price; while {@link #holdLoads() held}, the load waits until {@link #releaseLoads() released}. */
    @Cached(name = "prices")
    public Price price(String symbol) throws InterruptedException {
        loads.computeIfAbsent(symbol, s -> new AtomicInteger()).incrementAndGet();
        if (!gate.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the load of " + symbol + " was never released");
        }
        return new Price(symbol, 100L * symbol.length());
    }

    /** Makes loads wait until {@link #releaseLoads()}, so that concurrent callers overlap. */
    public void holdLoads() {
        gate = new CountDownLatch(1);
    }

    /** Lets held loads finish and later ones run at once. */
    public void releaseLoads() {
        gate.countDown();
    }

    /** Changes nothing here; its annotation removes the symbol's cached price. */
    @CacheInvalidate(name = "prices")
    public void reprice(String symbol) {}

    /** Returns how often {@link #price} ran for {@code symbol}. */
    public int loads(String symbol) {
        AtomicInteger count = loads.get(symbol);
        return count == null ? 0 : count.get();
    }
}
