package dev.cachet;

/**
 * Lincheck over a near cache that caches nulls: the loader of key {@value AbstractLincheckCacheTest#ABSENT_KEY} returns
 * {@code null}, which both tiers remember as a null marker; a marker written by a load must never overwrite a put or
 * outlive an invalidation, any more than a value may.
 */
public class NullCachingLincheckTest extends AbstractLincheckCacheTest {
    public NullCachingLincheckTest() {
        super(RemoteLincheckTest.remote(true, true));
    }

    @Override
    int modelIterations() {
        return 3;
    }
}
