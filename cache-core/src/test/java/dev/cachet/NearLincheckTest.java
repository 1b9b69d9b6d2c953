package dev.cachet;

/** Lincheck over a near cache: an in-memory tier in front of a remote cache on the in-memory remote tier. */
public class NearLincheckTest extends AbstractLincheckCacheTest {
    public NearLincheckTest() {
        super(RemoteLincheckTest.remote(true));
    }

    @Override
    int modelIterations() {
        return 3;
    }
}
