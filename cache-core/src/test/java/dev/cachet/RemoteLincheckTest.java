package dev.cachet;

import dev.cachet.testing.InMemoryRemoteTier;
import java.time.Duration;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

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

    /**
     * Finds issue 10's violation 3 in one process: {@code put(3, 4) || get(3) = 30}, then {@code getIfPresent(3) =
     * 30}. The load, holding the tier's lock, writes the tier after the put returned; the fence does not order puts.
     * Enable with the fix of violation 3.
     */
    @Override
    @Test
    @Disabled("issue 10, violation 3: a fenced load write undoes a put that returned (see the Javadoc)")
    void modelChecking() {
        super.modelChecking();
    }
}
