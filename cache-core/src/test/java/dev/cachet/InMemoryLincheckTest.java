package dev.cachet;

/** Lincheck over an in-memory cache, bounded so that Caffeine's eviction code runs too (the bound is never hit). */
public class InMemoryLincheckTest extends AbstractLincheckCacheTest {
    public InMemoryLincheckTest() {
        super(Cachet.builder("lincheck-local")
                .registry(CacheRegistry.create())
                .maximumSize(100)
                .executor(SAME_THREAD)
                .copier(Copier.identity())
                .<Integer, Integer>build());
    }
}
