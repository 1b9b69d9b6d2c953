package dev.cachet.testing.redis;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that talks to Redis: shorthand for {@code @ExtendWith(RedisExtension.class)}, so its
 * constructors, lifecycle and test methods can declare {@link RedisServer} and {@link RedisCluster} parameters.
 *
 * @see RedisExtension
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(RedisExtension.class)
public @interface RedisTest {}
