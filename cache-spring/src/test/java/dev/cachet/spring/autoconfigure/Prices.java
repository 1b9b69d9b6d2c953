package dev.cachet.spring.autoconfigure;

import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.CacheKey;
import dev.cachet.annotation.Cached;
import dev.cachet.spring.KeyExpression;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Annotated beans the AOP tests proxy; each counts the calls that reached it. */
final class Prices {
    private Prices() {}

    /** A price, immutable: the default copier passes it. */
    record Price(String symbol, long cents) {}

    /** Annotations on the interface, read through a JDK proxy or a class-based one. */
    interface PriceService {
        @Cached(name = "prices", maximumSize = 100, expireAfterWrite = "1m")
        Price price(String symbol);

        @CacheInvalidate(name = "prices")
        void reprice(String symbol);

        int calls();
    }

    /** Implements {@link PriceService}; carries no annotations itself. */
    static class RealPriceService implements PriceService {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public Price price(String symbol) {
            calls.incrementAndGet();
            return new Price(symbol, 100L * symbol.length());
        }

        @Override
        public void reprice(String symbol) {}

        @Override
        public int calls() {
            return calls.get();
        }
    }

    /** Annotations on a class without interfaces: only a class-based proxy can intercept it. */
    static class Quotes {
        private final AtomicInteger calls = new AtomicInteger();

        /** Returns how many calls reached the bean; a method, since a class-based proxy has no state of its own. */
        public int calls() {
            return calls.get();
        }

        @Cached(name = "quotes", expireAfterWrite = "1m")
        public String quote(@CacheKey String symbol, String traceId) {
            calls.incrementAndGet();
            return symbol + "@" + traceId;
        }

        @Cached(name = "quotes")
        @KeyExpression("#p0.toUpperCase()")
        public String quoteAnyCase(String symbol) {
            calls.incrementAndGet();
            return "any:" + symbol;
        }

        @Cached(name = "optionals")
        public Optional<String> find(String symbol) {
            calls.incrementAndGet();
            return symbol.isEmpty() ? Optional.empty() : Optional.of(symbol);
        }

        @Cached(name = "nulls")
        public String nothing(String symbol) {
            calls.incrementAndGet();
            return null;
        }

        @Cached(name = "checked")
        public String checked(String symbol) throws IOException {
            calls.incrementAndGet();
            throw new IOException("no quote for " + symbol);
        }

        @CacheInvalidate(name = "quotes")
        public void forget(String symbol) {}

        @CacheInvalidate(name = "quotes", allEntries = true)
        public void forgetAll() {}

        @CacheInvalidate(name = "quotes")
        public void failToForget(String symbol) {
            throw new IllegalStateException("refused to forget " + symbol);
        }

        public String uncached(String symbol) {
            calls.incrementAndGet();
            return symbol;
        }
    }

    /** Uses the cache named "sessions" without settings: the one declared in properties. */
    static class Sessions {
        private final AtomicInteger calls = new AtomicInteger();

        public int calls() {
            return calls.get();
        }

        @Cached(name = "sessions")
        public String user(String sessionId) {
            calls.incrementAndGet();
            return "user-of-" + sessionId;
        }
    }

    /** Gives the property-declared cache "sessions" settings of its own: a conflict. */
    static class ConflictingSessions {
        @Cached(name = "sessions", maximumSize = 5)
        public String user(String sessionId) {
            return sessionId;
        }
    }

    /** A duration that does not parse. */
    static class BadDuration {
        @Cached(name = "bad", expireAfterWrite = "30 parsecs")
        public String value(String key) {
            return key;
        }
    }

    /** Invalidates a cache nobody declares. */
    static class Misspelt {
        @CacheInvalidate(name = "pricez")
        public void reprice(String symbol) {}
    }

    /** Returns a future, which the Spring advice does not support. */
    static class Asynchronous {
        @Cached(name = "async")
        public java.util.concurrent.CompletableFuture<String> value(String key) {
            return java.util.concurrent.CompletableFuture.completedFuture(key);
        }
    }

    /** A key expression that is not SpEL. */
    static class BadExpression {
        @Cached(name = "bad")
        @KeyExpression("#p0 +")
        public String value(String key) {
            return key;
        }
    }
}
