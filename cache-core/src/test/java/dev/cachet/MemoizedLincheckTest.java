package dev.cachet;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck over a memoised recursive function: {@code apply} and {@code clear} from several threads, with nested
 * loads of the same table, must always return the function's value (never hang, never fail a recursive load that is
 * not a cycle). The bound of 2 makes eviction run during recursion. Public for Lincheck, which instantiates it.
 */
// "exports": Lincheck needs the class public, and the tests compile into module dev.cachet, where JUnit's
// annotations come from the class path.
@SuppressWarnings("exports")
// A hang never ends, so any bound catches one; 180 s, not 60, because runs sharing their 2 cores with other builds
// were seen to pass 60 s.
@Timeout(180)
@Param(name = "n", gen = IntGen.class, conf = "1:6")
public class MemoizedLincheckTest {
    private final Memoized<Integer, Long> fibonacci;

    public MemoizedLincheckTest() {
        Memoized<Integer, Long>[] self = newArray();
        self[0] = Cachet.memoize(n -> n <= 2 ? 1L : self[0].apply(n - 1) + self[0].apply(n - 2), 2);
        this.fibonacci = self[0];
    }

    @SuppressWarnings("unchecked")
    private static Memoized<Integer, Long>[] newArray() {
        return (Memoized<Integer, Long>[]) new Memoized<?, ?>[1];
    }

    @Operation
    public long apply(@Param(name = "n") int n) {
        return fibonacci.apply(n);
    }

    @Operation
    public void clear() {
        fibonacci.clear();
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(AbstractLincheckCacheTest.StressBudget.ITERATIONS)
                .invocationsPerIteration(AbstractLincheckCacheTest.StressBudget.INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .addGuarantee(AbstractLincheckCacheTest.caffeineIsAtomic())
                .iterations(AbstractLincheckCacheTest.ModelBudget.ITERATIONS)
                .invocationsPerIteration(AbstractLincheckCacheTest.ModelBudget.INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    /** The function itself, without memory. */
    public static final class Spec {
        public Spec() {}

        public long apply(int n) {
            long previous = 1;
            long current = 1;
            for (int i = 3; i <= n; i++) {
                long next = previous + current;
                previous = current;
                current = next;
            }
            return current;
        }

        public void clear() {}
    }
}
