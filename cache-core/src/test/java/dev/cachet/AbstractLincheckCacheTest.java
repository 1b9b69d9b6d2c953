package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import kotlin.Unit;
import kotlin.reflect.KFunction;
import kotlin.reflect.jvm.ReflectJvmMapping;
import org.jetbrains.lincheck.datastructures.DSLScenarioBuilder;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuarantee;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks a cache's in-process operations for linearizability with Lincheck: every concurrent history that stress
 * runs and the model checker's chosen interleavings produce must be explained by some sequential order of the same
 * operations on {@link Spec}, a plain map. Keys are 1..3 and values 1..5 so that operations collide often; loaders
 * return {@code 10 * key}, outside the range of put values, so a load that overwrites a put shows in the history,
 * except for key {@value #ABSENT_KEY}, whose loader returns {@code null}: the source has no value, which a cache that
 * caches nulls remembers (a cached null reads as absent, as in the spec) and must not let overwrite a put either.
 * Caches use {@link Copier#identity()}: under the model checker's instrumentation the default copier judged {@code
 * Integer} mutable and refused it. Every subclass builds its cache kind in its constructor; Lincheck makes a fresh instance per scenario, reflectively,
 * which is why these test classes and their constructors are public.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:5")
// "exports": Lincheck needs the class public, and the tests compile into module dev.cachet, where JUnit's
// annotations come from the class path.
@SuppressWarnings("exports")
// A hang never ends, so any bound catches one; 180 s, not 60, because runs sharing their 2 cores with other builds
// were seen to pass 60 s.
@Timeout(180)
public abstract class AbstractLincheckCacheTest {
    /** Runs Caffeine's maintenance on the calling thread, where Lincheck sees and schedules it. */
    static final Executor SAME_THREAD = Runnable::run;

    private final Cache<Integer, Integer> cache;

    AbstractLincheckCacheTest(Cache<Integer, Integer> cache) {
        this.cache = cache;
    }

    /** The key the source has no value for. */
    static final int ABSENT_KEY = 2;

    static @Nullable Integer loaded(Integer key) {
        return key == ABSENT_KEY ? null : 10 * key;
    }

    @Operation
    public @Nullable Integer get(@Param(name = "key") int key) {
        return cache.get(key, AbstractLincheckCacheTest::loaded);
    }

    @Operation
    public @Nullable Integer getIfPresent(@Param(name = "key") int key) {
        return cache.getIfPresent(key);
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
        cache.put(key, value);
    }

    @Operation
    public void invalidate(@Param(name = "key") int key) {
        cache.invalidate(key);
    }

    @Operation
    public void invalidateAll() {
        cache.invalidateAll();
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(StressBudget.ITERATIONS)
                .invocationsPerIteration(StressBudget.INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .addGuarantee(caffeineIsAtomic())
                .addGuarantee(remoteTierIsAtomic())
                .addCustomScenario(AbstractLincheckCacheTest::putRacingALoad)
                .iterations(modelIterations())
                .invocationsPerIteration(ModelBudget.INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    /**
     * Issue 10's violation 2, which random scenarios rarely hit: {@code put(3, 4)} racing {@code get(3)}, then a read.
     */
    private static Unit putRacingALoad(DSLScenarioBuilder scenario) {
        scenario.parallel(threads -> {
            threads.thread(thread -> {
                thread.actor(operation("put", int.class, int.class), 3, 4);
                return Unit.INSTANCE;
            });
            threads.thread(thread -> {
                thread.actor(operation("get", int.class), 3);
                return Unit.INSTANCE;
            });
            return Unit.INSTANCE;
        });
        scenario.post(thread -> {
            thread.actor(operation("getIfPresent", int.class), 3);
            return Unit.INSTANCE;
        });
        return Unit.INSTANCE;
    }

    private static KFunction<?> operation(String name, Class<?>... parameters) {
        try {
            return requireNonNull(
                    ReflectJvmMapping.getKotlinFunction(AbstractLincheckCacheTest.class.getMethod(name, parameters)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Model-checking iterations; the remote kinds run more code per operation and take fewer to stay within CI time. */
    int modelIterations() {
        return ModelBudget.ITERATIONS;
    }

    /**
     * Caffeine is checked by its own Lincheck tests; switching threads inside it only multiplies the interleavings of
     * our layer, so the model checker runs its calls as single steps.
     */
    static ManagedStrategyGuarantee caffeineIsAtomic() {
        return new ManagedStrategyGuarantee.MethodBuilder(
                        className -> className.startsWith("com.github.benmanes.caffeine."))
                .allMethods()
                .treatAsAtomic();
    }

    /**
     * Each call of the in-memory remote tier is one atomic step, as a Lua script on Redis is: the interleavings that
     * matter are those between the cache's calls to it, not inside them.
     */
    static ManagedStrategyGuarantee remoteTierIsAtomic() {
        return new ManagedStrategyGuarantee.MethodBuilder(
                        className -> className.startsWith("dev.cachet.testing.InMemoryRemoteTier"))
                .allMethods()
                .treatAsAtomic();
    }

    /** What a cache means, sequentially: a map that a {@code get} fills from the loader. No bound, no expiry. */
    public static final class Spec {
        private final Map<Integer, Integer> map = new HashMap<>();

        public Spec() {}

        public @Nullable Integer get(int key) {
            return map.computeIfAbsent(key, AbstractLincheckCacheTest::loaded);
        }

        public @Nullable Integer getIfPresent(int key) {
            return map.get(key);
        }

        public void put(int key, int value) {
            map.put(key, value);
        }

        public void invalidate(int key) {
            map.remove(key);
        }

        public void invalidateAll() {
            map.clear();
        }
    }

    /** The stress budget; {@code -Dlincheck.stress.iterations=…} and {@code …invocations=…} lengthen a local run. */
    static final class StressBudget {
        static final int ITERATIONS = Integer.getInteger("lincheck.stress.iterations", 10);
        static final int INVOCATIONS = Integer.getInteger("lincheck.stress.invocations", 200);

        private StressBudget() {}
    }

    /** The model-checking budget; {@code -Dlincheck.model.iterations=…} and {@code …invocations=…} as above. */
    static final class ModelBudget {
        static final int ITERATIONS = Integer.getInteger("lincheck.model.iterations", 10);
        static final int INVOCATIONS = Integer.getInteger("lincheck.model.invocations", 50);

        private ModelBudget() {}
    }
}
