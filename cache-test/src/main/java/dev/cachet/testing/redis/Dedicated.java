package dev.cachet.testing.redis;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link RedisExtension} for a {@link RedisServer} (or a {@link RedisSentinel} topology) of the test's own: a fresh {@code redis-server} process that
 * the test may {@link RedisServer#kill() kill} and {@link RedisServer#restart() restart} without disturbing tests that
 * share the common server.
 *
 * <p>The server lives as long as the scope that asked for it and is killed when that scope ends: a test method's
 * parameter gets a server for that test (its {@code @BeforeEach} and {@code @AfterEach} methods see the same one); a
 * {@code @BeforeAll} parameter gets one for the whole class, which the class's tests then see too. Within a scope, parameters with the same {@link #value()}
 * share one server; give them different names to get several ({@code @Dedicated("primary")}, {@code
 * @Dedicated("replica")}).
 *
 * <p>Needs {@code redis-server} on the PATH, whatever source the shared server comes from; without it the test fails
 * under {@code CI=true} and is aborted otherwise.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Dedicated {
    /** Names the server within its scope; parameters with the same name share one server. */
    String value() default "";
}
