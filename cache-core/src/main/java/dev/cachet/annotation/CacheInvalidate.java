package dev.cachet.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Removes entries from the cache called {@link #name()} after the target method returns normally: the entry whose key
 * is made of this method's arguments (or of its parameters marked {@link CacheKey}), exactly as a {@link Cached}
 * method with the same parameters makes its key, or every entry when {@link #allEntries()} is set. If the target
 * throws, nothing is removed and the exception reaches the caller unchanged. A method that returns a {@code
 * CompletableFuture} or {@code CompletionStage} invalidates when that future completes normally, before the future
 * the caller holds completes; a failed future invalidates nothing.
 *
 * <p>When several {@link Cached} methods of the interface share the cache, the arguments' entry of each of them is
 * removed. The key parameters must match (in number and types) those of at least one {@link Cached} method of the
 * cache, or {@code Cachet.proxy} rejects the interface. The cache is usually declared by a {@link Cached} method of the
 * same interface; otherwise it must already be registered when the proxy is created (a misspelt name fails then, not
 * silently at each call), and the key is the unprefixed argument key.
 *
 * <p>A removal also stops any load of the key that is in flight from storing its result, so a value computed before
 * the change never reappears after it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CacheInvalidate {

    /**
     * The name of the cache to remove entries from; not blank.
     *
     * @return the cache's name
     */
    String name();

    /**
     * Whether to empty the whole cache instead of removing one key; {@code false} by default. A method that sets it
     * must not mark parameters with {@link CacheKey}.
     *
     * @return true to remove every entry
     */
    boolean allEntries() default false;
}
