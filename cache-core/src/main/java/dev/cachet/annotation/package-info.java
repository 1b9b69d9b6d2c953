/**
 * Annotations that declare caching on an interface, read by {@code Cachet.proxy(type, target)} in plain Java (no
 * framework) and, later, by the Spring integration. This package holds annotations only and depends on nothing but
 * the JDK.
 *
 * <pre>{@code
 * interface PriceService {
 *     @Cached(name = "prices", expireAfterWrite = "30s", maximumSize = 10_000)
 *     Price price(String symbol, Currency ccy);
 *
 *     @CacheInvalidate(name = "prices")
 *     void reprice(String symbol, Currency ccy);
 * }
 * PriceService cached = Cachet.proxy(PriceService.class, new RealPriceService());
 * }</pre>
 *
 * <p><b>Where annotations are read.</b> From the methods of the proxied interface (including those it inherits), never
 * from the implementation class. The interface is read and checked once, when the first proxy of it is created:
 * every mistake (a bad duration, {@code @Cached} on a {@code void} method, a stray {@link CacheKey}, two methods
 * giving one cache different settings) fails {@code Cachet.proxy} with an {@link IllegalArgumentException} (a bad
 * value) or {@link IllegalStateException} (a conflict) whose message names the method, as in {@code
 * PriceService.price(String, Currency)}, and the offending value. Nothing is checked later at a call, except a key
 * that the key encoder of a cache with a remote tier refuses (see {@link Cached}).
 *
 * <p><b>Keys.</b> A method's key is made of its arguments ({@link CacheKey} selects some of them), compared by value:
 * arrays, lists, sets and maps by their contents, copied when the key is made so that later changes to an argument do
 * not disturb the cache. One selected argument is the key itself (so {@code cache.invalidate("AAPL")} reaches the
 * entry of {@code price("AAPL")}); several make an immutable list; a method without arguments has one constant key.
 * When several {@link Cached} methods of one interface share a cache, each key is prefixed with the method's identity
 * so that {@code price("AAPL")} and {@code priceInUsd("AAPL")} never collide. Over a cache with a remote tier (Redis,
 * near) a key of one argument is still the argument; the others become one string made of the key encoder's string of
 * each argument.
 *
 * <p><b>Values.</b> Cached values obey the cache's copier (and, with a remote tier, its value codec); a cache the proxy
 * builds has the default copier, {@code Copier.defensive()}: immutable results
 * ({@code String}, records of immutable components, {@code List.of(...)}) are shared, mutable JDK collections and
 * arrays are copied, and any other type fails the call that would store it with an {@link IllegalArgumentException}
 * naming the type. The annotations have no copier attribute; the Spring integration will let a bean provide one.
 *
 * <p>Not {@code @NullMarked}, unlike Cachet's other packages: annotation elements can never be null, and the package
 * depends on nothing but the JDK, so that it can be read without Cachet's dependencies.
 */
package dev.cachet.annotation;
