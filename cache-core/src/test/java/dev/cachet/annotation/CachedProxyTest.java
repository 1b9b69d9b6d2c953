package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.CacheStats;
import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a caching proxy does with plain, {@code null} and {@code Optional} results, keys, invalidation and errors. */
class CachedProxyTest {
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency USD = Currency.getInstance("USD");

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    record Price(String symbol, Currency currency, long cents) {}

    interface PriceService {
        @Cached(name = "prices", expireAfterWrite = "30s", maximumSize = 10_000)
        Price price(String symbol, Currency ccy);

        @CacheInvalidate(name = "prices")
        void reprice(String symbol, Currency ccy);

        @CacheInvalidate(name = "prices", allEntries = true)
        void repriceAll();

        @Cached(name = "baskets", expireAfterAccess = "PT5M")
        long basket(String[] symbols);

        @Cached(name = "portfolios")
        long portfolio(List<String> symbols);

        @Cached(name = "quotes")
        String quote(@CacheKey String symbol, String traceId);

        @Cached(name = "latest")
        String latest();

        @Cached(name = "listings")
        String listing(String symbol);

        @Cached(name = "lookups")
        Optional<Price> lookup(String symbol);

        @Cached(name = "histories")
        List<Long> history(String symbol);

        String uncached(String symbol);
    }

    /** Records every call it receives, in order. */
    static class RealPriceService implements PriceService {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        RuntimeException repriceFailure;

        @Override
        public Price price(String symbol, Currency ccy) {
            calls.add("price " + symbol + " " + ccy);
            return new Price(symbol, ccy, symbol.length() * 100L + calls.size());
        }

        @Override
        public void reprice(String symbol, Currency ccy) {
            calls.add("reprice " + symbol + " " + ccy);
            if (repriceFailure != null) {
                throw repriceFailure;
            }
        }

        @Override
        public void repriceAll() {
            calls.add("repriceAll");
        }

        @Override
        public long basket(String[] symbols) {
            calls.add("basket " + String.join(",", symbols));
            return symbols.length;
        }

        @Override
        public long portfolio(List<String> symbols) {
            calls.add("portfolio " + symbols);
            return symbols.size();
        }

        @Override
        public String quote(String symbol, String traceId) {
            calls.add("quote " + symbol + " " + traceId);
            return symbol + "@" + traceId;
        }

        @Override
        public String latest() {
            calls.add("latest");
            return "latest-" + calls.size();
        }

        @Override
        public String listing(String symbol) {
            calls.add("listing " + symbol);
            return null;
        }

        @Override
        public Optional<Price> lookup(String symbol) {
            calls.add("lookup " + symbol);
            return switch (symbol) {
                case "AAPL" -> Optional.of(new Price(symbol, USD, 19_000));
                case "NULL" -> null;
                default -> Optional.empty();
            };
        }

        @Override
        public List<Long> history(String symbol) {
            calls.add("history " + symbol);
            return new ArrayList<>(List.of(1L, 2L, 3L));
        }

        @Override
        public String uncached(String symbol) {
            calls.add("uncached " + symbol);
            return symbol;
        }

        @Override
        public String toString() {
            return "RealPriceService";
        }
    }

    private final RealPriceService target = new RealPriceService();

    private PriceService proxy() {
        return Cachet.proxy(PriceService.class, target, invariants.registry());
    }

    private Cache<?, ?> cache(String name) {
        return invariants.registry().find(name).orElseThrow();
    }

    @Test
    void callsWithEqualArgumentsCallTheTargetOnceAndOtherArgumentsCallItAgain() {
        PriceService prices = proxy();

        Price first = prices.price("AAPL", EUR);
        assertThat(prices.price("AAPL", EUR)).isEqualTo(first);
        assertThat(prices.price(new String("AAPL"), EUR)).isEqualTo(first);
        prices.price("AAPL", USD);
        prices.price("MSFT", EUR);

        assertThat(target.calls).containsExactly("price AAPL EUR", "price AAPL USD", "price MSFT EUR");
        CacheStats stats = cache("prices").stats();
        assertThat(stats.hitCount()).isEqualTo(2);
        assertThat(stats.missCount()).isEqualTo(3);
        assertThat(stats.loadSuccessCount()).isEqualTo(3);
        assertThat(cache("prices").estimatedSize()).isEqualTo(3);
    }

    @Test
    void arraysAreKeyedByContentAndLaterChangesToThemDoNotDisturbTheCache() {
        PriceService prices = proxy();
        String[] symbols = {"AAPL", "MSFT"};

        assertThat(prices.basket(symbols)).isEqualTo(2);
        assertThat(prices.basket(new String[] {"AAPL", "MSFT"})).isEqualTo(2);
        symbols[0] = "IBM";
        assertThat(prices.basket(new String[] {"AAPL", "MSFT"})).isEqualTo(2);
        assertThat(prices.basket(symbols)).isEqualTo(2);
        assertThat(prices.basket(new String[] {"MSFT", "AAPL"})).isEqualTo(2);

        assertThat(target.calls).containsExactly("basket AAPL,MSFT", "basket IBM,MSFT", "basket MSFT,AAPL");
    }

    @Test
    void listsAreKeyedByContentWhateverTheirClass() {
        PriceService prices = proxy();
        List<String> mutable = new ArrayList<>(List.of("AAPL", "MSFT"));

        prices.portfolio(mutable);
        prices.portfolio(List.of("AAPL", "MSFT"));
        prices.portfolio(Arrays.asList("AAPL", "MSFT"));
        mutable.add("IBM");
        prices.portfolio(List.of("AAPL", "MSFT"));
        prices.portfolio(mutable);

        assertThat(target.calls).containsExactly("portfolio [AAPL, MSFT]", "portfolio [AAPL, MSFT, IBM]");
    }

    @Test
    void onlyTheParametersMarkedCacheKeyFormTheKey() {
        PriceService prices = proxy();

        assertThat(prices.quote("AAPL", "trace-1")).isEqualTo("AAPL@trace-1");
        assertThat(prices.quote("AAPL", "trace-2")).isEqualTo("AAPL@trace-1");
        assertThat(prices.quote("MSFT", "trace-3")).isEqualTo("MSFT@trace-3");

        assertThat(target.calls).containsExactly("quote AAPL trace-1", "quote MSFT trace-3");
    }

    @Test
    void aSingleKeyArgumentIsTheKeySoTheCacheCanBeInvalidatedByIt() {
        PriceService prices = proxy();
        prices.quote("AAPL", "trace-1");

        @SuppressWarnings("unchecked")
        Cache<String, String> quotes = (Cache<String, String>) cache("quotes");
        assertThat(quotes.getIfPresent("AAPL")).isEqualTo("AAPL@trace-1");
        quotes.invalidate("AAPL");
        prices.quote("AAPL", "trace-2");

        assertThat(target.calls).containsExactly("quote AAPL trace-1", "quote AAPL trace-2");
    }

    @Test
    void aMethodWithoutArgumentsHasOneEntry() {
        PriceService prices = proxy();

        assertThat(prices.latest()).isEqualTo("latest-1");
        assertThat(prices.latest()).isEqualTo("latest-1");

        assertThat(target.calls).containsExactly("latest");
        assertThat(cache("latest").estimatedSize()).isEqualTo(1);
    }

    @Test
    void invalidationRemovesTheEntryOfTheSameArgumentsAfterTheTargetReturned() {
        PriceService prices = proxy();
        prices.price("AAPL", EUR);
        prices.price("MSFT", EUR);

        prices.reprice("AAPL", EUR);
        prices.price("AAPL", EUR);
        prices.price("MSFT", EUR);

        assertThat(target.calls)
                .containsExactly("price AAPL EUR", "price MSFT EUR", "reprice AAPL EUR", "price AAPL EUR");
    }

    @Test
    void allEntriesEmptiesTheCache() {
        PriceService prices = proxy();
        prices.price("AAPL", EUR);
        prices.price("MSFT", EUR);

        prices.repriceAll();
        prices.price("AAPL", EUR);
        prices.price("MSFT", EUR);

        assertThat(target.calls)
                .containsExactly("price AAPL EUR", "price MSFT EUR", "repriceAll", "price AAPL EUR", "price MSFT EUR");
    }

    @Test
    void aTargetThatThrowsInvalidatesNothingAndItsExceptionReachesTheCallerUnchanged() {
        PriceService prices = proxy();
        prices.price("AAPL", EUR);
        target.repriceFailure = new IllegalStateException("pricing engine down");

        assertThatThrownBy(() -> prices.reprice("AAPL", EUR)).isSameAs(target.repriceFailure);
        prices.price("AAPL", EUR);

        assertThat(target.calls).containsExactly("price AAPL EUR", "reprice AAPL EUR");
    }

    @Test
    void aNullResultIsReturnedButNotCached() {
        PriceService prices = proxy();

        assertThat(prices.listing("AAPL")).isNull();
        assertThat(prices.listing("AAPL")).isNull();

        assertThat(target.calls).containsExactly("listing AAPL", "listing AAPL");
        assertThat(cache("listings").estimatedSize()).isZero();
    }

    @Test
    void anOptionalIsCachedByItsContentAndAnEmptyOneIsNotCached() {
        PriceService prices = proxy();

        assertThat(prices.lookup("AAPL")).contains(new Price("AAPL", USD, 19_000));
        assertThat(prices.lookup("AAPL")).contains(new Price("AAPL", USD, 19_000));
        assertThat(prices.lookup("NONE")).isEmpty();
        assertThat(prices.lookup("NONE")).isEmpty();
        assertThat(prices.lookup("NULL")).isEmpty();

        assertThat(target.calls).containsExactly("lookup AAPL", "lookup NONE", "lookup NONE", "lookup NULL");
        @SuppressWarnings("unchecked")
        Cache<String, Object> lookups = (Cache<String, Object>) cache("lookups");
        assertThat(lookups.getIfPresent("AAPL")).isEqualTo(new Price("AAPL", USD, 19_000));
    }

    @Test
    void cachedValuesAreCopiedSoCallersCannotChangeThem() {
        PriceService prices = proxy();

        prices.history("AAPL").add(99L);
        List<Long> second = prices.history("AAPL");
        second.clear();

        assertThat(prices.history("AAPL")).containsExactly(1L, 2L, 3L);
        assertThat(target.calls).containsExactly("history AAPL");
    }

    @Test
    void methodsWithoutAnnotationsCallTheTargetEveryTime() {
        PriceService prices = proxy();

        assertThat(prices.uncached("AAPL")).isEqualTo("AAPL");
        assertThat(prices.uncached("AAPL")).isEqualTo("AAPL");

        assertThat(target.calls).containsExactly("uncached AAPL", "uncached AAPL");
    }

    @Test
    void theCachesCarryTheSettingsOfTheirAnnotation() {
        proxy();

        assertThat(cache("prices").config().maximumSize()).isEqualTo(OptionalLong.of(10_000));
        assertThat(cache("prices").config().expireAfterWrite()).contains(Duration.ofSeconds(30));
        assertThat(cache("prices").config().expireAfterAccess()).isEmpty();
        assertThat(cache("baskets").config().maximumSize()).isEmpty();
        assertThat(cache("baskets").config().expireAfterAccess()).contains(Duration.ofMinutes(5));
        assertThat(invariants.registry().names())
                .containsExactlyInAnyOrder(
                        "prices", "baskets", "portfolios", "quotes", "latest", "listings", "lookups", "histories");
    }

    @Test
    void proxiesOfOneInterfaceInOneRegistryShareTheirCaches() {
        PriceService first = proxy();
        RealPriceService otherTarget = new RealPriceService();
        PriceService second = Cachet.proxy(PriceService.class, otherTarget, invariants.registry());

        Price price = first.price("AAPL", EUR);

        assertThat(second.price("AAPL", EUR)).isEqualTo(price);
        assertThat(otherTarget.calls).isEmpty();
    }

    interface Conversions {
        @Cached(name = "conversions", maximumSize = 100)
        String upper(String text);

        @Cached(name = "conversions", maximumSize = 100)
        String lower(String text);

        @CacheInvalidate(name = "conversions")
        void forget(String text);
    }

    static final class RealConversions implements Conversions {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String upper(String text) {
            calls.add("upper " + text);
            return text.toUpperCase(java.util.Locale.ROOT);
        }

        @Override
        public String lower(String text) {
            calls.add("lower " + text);
            return text.toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public void forget(String text) {
            calls.add("forget " + text);
        }
    }

    @Test
    void methodsThatShareACacheKeepTheirEntriesApartAndAreInvalidatedTogether() {
        RealConversions conversionsTarget = new RealConversions();
        Conversions conversions = Cachet.proxy(Conversions.class, conversionsTarget, invariants.registry());

        assertThat(conversions.upper("Mixed")).isEqualTo("MIXED");
        assertThat(conversions.lower("Mixed")).isEqualTo("mixed");
        assertThat(conversions.upper("Mixed")).isEqualTo("MIXED");
        assertThat(conversions.lower("Mixed")).isEqualTo("mixed");
        assertThat(cache("conversions").estimatedSize()).isEqualTo(2);

        conversions.forget("Mixed");
        conversions.upper("Mixed");
        conversions.lower("Mixed");

        assertThat(invariants.registry().names()).containsExactly("conversions");
        assertThat(conversionsTarget.calls)
                .containsExactly("upper Mixed", "lower Mixed", "forget Mixed", "upper Mixed", "lower Mixed");
        assertThat(cache("conversions").stats().hitCount()).isEqualTo(2);
    }

    interface Documents {
        @Cached(name = "documents")
        String read(String path) throws IOException;
    }

    @Test
    void targetExceptionsReachTheCallerUnchangedCheckedOnesTooAndAreNotCached() throws IOException {
        IOException missing = new IOException("no such file: a.txt");
        IllegalArgumentException bad = new IllegalArgumentException("bad path: ?");
        List<String> calls = new ArrayList<>();
        Documents target = path -> {
            calls.add(path);
            return switch (path) {
                case "a.txt" -> throw missing;
                case "?" -> throw bad;
                default -> "contents of " + path;
            };
        };
        Documents documents = Cachet.proxy(Documents.class, target, invariants.registry());

        assertThatThrownBy(() -> documents.read("a.txt")).isSameAs(missing);
        assertThatThrownBy(() -> documents.read("a.txt")).isSameAs(missing);
        assertThatThrownBy(() -> documents.read("?")).isSameAs(bad);
        assertThat(documents.read("b.txt")).isEqualTo("contents of b.txt");

        assertThat(calls).containsExactly("a.txt", "a.txt", "?", "b.txt");
        assertThat(cache("documents").stats().loadFailureCount()).isEqualTo(3);
    }

    @Test
    void objectMethodsDescribeTheProxyAndCompareItByInterfaceTargetAndRegistry() {
        PriceService prices = proxy();
        PriceService sameTarget = proxy();
        PriceService otherTarget = Cachet.proxy(PriceService.class, new RealPriceService(), invariants.registry());
        PriceService otherRegistry = Cachet.proxy(PriceService.class, target, CacheRegistry.create());

        assertThat(prices.toString())
                .startsWith("Cachet proxy of PriceService over RealPriceService, caches [")
                .contains("prices");
        assertThat(prices).isEqualTo(sameTarget).hasSameHashCodeAs(sameTarget);
        assertThat(prices).isNotEqualTo(otherTarget).isNotEqualTo(otherRegistry).isNotEqualTo(target);
        assertThat(target.calls).isEmpty();
    }

    @Test
    void theTwoArgumentOverloadUsesTheDefaultRegistry() {
        String name = "dev.cachet.annotation.CachedProxyTest.default";
        try {
            Greeter greeter = Cachet.proxy(Greeter.class, who -> "hello " + who);

            assertThat(greeter.greet("world")).isEqualTo("hello world");
            assertThat(greeter.greet("world")).isEqualTo("hello world");

            Cache<?, ?> cache = CacheRegistry.defaultRegistry().find(name).orElseThrow();
            assertThat(cache.stats().hitCount()).isEqualTo(1);
            assertThat(cache.stats().missCount()).isEqualTo(1);
        } finally {
            CacheRegistry.defaultRegistry().remove(name);
        }
    }

    interface Greeter {
        @Cached(name = "dev.cachet.annotation.CachedProxyTest.default")
        String greet(String who);
    }
}
