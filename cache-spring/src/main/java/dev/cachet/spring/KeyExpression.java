package dev.cachet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes the key of a {@code @Cached} or {@code @CacheInvalidate} method of a Spring bean (see {@link
 * dev.cachet.annotation.Cached}, {@link dev.cachet.annotation.CacheInvalidate}) the value of a SpEL expression over
 * its arguments, instead of the arguments themselves. Spring only: {@code Cachet.proxy} does not read it.
 *
 * <pre>{@code
 * @Cached(name = "prices")
 * @KeyExpression("#quote.symbol")
 * Price price(Quote quote, Duration timeout) { ... }
 * }</pre>
 *
 * <p>Arguments are named {@code #p0}, {@code #p1}, ... (or {@code #a0}), and by their parameter names when the
 * class was compiled with {@code -parameters}. The expression is parsed when the bean is created, so a syntax error
 * fails the startup naming the method; a call whose expression evaluates to {@code null} fails with an {@link
 * IllegalArgumentException} naming the method and the expression. The value is used as a key like a single argument:
 * frozen by value (arrays and mutable collections are copied). It cannot be combined with {@link
 * dev.cachet.annotation.CacheKey @CacheKey} or with {@code @CacheInvalidate(allEntries = true)}.
 *
 * <p>Only the key may be an expression: there are no conditions ({@code unless}, {@code condition}) on purpose.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface KeyExpression {

    /**
     * The SpEL expression whose value is the key, such as {@code "#symbol"} or {@code "#p0.id"}.
     *
     * @return the expression; not blank
     */
    String value();
}
