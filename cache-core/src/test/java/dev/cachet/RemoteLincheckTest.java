package dev.cachet;

import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;

/** Lincheck over a remote cache on the in-memory tier, in one process. */
public class RemoteLincheckTest extends AbstractLincheckCacheTest {
    public RemoteLincheckTest() {
        super(remote(false));
    }

    /**
     * No cross-process lock: in one process single flight already elects one loader per key, and the lock's wait loop
     * polls on wall-clock time, which the model checker cannot schedule. Loads still write with the lease of their
     * miss, which is what the checks are about.
     */
    private static final RemoteConfig ONE_PROCESS =
            RemoteConfig.custom().lockWait(Duration.ZERO).build();

    /** Builds a remote cache, with a near tier if asked; TTLs far longer than a run, so nothing expires. */
    static Cache<Integer, Integer> remote(boolean near) {
        return remote(near, false);
    }

    /** Like {@link #remote(boolean)}, caching nulls (for an hour) if asked. */
    static Cache<Integer, Integer> remote(boolean near, boolean cacheNulls) {
        CacheBuilder<Object, Integer> builder = Cachet.builder(near ? "lincheck-near" : "lincheck-remote")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofHours(1))
                .executor(SAME_THREAD)
                .remote(new InMemoryRemoteTier(Ticker.systemTicker()), IntegerCodec.INSTANCE, ONE_PROCESS);
        if (near) {
            builder.nearCache(100, Duration.ofHours(1)).copier(Copier.identity());
        }
        if (cacheNulls) {
            builder.cacheNulls(Duration.ofHours(1));
        }
        return builder.<Integer, Integer>build();
    }

    @Override
    int modelIterations() {
        return 3;
    }
}
