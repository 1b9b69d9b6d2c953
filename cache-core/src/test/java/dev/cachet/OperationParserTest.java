package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.CacheKey;
import dev.cachet.annotation.Cached;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The model an interface's annotations are parsed into, and the keys it makes. */
class OperationParserTest {

    interface PriceService {
        @Cached(name = "prices", expireAfterWrite = "30s", maximumSize = 10_000)
        String price(String symbol, Currency ccy);

        @Cached(name = "prices", expireAfterWrite = "30s", maximumSize = 10_000)
        String priceAt(String symbol, Currency ccy, @CacheKey long day);

        @CacheInvalidate(name = "prices")
        void reprice(String symbol, Currency ccy);

        @CacheInvalidate(name = "quotes", allEntries = true)
        CompletableFuture<Void> requoteAll();

        @Cached(name = "quotes", expireAfterAccess = "PT1M")
        Optional<String> quote(@CacheKey String symbol, String traceId);

        @Cached(name = "futures")
        CompletionStage<String> later();

        String plain(String symbol);
    }

    private static final InterfaceModel MODEL = OperationParser.modelOf(PriceService.class);

    private static Operation operation(String name) {
        return MODEL.operations().entrySet().stream()
                .filter(entry -> entry.getKey().getName().equals(name))
                .map(java.util.Map.Entry::getValue)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anInterfaceIsParsedOnce() {
        assertThat(OperationParser.modelOf(PriceService.class)).isSameAs(MODEL);
        assertThat(OperationParser.parse(PriceService.class)).isEqualTo(MODEL).isNotSameAs(MODEL);
    }

    @Test
    void eachMethodHasOneOperation() {
        assertThat(MODEL.type()).isEqualTo(PriceService.class);
        assertThat(MODEL.operations()).hasSize(7);
        assertThat(operation("plain")).isInstanceOf(DirectCall.class);
        assertThat(operation("plain").description()).isEqualTo("PriceService.plain(String)");
        assertThat(MODEL.caches().keySet()).containsExactly("futures", "prices", "quotes");
        assertThat(MODEL.externalCaches()).isEmpty();
    }

    @Test
    void cachedMethodsCarryTheirSettingsKeyParametersAndResultKind() {
        CachedOperation price = (CachedOperation) operation("price");
        assertThat(price.description()).isEqualTo("PriceService.price(String, Currency)");
        assertThat(price.cache())
                .isEqualTo(new CacheSettings(
                        "prices", OptionalLong.of(10_000), Optional.of(Duration.ofSeconds(30)), Optional.empty()));
        assertThat(price.keyParameters()).containsExactly(0, 1);
        assertThat(price.result()).isEqualTo(ResultKind.VALUE);

        CachedOperation quote = (CachedOperation) operation("quote");
        assertThat(quote.cache())
                .isEqualTo(new CacheSettings(
                        "quotes", OptionalLong.empty(), Optional.empty(), Optional.of(Duration.ofMinutes(1))));
        assertThat(quote.keyParameters()).containsExactly(0);
        assertThat(quote.keyPrefix()).isEmpty();
        assertThat(quote.result()).isEqualTo(ResultKind.OPTIONAL);

        assertThat(((CachedOperation) operation("later")).result()).isEqualTo(ResultKind.FUTURE);
        assertThat(((CachedOperation) operation("priceAt")).keyParameters()).containsExactly(2);
    }

    @Test
    void methodsSharingACacheHavePrefixedKeysAndInvalidationRemovesEachOfThem() {
        CachedOperation price = (CachedOperation) operation("price");
        CachedOperation priceAt = (CachedOperation) operation("priceAt");
        String priceIdentity = PriceService.class.getName() + ".price(java.lang.String,java.util.Currency)";
        String priceAtIdentity = PriceService.class.getName() + ".priceAt(java.lang.String,java.util.Currency,long)";
        assertThat(price.keyPrefix()).contains(priceIdentity);
        assertThat(priceAt.keyPrefix()).contains(priceAtIdentity);

        InvalidateOperation reprice = (InvalidateOperation) operation("reprice");
        assertThat(reprice.cacheName()).isEqualTo("prices");
        assertThat(reprice.keyPrefixes()).containsExactly(priceIdentity, priceAtIdentity);
        Currency eur = Currency.getInstance("EUR");
        Object[] arguments = {"AAPL", eur};
        assertThat(reprice.keys(arguments))
                .containsExactly(
                        price.key(arguments), new ArgumentKeys.Prefixed(priceAtIdentity, List.of("AAPL", eur)));
        assertThat(price.key(arguments)).isEqualTo(new ArgumentKeys.Prefixed(priceIdentity, List.of("AAPL", eur)));
    }

    @Test
    void anInvalidationOfAllEntriesHasNoKeysAndAwaitsItsFuture() {
        InvalidateOperation requoteAll = (InvalidateOperation) operation("requoteAll");
        assertThat(requoteAll.allEntries()).isTrue();
        assertThat(requoteAll.awaitsFuture()).isTrue();
        assertThat(requoteAll.keys(new Object[0])).isEmpty();
        assertThat(((InvalidateOperation) operation("reprice")).awaitsFuture()).isFalse();
    }

    @Test
    void keysCompareArgumentsByValue() {
        List<Integer> first = List.of(0);
        Optional<String> none = Optional.empty();
        assertThat(ArgumentKeys.of(first, new Object[] {"AAPL", "ignored"}, none))
                .isEqualTo("AAPL");
        assertThat(ArgumentKeys.of(List.of(), new Object[] {"ignored"}, none))
                .isSameAs(ArgumentKeys.NoArguments.KEY)
                .hasToString("()");
        assertThat(ArgumentKeys.of(first, new Object[] {new int[] {1, 2}}, none))
                .isEqualTo(ArgumentKeys.of(first, new Object[] {new int[] {1, 2}}, none))
                .isNotEqualTo(ArgumentKeys.of(first, new Object[] {new long[] {1, 2}}, none))
                .isNotEqualTo(ArgumentKeys.of(first, new Object[] {new int[] {2, 1}}, none));
        assertThat(ArgumentKeys.of(List.of(1, 0), new Object[] {new ArrayList<>(List.of("a")), null}, none))
                .isEqualTo(ArgumentKeys.of(List.of(1, 0), new Object[] {List.of("a"), null}, none))
                .isNotEqualTo(ArgumentKeys.of(List.of(0, 1), new Object[] {List.of("a"), null}, none));
    }
}
