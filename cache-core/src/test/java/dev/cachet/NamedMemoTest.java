package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.CacheInvariants;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Memoised functions under a name: registered, measured, and named in their warnings. */
class NamedMemoTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final Function<Integer, Integer> square = new Square();

    /** One function instance, as the registry compares functions by identity. */
    private static final class Square implements Function<Integer, Integer> {
        @Override
        public Integer apply(Integer n) {
            return n * n;
        }
    }

    private Memoized<Integer, Integer> memo(String name, Function<Integer, Integer> function, long maximumSize) {
        return Cachet.memoize(name, function, maximumSize, Copier.identity(), invariants.registry());
    }

    @Test
    void aNamedMemoIsRegisteredAsACacheOfItsName() {
        Memoized<Integer, Integer> squares = memo("squares", square, 100);
        assertThat(squares.apply(3)).isEqualTo(9);
        assertThat(squares.apply(3)).isEqualTo(9);

        Cache<?, ?> registered = invariants.registry().find("squares").orElseThrow();
        assertThat(registered.name()).isEqualTo("squares");
        assertThat(registered.stats().hitCount()).isEqualTo(1);
        assertThat(registered.stats().missCount()).isEqualTo(1);
        assertThat(registered.estimatedSize()).isEqualTo(1);
        assertThat(registered.config().maximumSize()).hasValue(100);
        assertThat(squares.stats()).isEqualTo(new MemoStats(1, 1, 100, 1));
    }

    @Test
    void theRegisteredCacheRefusesAccessByKeyButClearsTheMemo() {
        Memoized<Integer, Integer> squares = memo("squares", square, 100);
        squares.apply(2);
        @SuppressWarnings("unchecked")
        Cache<Object, Object> registered =
                (Cache<Object, Object>) invariants.registry().find("squares").orElseThrow();
        assertThatThrownBy(() -> registered.getIfPresent(2))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("'squares' is a memoised function");
        assertThatThrownBy(() -> registered.put(2, 5)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> registered.get(2, k -> 5)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(squares.apply(2)).as("nothing was lost").isEqualTo(4);
        assertThat(squares.stats().hits()).isEqualTo(1);

        registered.invalidateAll();
        assertThat(squares.stats().currentSize()).isZero();
        assertThat(registered.stats().hitCount())
                .as("the cache's counters never go back")
                .isEqualTo(1);
    }

    @Test
    void theSameNameAndFunctionShareResults() {
        Memoized<Integer, Integer> first = memo("squares", square, 100);
        Memoized<Integer, Integer> second = memo("squares", square, 100);
        first.apply(4);
        second.apply(4);
        assertThat(second.stats().hits()).isEqualTo(1);
    }

    @Test
    void aNameHeldByAnotherFunctionOrACacheIsAClearConflict() {
        memo("squares", square, 100);
        assertThatThrownBy(() -> memo("squares", n -> n * n, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'squares'")
                .hasMessageContaining("another function");
        assertThatThrownBy(() -> memo("squares", square, 200))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another maximumSize: registered 100, requested 200");

        Cachet.builder("prices").registry(invariants.registry()).maximumSize(10).build();
        assertThatThrownBy(() -> memo("prices", square, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'prices'")
                .hasMessageContaining("another kind: registered cache without a loader, requested memoized function");
        assertThatThrownBy(() -> Cachet.builder("squares")
                        .registry(invariants.registry())
                        .maximumSize(100)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'squares'");
        BiFunction<Integer, Integer, Integer> sum = Integer::sum;
        assertThatThrownBy(() -> Cachet.memoize("squares", sum, 100, Copier.identity(), invariants.registry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("requested memoized two-argument function");
    }

    @Test
    void badInputFailsEarlyAndRegistersNothing() {
        assertThatThrownBy(() -> Cachet.memoize(null, square, 10))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name");
        assertThatThrownBy(() -> memo(" ", square, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memo name must not be blank, was ' '");
        assertThatThrownBy(() -> memo("", square, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> memo("squares", null, 10))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("function");
        assertThatThrownBy(() -> memo("squares", square, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maximumSize must not be negative, was -1 (memo 'squares')");
        assertThatThrownBy(() -> Cachet.memoize("squares", square, 10, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("copier");
        assertThatThrownBy(() -> Cachet.memoize("squares", square, 10, Copier.identity(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("registry");
        BiFunction<Integer, Integer, Integer> nullFunction = null;
        assertThatThrownBy(() -> Cachet.memoize("sums", nullFunction, 10))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("function");
        assertThat(invariants.registry().names()).isEmpty();
    }

    @Test
    void aTwoArgumentMemoIsRegisteredToo() {
        BiFunction<Integer, Integer, Integer> sum = Integer::sum;
        MemoizedBiFunction<Integer, Integer, Integer> sums =
                Cachet.memoize("sums", sum, 10, Copier.identity(), invariants.registry());
        assertThat(sums.apply(1, 2)).isEqualTo(3);
        assertThat(sums.apply(1, 2)).isEqualTo(3);
        assertThat(invariants.registry().find("sums").orElseThrow().stats().hitCount())
                .isEqualTo(1);
    }

    @Test
    void theDefaultRegistryHoldsMemosNamedWithoutOne() {
        String name = "named-memo-default-registry";
        try {
            Memoized<Integer, Integer> squares = Cachet.memoize(name, square, 10);
            squares.apply(5);
            assertThat(CacheRegistry.defaultRegistry().find(name)).isPresent();
        } finally {
            CacheRegistry.defaultRegistry().remove(name);
        }
    }

    @Test
    void aNamedMemosLowHitRatioWarningNamesIt() {
        String warning = LoggedOutput.whileRunning(() -> {
            Memoized<Integer, Integer> squares = memo("squares-too-small", square, 10);
            for (int i = 0; i <= CacheBuilder.DEFAULT_HIT_RATIO_WINDOW; i++) {
                squares.apply(i); // every argument new: the window closes at its last miss
            }
        });
        assertThat(warning).contains("cache 'squares-too-small': hit ratio 0.0% over the last 1000 requests");
    }

    @Test
    void anUnnamedMemosWarningSaysItIsMemoised() {
        String warning = LoggedOutput.whileRunning(() -> {
            Memoized<Integer, Integer> squares = Cachet.memoize(square, 10);
            for (int i = 0; i <= CacheBuilder.DEFAULT_HIT_RATIO_WINDOW; i++) {
                squares.apply(i);
            }
        });
        assertThat(warning).contains("cache 'memoized': hit ratio 0.0%");
    }
}
