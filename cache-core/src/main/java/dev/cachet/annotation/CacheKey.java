package dev.cachet.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a parameter as part of the key of a {@link Cached} or {@link CacheInvalidate} method. When any parameter of a
 * method carries it, only the marked parameters form the key, in declaration order; the others (a trace id, a
 * timeout) do not affect which entry is read, stored or removed. Without it, every parameter is part of the key.
 *
 * <p>On a parameter of a method with neither annotation, or of a {@code @CacheInvalidate(allEntries = true)} method,
 * it would have no effect, so {@code Cachet.proxy} rejects it with an {@link IllegalArgumentException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface CacheKey {}
