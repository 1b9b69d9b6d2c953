package dev.cachet.testing.redis;

import static org.junit.platform.commons.support.AnnotationSupport.isAnnotated;

import java.lang.annotation.Annotation;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Provides Redis to tests: resolves {@link RedisServer}, {@link RedisCluster} and {@link RedisSentinel} parameters of constructors,
 * lifecycle methods and test methods. Register it with {@link RedisTest @RedisTest} or {@code
 * @ExtendWith(RedisExtension.class)}.
 *
 * <pre>{@code
 * @RedisTest
 * class RedisTierTest {
 *     @Test
 *     void storesValues(RedisServer redis) { ... }                  // the shared server, flushed per class
 *
 *     @Test
 *     void survivesAnOutage(@Dedicated RedisServer redis) {         // a process of the test's own
 *         redis.kill();
 *         ...
 *         redis.restart();
 *     }
 *
 *     @Test
 *     void spreadsKeys(RedisCluster cluster) {                      // 3 masters, shared by the run
 *         try (var client = RedisClusterClient.create(cluster.nodes())) { ... }
 *     }
 *
 *     @Test
 *     void followsAFailover(@Dedicated RedisSentinel sentinel) {   // primary, replica, 3 Sentinels of its own
 *         sentinel.primary().kill();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p><b>Where Redis comes from</b>, decided once per run: the shared server is the one named by the {@code
 * REDIS_URL} environment variable if set; else a Testcontainers {@code redis:7.0} container if Docker runs; else a
 * {@code redis-server} process started on a free loopback port. {@link Dedicated} servers and the cluster are always
 * {@code redis-server} processes, so they need the binary on the PATH whatever the shared server's source. Processes
 * and containers are stopped when the run ends (a shutdown hook kills processes even if the JVM exits early).
 *
 * <p><b>Never a silent skip in CI:</b> when a test needs Redis that cannot be had, it fails if the environment
 * variable {@code CI} is {@code true}, and is aborted (reported as skipped) otherwise; the message says how to get
 * Redis. With no Redis at all, the whole class is affected; when only processes are missing (a {@code REDIS_URL} or
 * container but no {@code redis-server} binary), only the tests asking for a {@link Dedicated} server or the cluster
 * are, or the whole class if its constructor or lifecycle methods ask.
 *
 * <p><b>Isolation:</b> before each test class the shared server, the cluster and the shared Sentinel topology are
 * flushed, and cluster masters a previous class left stopped are restarted. The shared server cannot be killed; tests
 * that kill servers ask for a {@link Dedicated} one, and tests that kill a Sentinel topology's node a {@link
 * Dedicated} {@link RedisSentinel}. This assumes test classes run one at a time (JUnit's default); tests running in parallel
 * should use dedicated servers or distinct keys.
 *
 * <p>Thread-safe; JUnit creates one instance per registration and the state lives in the root extension context.
 */
public final class RedisExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisExtension.class);
    private static final List<Class<? extends Annotation>> LIFECYCLE_ANNOTATIONS =
            List.of(BeforeAll.class, BeforeEach.class, AfterEach.class, AfterAll.class);

    /** Creates the extension; JUnit calls this through {@code @ExtendWith}. */
    public RedisExtension() {}

    /**
     * Fails ({@code CI=true}) or aborts the class if no Redis can be had, or if its constructors or lifecycle methods
     * ask for what cannot be had; then gives it a clean shared server and cluster.
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        RedisEnvironment environment = RedisEnvironment.of(context);
        environment.supply().requireAnyRedis();
        // Checked up front, not when resolving, because JUnit turns anything a parameter resolver throws into a
        // failure, so a resolver cannot abort a test.
        firstProcessNeed(constructorsAndLifecycleMethods(context.getRequiredTestClass()))
                .ifPresent(need -> environment.supply().requireProcesses(need));
        environment.resetSharedState();
    }

    /**
     * Fails ({@code CI=true}) or aborts the test if its parameters ask for what cannot be had; the class's other
     * tests still run.
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        RedisSupply supply = RedisEnvironment.of(context).supply();
        firstProcessNeed(List.of(context.getRequiredTestMethod())).ifPresent(supply::requireProcesses);
    }

    /** Supports parameters of type {@link RedisServer}, {@link RedisCluster} and {@link RedisSentinel}. */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == RedisServer.class || type == RedisCluster.class || type == RedisSentinel.class;
    }

    /**
     * Returns the shared server, a {@link Dedicated} server of the current scope (started on first use, stopped when
     * the scope ends), or the cluster.
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        RedisEnvironment environment = RedisEnvironment.of(extensionContext);
        Optional<Dedicated> dedicated = parameterContext.findAnnotation(Dedicated.class);
        if (parameterContext.getParameter().getType() == RedisCluster.class) {
            if (dedicated.isPresent()) {
                throw new ParameterResolutionException("@Dedicated applies to RedisServer parameters, not to "
                        + parameterContext.getParameter() + ": the run shares one RedisCluster");
            }
            return environment.cluster();
        }
        if (parameterContext.getParameter().getType() == RedisSentinel.class) {
            if (dedicated.isEmpty()) {
                return environment.sentinel();
            }
            return extensionContext
                    .getStore(NAMESPACE)
                    .computeIfAbsent(
                            "dedicated-sentinel:" + dedicated.get().value(),
                            k -> new StoppedWithScope(environment.startDedicatedSentinel()),
                            StoppedWithScope.class)
                    .sentinel();
        }
        if (dedicated.isEmpty()) {
            return environment.sharedServer();
        }
        // Stored in the scope's store: JUnit closes (kills) the server when the test or class is done, and lookups
        // from a test method see its class's server, so @BeforeAll and tests can share a named one.
        String key = "dedicated-server:" + dedicated.get().value();
        return extensionContext
                .getStore(NAMESPACE)
                .computeIfAbsent(key, k -> environment.startDedicatedServer(), RedisProcess.class);
    }

    /** Returns a description of the first parameter that needs redis-server processes, if any. */
    private static Optional<String> firstProcessNeed(List<? extends Executable> executables) {
        for (Executable executable : executables) {
            for (Parameter parameter : executable.getParameters()) {
                if (parameter.getType() == RedisCluster.class) {
                    return Optional.of("a RedisCluster (asked for by " + name(executable) + ")");
                }
                if (parameter.getType() == RedisSentinel.class) {
                    return Optional.of("a RedisSentinel (asked for by " + name(executable) + ")");
                }
                if (parameter.getType() == RedisServer.class && parameter.isAnnotationPresent(Dedicated.class)) {
                    return Optional.of("a @Dedicated RedisServer (asked for by " + name(executable) + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** A dedicated Sentinel topology in a scope's store: JUnit closes it, stopping every process, with the scope. */
    private record StoppedWithScope(RedisSentinel sentinel) implements AutoCloseable {
        @Override
        public void close() {
            sentinel.stop();
        }
    }

    private static String name(Executable executable) {
        String type = executable.getDeclaringClass().getSimpleName();
        return executable instanceof Method ? type + "." + executable.getName() + "()" : type + "'s constructor";
    }

    /** Returns what JUnit calls for every test of the class: constructors and lifecycle methods, inherited too. */
    private static List<Executable> constructorsAndLifecycleMethods(Class<?> testClass) {
        List<Executable> executables = new ArrayList<>(Arrays.asList(testClass.getDeclaredConstructors()));
        for (Class<?> type = testClass; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Method method : type.getDeclaredMethods()) {
                if (LIFECYCLE_ANNOTATIONS.stream().anyMatch(lifecycle -> isAnnotated(method, lifecycle))) {
                    executables.add(method);
                }
            }
        }
        return executables;
    }
}
