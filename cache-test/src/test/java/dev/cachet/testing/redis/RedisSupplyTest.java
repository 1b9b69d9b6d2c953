package dev.cachet.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.testing.redis.RedisSupply.Source;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** The source selection policy, as a pure function: no Docker, no Redis needed. */
class RedisSupplyTest {
    private static final BooleanSupplier DOCKER = RedisSupplyTest::dockerRuns;
    private static final BooleanSupplier NO_DOCKER = RedisSupplyTest::dockerIsMissing;

    @Test
    void redisUrlWinsOverEverythingAndDockerIsNotEvenProbed() {
        RedisSupply supply = RedisSupply.choose(
                Map.of("REDIS_URL", "redis://cache:6380"), RedisSupplyTest::dockerMustNotBeAsked, true);

        assertThat(supply.source()).isEqualTo(Source.REDIS_URL);
        assertThat(supply.redisUrl()).contains(URI.create("redis://cache:6380"));
        assertThat(supply.canSpawnProcesses()).isTrue();
    }

    @Test
    void containerComesNextWhenDockerRuns() {
        assertThat(RedisSupply.choose(Map.of(), DOCKER, true))
                .isEqualTo(new RedisSupply(Source.CONTAINER, Optional.empty(), true, false));
    }

    @Test
    void processesComeLast() {
        assertThat(RedisSupply.choose(Map.of(), NO_DOCKER, true))
                .isEqualTo(new RedisSupply(Source.PROCESS, Optional.empty(), true, false));
    }

    @Test
    void noSourceMeansNone() {
        assertThat(RedisSupply.choose(Map.of(), NO_DOCKER, false))
                .isEqualTo(new RedisSupply(Source.NONE, Optional.empty(), false, false));
    }

    @Test
    void blankRedisUrlCountsAsUnset() {
        RedisSupply supply = RedisSupply.choose(Map.of("REDIS_URL", "  "), NO_DOCKER, true);

        assertThat(supply.source()).isEqualTo(Source.PROCESS);
    }

    @Test
    void malformedRedisUrlIsRejectedNamingTheVariableAndValue() {
        assertThatThrownBy(() -> RedisSupply.choose(Map.of("REDIS_URL", "localhost:6379"), NO_DOCKER, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("REDIS_URL")
                .hasMessageContaining("'localhost:6379'");
    }

    @Test
    void nothingAvailableInCiFailsTheTestSayingHowToGetRedis() {
        RedisSupply supply = RedisSupply.choose(Map.of("CI", "true"), NO_DOCKER, false);

        assertThatThrownBy(supply::requireAnyRedis)
                .isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(TestAbortedException.class)
                .hasMessageContaining("REDIS_URL")
                .hasMessageContaining("Docker")
                .hasMessageContaining("redis-server")
                .hasMessageContaining("CI=true");
    }

    @Test
    void nothingAvailableOutsideCiAbortsTheTestWithTheSameAdvice() {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("CI", "false"))) {
            RedisSupply supply = RedisSupply.choose(env, NO_DOCKER, false);

            assertThatThrownBy(supply::requireAnyRedis)
                    .isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining(RedisSupply.HOW_TO_GET_REDIS);
        }
    }

    @Test
    void sharedServerWithoutBinaryCannotServeDedicatedServersOrClusters() {
        RedisSupply ci = RedisSupply.choose(Map.of("REDIS_URL", "redis://cache:6379", "CI", "true"), NO_DOCKER, false);
        RedisSupply local = RedisSupply.choose(Map.of(), DOCKER, false);

        assertThatCode(ci::requireAnyRedis).doesNotThrowAnyException();
        assertThatThrownBy(() -> ci.requireProcesses("a RedisCluster"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a RedisCluster needs redis-server processes");
        assertThatThrownBy(() -> local.requireProcesses("a @Dedicated RedisServer"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("a @Dedicated RedisServer needs redis-server processes");
    }

    @Test
    void descriptionNeverShowsRedisUrlCredentials() {
        RedisSupply supply =
                RedisSupply.choose(Map.of("REDIS_URL", "redis://user:s3cret@cache:6379/2"), NO_DOCKER, false);

        assertThat(supply.describe()).contains("cache").doesNotContain("s3cret");
    }

    @Test
    void findsExecutablesOnThePath(@TempDir Path bin) throws IOException {
        Path redisServer = Files.createFile(bin.resolve("redis-server"));
        Map<String, String> env = Map.of("PATH", "/nonexistent" + File.pathSeparator + bin);

        assertThat(RedisSupply.isOnPath("redis-server", env)).isFalse(); // not executable yet
        Files.setPosixFilePermissions(redisServer, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(RedisSupply.isOnPath("redis-server", env)).isTrue();
        assertThat(RedisSupply.isOnPath("redis-server", Map.of())).isFalse();
    }

    private static boolean dockerRuns() {
        return true;
    }

    private static boolean dockerIsMissing() {
        return false;
    }

    private static boolean dockerMustNotBeAsked() {
        throw new AssertionError("Docker probed although REDIS_URL is set");
    }
}
