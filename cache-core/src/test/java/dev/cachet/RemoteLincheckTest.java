package dev.cachet;

import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;

/** Lincheck over a remote cache on the in-memory tier: one process, so the tier's lock is never contended. */
public class RemoteLincheckTest extends AbstractLincheckCacheTest {
    public RemoteLincheckTest() {
        super(remote(false));
    }

    /** Builds a remote cache, with a near tier if asked; TTLs far longer than a run, so nothing expires. */
    static Cache<Integer, Integer> remote(boolean near) {
        CacheBuilder<Object, Integer> builder = Cachet.builder(near ? "lincheck-near" : "lincheck-remote")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofHours(1))
                .executor(SAME_THREAD)
                .remote(new InMemoryRemoteTier(Ticker.systemTicker()), IntegerCodec.INSTANCE);
        if (near) {
            builder.nearCache(100, Duration.ofHours(1));
        }
        return builder.<Integer, Integer>build();
    }

    @Override
    int modelIterations() {
        return 3;
    }
}
