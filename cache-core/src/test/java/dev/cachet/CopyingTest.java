package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.CacheInvariants;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Defensive copying at the cache level: what callers can and cannot do to cached values. */
class CopyingTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    record Quote(String symbol, double price, LocalDate day) {}

    /** A mutable class the default copier does not know. */
    static final class Basket {
        final List<String> items = new ArrayList<>();

        Basket copy() {
            Basket copy = new Basket();
            copy.items.addAll(items);
            return copy;
        }
    }

    private <V> Cache<String, V> cache(String name) {
        return Cachet.builder(name).registry(invariants.registry()).build();
    }

    @Test
    void mutatingAnObjectAfterPutDoesNotChangeTheCache() {
        Cache<String, List<String>> cache = cache("lists");
        List<String> mine = new ArrayList<>(List.of("a"));
        cache.put("k", mine);
        mine.add("b");
        assertThat(cache.getIfPresent("k")).containsExactly("a");
    }

    @Test
    void mutatingWhatGetReturnedDoesNotChangeTheCache() {
        Cache<String, Map<String, List<Integer>>> cache = cache("maps");
        cache.get("k", k -> new HashMap<>(Map.of("x", new ArrayList<>(List.of(1, 2)))));
        Map<String, List<Integer>> read = cache.getIfPresent("k");
        read.get("x").add(3);
        read.put("y", List.of());
        Map<String, List<Integer>> again = cache.get("k", k -> Map.of());
        assertThat(again).containsOnlyKeys("x");
        assertThat(again.get("x")).containsExactly(1, 2);
        assertThat(again).isNotSameAs(read);
    }

    @Test
    void arraysAreCopied() {
        Cache<String, int[]> cache = cache("arrays");
        int[] mine = {1, 2, 3};
        cache.put("k", mine);
        mine[0] = 99;
        cache.getIfPresent("k")[1] = 99;
        assertThat(cache.getIfPresent("k")).containsExactly(1, 2, 3);
    }

    @Test
    void immutableValuesPassThroughWithoutACopy() {
        Cache<String, Object> cache = cache("immutable");
        Quote quote = new Quote("AAPL", 187.44, LocalDate.of(2026, 11, 23));
        String text = new String("text".toCharArray());
        List<String> frozen = List.of("a", "b");
        cache.put("quote", quote);
        cache.put("text", text);
        cache.put("frozen", frozen);
        assertThat(cache.getIfPresent("quote")).isSameAs(quote);
        assertThat(cache.getIfPresent("text")).isSameAs(text);
        assertThat(cache.getIfPresent("frozen")).isSameAs(frozen);
    }

    @Test
    void aMutableValueStoredAfterOnlyImmutableOnesIsCopiedOnEveryRead() {
        // Hits skip the copier while every value stored was immutable; each way in must end that for a mutable one.
        Cache<String, Object> cache = cache("mixed");
        cache.put("text", "immutable");
        assertThat(cache.getIfPresent("text")).isEqualTo("immutable");
        cache.put("list", new ArrayList<>(List.of("a")));
        cache.get("loaded", k -> new ArrayList<>(List.of("b")));
        cache.putAll(Map.of("bulk", new ArrayList<>(List.of("c"))));
        cache.getAll(List.of("bulkLoaded"), keys -> Map.of("bulkLoaded", new ArrayList<>(List.of("d"))));
        for (String key : List.of("list", "loaded", "bulk", "bulkLoaded")) {
            @SuppressWarnings("unchecked")
            List<String> read = (List<String>) cache.get(key, k -> List.of());
            read.add("corrupted");
            assertThat((List<?>) cache.getIfPresent(key)).as(key).hasSize(1);
            @SuppressWarnings("unchecked")
            List<String> bulkRead =
                    (List<String>) cache.getAll(List.of(key), keys -> Map.of()).get(key);
            bulkRead.add("corrupted");
            assertThat((List<?>) cache.getIfPresent(key)).as(key).hasSize(1);
        }
    }

    @Test
    void eachCacheDecidesForItselfWhetherReadsCopy() {
        Cache<String, Object> mutable = cache("holds-lists");
        Cache<String, Object> immutable = cache("holds-strings");
        mutable.put("k", new ArrayList<>(List.of("a")));
        String text = new String("text".toCharArray());
        immutable.put("k", text);
        assertThat(immutable.getIfPresent("k")).isSameAs(text);
        @SuppressWarnings("unchecked")
        List<String> read = (List<String>) mutable.getIfPresent("k");
        read.clear();
        assertThat(mutable.getIfPresent("k")).isEqualTo(List.of("a"));
    }

    @Test
    void anUnknownMutableTypeIsRejectedAndWhatIsCachedSurvives() {
        Cache<String, Object> cache = cache("unknown");
        cache.put("k", "safe");
        assertThatThrownBy(() -> cache.put("k", new Basket()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Basket.class.getName())
                .hasMessageContaining("Copier.identity()");
        assertThat(cache.getIfPresent("k")).isEqualTo("safe");
        assertThatThrownBy(() -> cache.get("other", k -> new Basket())).isInstanceOf(IllegalArgumentException.class);
        assertThat(cache.getIfPresent("other")).isNull();
    }

    @Test
    void aCustomCopierIsUsedOnTheWayInAndOut() {
        Cache<String, Basket> cache = Cachet.builder("baskets")
                .registry(invariants.registry())
                .copier(Basket::copy)
                .build();
        Basket mine = new Basket();
        mine.items.add("apple");
        cache.put("k", mine);
        mine.items.add("pear");
        Basket read = cache.getIfPresent("k");
        read.items.clear();
        assertThat(cache.getIfPresent("k").items).containsExactly("apple");
    }

    @Test
    void theBuiltInCopiersAreSingletonsThatCopyThroughTheirFunctions() {
        assertThat(Copier.defensive()).isSameAs(Copier.defensive()).isSameAs(BuiltInCopier.DEFENSIVE);
        assertThat(Copier.serializing()).isSameAs(Copier.serializing()).isSameAs(BuiltInCopier.SERIALIZING);
        assertThat(Copier.identity()).isSameAs(BuiltInCopier.IDENTITY);
        ArrayList<Integer> list = new ArrayList<>(List.of(1, 2));
        assertThat(Copier.<Object>defensive().copy(list)).isEqualTo(list).isNotSameAs(list);
        assertThat(Copier.<Object>serializing().copy(list)).isEqualTo(list).isNotSameAs(list);
    }

    @Test
    void theIdentityCopierSharesInstances() {
        Cache<String, Basket> cache = Cachet.builder("shared")
                .registry(invariants.registry())
                .copier(Copier.identity())
                .build();
        Basket basket = new Basket();
        cache.put("k", basket);
        assertThat(cache.getIfPresent("k")).isSameAs(basket);
    }

    @Test
    void waitersOfOneLoadEachGetTheirOwnCopy() throws Exception {
        Cache<String, List<String>> cache = cache("waiters");
        List<String> first = cache.get("k", k -> new ArrayList<>(List.of("x")));
        List<String> second = cache.get("k", k -> new ArrayList<>());
        assertThat(second).isNotSameAs(first).containsExactly("x");
        first.clear();
        assertThat(cache.getIfPresent("k")).containsExactly("x");
    }
}
