package dev.cachet.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The harness's own mechanics, without Redis: workers whose caches are purely in-memory have no cross-process lock,
 * so each worker JVM loads once per round through its single flight, and the harness must add that up to {@code
 * processes} loads a round. (cache-redis's {@code StampedeAcrossProcessesTest} runs it on Redis, lock on and off.)
 */
class StampedeHarnessTest {

    /** Builds an in-memory cache: the lock setting has nothing to act on. */
    public static final class InMemoryCaches implements StampedeHarness.CacheFactory {
        /** Created by name in each worker JVM. */
        public InMemoryCaches() {}

        @Override
        public Cache<String, String> create(String uri, boolean lockOn, Duration ttl) {
            return Cachet.builder("stampede")
                    .expireAfterWrite(ttl)
                    .hitRatioWarning(0, 1) // every round starts with a miss on purpose
                    .registry(CacheRegistry.create())
                    .<String, String>build();
        }
    }

    /** Cannot build a cache, as when the server named by the URI is not there. */
    public static final class BrokenCaches implements StampedeHarness.CacheFactory {
        /** Created by name in each worker JVM. */
        public BrokenCaches() {}

        @Override
        public Cache<String, String> create(String uri, boolean lockOn, Duration ttl) {
            throw new IllegalStateException("no server at " + uri);
        }
    }

    @Test
    void eachWorkerLoadsOncePerRoundAndTheHarnessAddsThemUp() throws InterruptedException {
        StampedeHarness harness = StampedeHarness.builder(InMemoryCaches.class)
                .uri("mem://nowhere")
                .processes(2)
                .threads(4)
                .rounds(3)
                .period(Duration.ofMillis(300))
                .build();

        StampedeHarness.Result result = harness.run(true);

        assertThat(result.loadsPerRound()).as(result.output()).containsExactly(2L, 2L, 2L);
        assertThat(result.totalLoads()).isEqualTo(6);
        assertThat(result.meanLoadsPerRound()).isEqualTo(2.0);
        assertThat(result.workers())
                .extracting(StampedeHarness.WorkerOutput::exitCode)
                .containsExactly(0, 0);
        assertThat(result.lockOn()).isTrue();
    }

    @Test
    void aWorkerThatCannotBuildItsCacheFailsTheRunWithItsOutput() {
        StampedeHarness harness = StampedeHarness.builder(BrokenCaches.class)
                .uri("redis://127.0.0.1:1")
                .processes(1)
                .threads(1)
                .rounds(1)
                .build();

        assertThatThrownBy(() -> harness.run(false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("worker 0 exited with " + StampedeHarness.EXIT_USAGE)
                .hasMessageContaining("no server at redis://127.0.0.1:1");
    }

    @Test
    void theBuilderChecksEachSettingWhereItIsSet() {
        StampedeHarness.Builder builder = StampedeHarness.builder(InMemoryCaches.class);

        assertThatThrownBy(() -> builder.threads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be at least 1, was 0");
        builder.rounds(2);
        assertThatThrownBy(() -> builder.rounds(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rounds was already set");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("uri was not set");
        assertThatThrownBy(() -> StampedeHarness.builder(PrivateCaches.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public concrete class");
    }

    private static final class PrivateCaches implements StampedeHarness.CacheFactory {
        @Override
        public Cache<String, String> create(String uri, boolean lockOn, Duration ttl) {
            throw new UnsupportedOperationException();
        }
    }
}
