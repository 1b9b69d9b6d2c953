package dev.cachet.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches what an interface method returns, in the cache called {@link #name()}, keyed by its arguments compared by
 * value (or by the parameters marked {@link CacheKey}). A call whose key is cached returns the cached value without
 * calling the target; a call whose key is missing calls the target once, even when many threads ask for it at the
 * same time (the others wait and share the result), and caches what it returns.
 *
 * <p><b>Return types.</b>
 *
 * <ul>
 *   <li>A plain value is cached as it is. A {@code null} result is returned but not cached: the next call asks the
 *       target again; with {@link #cacheNulls()} it is cached for that long.
 *   <li>{@code Optional<T>}: the contained value is cached and returned in a new {@code Optional}; an empty (or
 *       {@code null}) {@code Optional} is not cached, and the proxy returns {@code Optional.empty()}.
 *   <li>{@code CompletableFuture<T>} or {@code CompletionStage<T>}: the proxy returns a future at once. On a hit it is
 *       already completed with the cached value. On a miss the target is called and its future's value is cached when
 *       it completes normally; a future that fails (or completes with {@code null}) caches nothing, so the next call
 *       retries, and its exception reaches every caller unchanged. Callers of one proxy that miss while a call for
 *       the same key is in flight share that call instead of starting another. Each caller gets its own future: cancelling it does
 *       not disturb the others.
 *   <li>{@code void}, {@code Void} and other future types ({@code Future}, subtypes of {@code CompletableFuture})
 *       are rejected when the proxy is created.
 * </ul>
 *
 * <p><b>Exceptions</b> thrown by the target reach the caller unchanged, checked ones included, and are never cached.
 *
 * <p><b>Settings.</b> A cache registered under {@link #name()} in the proxy's registry is used as it is, whatever its
 * tier (in-memory, Redis, near) and however it was built (its own ticker, copier, listener, key encoder...): build it
 * with {@code Cachet.builder(name)...build()} first, then create the proxy, and give the annotation no settings. The
 * settings of the annotation only build a cache when none is registered, in which case the proxy builds an in-memory
 * one with them and registers it. Settings given to a registered cache must equal its own, or {@code Cachet.proxy}
 * throws {@link IllegalStateException} naming the method, the cache and the setting; settings left at their default
 * are not compared. Methods of one interface that name the same cache share it, and those that give it settings must
 * give the same ones. Caches are resolved when the proxy is created: register a cache before creating the proxies that
 * use it (building one afterwards under a name a proxy already built fails, naming that proxy's method). The key of
 * a cache with a remote tier must suit its key encoder: with the default one, a parameter that can never hold a
 * string, number, boolean, character, UUID or enum (an array, a collection, a record...) is rejected when the proxy is
 * created, and other refused keys fail the call with {@link IllegalArgumentException}. A key of one parameter is the
 * argument itself, so the proxy and the cache's own {@code get} share its entry; keys of several parameters (or none)
 * are encoded by the proxy into one string, from the encoder's string of each argument. The cache's value codec must
 * take what the method returns (an {@code Optional}'s content, a future's value). Durations are written {@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 1d} (also {@code ns} and {@code us}; units in lower case) or in ISO-8601 ({@code
 * PT1M}, either case); the empty string means "not set". With {@link #refreshAfterWrite()} (or a registered cache built
 * with it) the annotated method is the loader of each key's refresh: a call that finds a value due returns it at once
 * and the method runs again for that key in the background, with the arguments of that call.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Cached {

    /** The {@link #maximumSize()} that means "no size bound". */
    long UNBOUNDED = -1;

    /**
     * The cache's name, as registries, metrics and logs know it; not blank.
     *
     * @return the cache's name
     */
    String name();

    /**
     * About how many entries the cache keeps before it evicts the least valuable; {@link #UNBOUNDED} (the default)
     * for no bound. Zero or more, or {@link #UNBOUNDED}.
     *
     * @return the size bound, or {@link #UNBOUNDED}
     */
    long maximumSize() default UNBOUNDED;

    /**
     * How long an entry lives after it was stored, such as {@code "30s"} or {@code "PT30S"}; zero or more. Empty (the
     * default) for no limit.
     *
     * @return the time to live after a write, or empty
     */
    String expireAfterWrite() default "";

    /**
     * How long an entry lives after it was last read or written, such as {@code "10m"}; zero or more. Empty (the
     * default) for no limit.
     *
     * @return the time to live after an access, or empty
     */
    String expireAfterAccess() default "";

    /**
     * How long a {@code null} result (or an empty {@code Optional}) is cached, such as {@code "30s"}; positive. Until
     * then, calls with that key return {@code null} (or {@code Optional.empty()}) without calling the target. Empty
     * (the default): a {@code null} result is not cached. See {@code CacheBuilder.cacheNulls}.
     *
     * @return the time to live of a cached {@code null}, or empty
     */
    String cacheNulls() default "";

    /**
     * How long an expired value is kept to be returned when the target throws on its reload, such as {@code "10m"};
     * positive. Needs {@link #expireAfterWrite()} or {@link #expiry()}. Empty (the default): the exception reaches the
     * caller. See {@code CacheBuilder.staleIfError}.
     *
     * @return the grace of an expired value, or empty
     */
    String staleIfError() default "";

    /**
     * How long after a value was written a call refreshes it, such as {@code "1m"}; positive and shorter than {@link
     * #expireAfterWrite()}. A call that finds a value this old returns it at once, and the method runs once more for
     * that key in the background, whose result replaces it (on a remote tier, in one process, under the tier's lock;
     * a failure keeps the old value until it expires). In memory it needs {@link #expireAfterWrite()} (not {@link
     * #expiry()}). Empty (the default): no refresh. See {@code CacheBuilder.refreshAfterWrite}.
     *
     * @return the age at which a value is refreshed, or empty
     */
    String refreshAfterWrite() default "";

    /**
     * Decides each entry's lifetime, per entry: a public class implementing {@code dev.cachet.Expiry} with a public
     * no-argument constructor, instantiated once and shared by every method that names it; {@code void.class} (the
     * default) for none. Cannot be combined with {@link #expireAfterWrite()} or {@link #expireAfterAccess()}. A class
     * that is no such {@code Expiry} makes {@code Cachet.proxy} throw {@link IllegalArgumentException}. (Typed {@code
     * Class<?>} because this package depends on nothing but the JDK.)
     *
     * @return the class of the cache's per-entry expiry, or {@code void.class}
     */
    Class<?> expiry() default void.class;
}
