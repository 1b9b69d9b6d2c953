package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Ticker;
import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.InMemoryRemoteTier;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code cachet.caches.<name>.value-type} naming a generic type: JSON decoded as that whole type. */
@Timeout(60)
class GenericValueTypePropertyTest {
    private static final String PRICE = Prices.Price.class.getName();
    private static final List<Prices.Price> BOOK =
            List.of(new Prices.Price("AAPL", 190_00), new Prices.Price("IBM", 1));

    @Test
    void aListOfRecordsCrossesTheTierAsThoseRecords() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        String[] properties = {
            "cachet.caches.books.tier=remote",
            "cachet.caches.books.expire-after-write=1m",
            "cachet.caches.books.value-type= java.util.List<" + PRICE + "> "
        };
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(properties)
                .run(writer -> {
                    assertThat(writer).hasNotFailed();
                    Cache<String, List<Prices.Price>> books =
                            CachetAutoConfigurationTest.cache(writer.getBean(CacheRegistry.class), "books");
                    books.put("nasdaq", BOOK);
                });
        // Another application context (another process, say) reads it back.
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(properties)
                .run(reader -> {
                    Cache<String, List<Prices.Price>> books =
                            CachetAutoConfigurationTest.cache(reader.getBean(CacheRegistry.class), "books");
                    List<Prices.Price> read = books.getIfPresent("nasdaq");
                    assertThat(read).isEqualTo(BOOK);
                    assertThat(read.get(0)).isInstanceOf(Prices.Price.class);
                });
    }

    @Test
    void aPlainClassKeepsWorkingAsBefore() {
        InMemoryRemoteTier tier = new InMemoryRemoteTier(Ticker.systemTicker());
        Contexts.runner()
                .withBean(RemoteTier.class, () -> tier)
                .withPropertyValues(
                        "cachet.caches.prices.tier=remote",
                        "cachet.caches.prices.expire-after-write=1m",
                        "cachet.caches.prices.value-type=" + PRICE)
                .run(context -> {
                    Cache<String, Prices.Price> prices =
                            CachetAutoConfigurationTest.cache(context.getBean(CacheRegistry.class), "prices");
                    prices.put("AAPL", BOOK.get(0));
                    assertThat(prices.getIfPresent("AAPL")).isEqualTo(BOOK.get(0));
                });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "java.util.List<com.example.NoSuchQuote>",
                "java.util.List<dev.cachet.spring.autoconfigure.Prices$Price",
                "java.util.Map<java.lang.String>>",
                "com.example.NoSuchPrice",
                "java.lang.Object"
            })
    void aTypeThatCannotBeResolvedFailsTheStartupNamingThePropertyAndTheValue(String valueType) {
        Contexts.runner()
                .withBean(RemoteTier.class, () -> new InMemoryRemoteTier(Ticker.systemTicker()))
                .withPropertyValues(
                        "cachet.caches.books.tier=remote",
                        "cachet.caches.books.expire-after-write=1m",
                        "cachet.caches.books.value-type=" + valueType)
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(failure -> assertThat(Contexts.messages(failure))
                                .contains("cachet.caches.books.value-type")
                                .contains(valueType)));
    }
}
