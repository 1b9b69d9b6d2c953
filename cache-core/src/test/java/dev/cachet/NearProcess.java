package dev.cachet;

import dev.cachet.spi.RemoteTier;
import dev.cachet.testing.Utf8Codec;
import java.time.Duration;

/**
 * One process's near cache in the tests that put several over one in-memory tier: cache {@code quotes} with a
 * registry of its own, a five-minute remote TTL, {@code clock}'s time, background work run on the caller, 100 near
 * entries living {@code nearTtl}.
 */
final class NearProcess {
    private NearProcess() {}

    static CacheBuilder<Object, String> builder(RemoteTier tier, Ticker clock, Duration nearTtl) {
        return Cachet.builder("quotes")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(5))
                .ticker(clock)
                .executor(Runnable::run)
                .remote(tier, Utf8Codec.INSTANCE)
                .nearCache(100, nearTtl);
    }
}
