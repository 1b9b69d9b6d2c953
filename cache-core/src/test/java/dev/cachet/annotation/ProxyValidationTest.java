package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import dev.cachet.testing.FakeTicker;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every mistake in the annotations fails {@code Cachet.proxy}, never a call: {@link IllegalArgumentException} for a
 * bad value, {@link IllegalStateException} for a conflict, each naming the method and the value.
 */
class ProxyValidationTest {

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    /** A target for any interface that counts the calls it receives; none of these tests may reach it. */
    private final AtomicInteger targetCalls = new AtomicInteger();

    private <T> T target(Class<T> type) {
        InvocationHandler counting = (proxy, method, args) -> {
            targetCalls.incrementAndGet();
            return null;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, counting));
    }

    private <T> Object proxy(Class<T> type) {
        try {
            return Cachet.proxy(type, target(type), invariants.registry());
        } finally {
            assertThat(targetCalls.get()).as("calls of the target").isZero();
        }
    }

    interface PriceService {
        @Cached(name = "prices", expireAfterWrite = "30x")
        String price(String symbol, java.util.Currency ccy);
    }

    @Test
    void aBadDurationNamesTheMethodTheAttributeAndTheValue() {
        assertThatThrownBy(() -> proxy(PriceService.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PriceService.price(String, Currency): @Cached(expireAfterWrite = \"30x\")")
                .hasMessageContaining("'30x' is not a duration");
    }

    interface NegativeDuration {
        @Cached(name = "negative", expireAfterAccess = "-5s")
        String value(int id);
    }

    interface NegativeIsoDuration {
        @Cached(name = "negative", expireAfterWrite = "PT-1M")
        String value(int id);
    }

    @Test
    void aNegativeDurationIsRejected() {
        assertThatThrownBy(() -> proxy(NegativeDuration.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("NegativeDuration.value(int): @Cached(expireAfterAccess = \"-5s\")")
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> proxy(NegativeIsoDuration.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("NegativeIsoDuration.value(int): @Cached(expireAfterWrite = \"PT-1M\")")
                .hasMessageContaining("negative");
    }

    interface BadSize {
        @Cached(name = "sized", maximumSize = -2)
        String value(int id);
    }

    @Test
    void aNegativeMaximumSizeOtherThanUnboundedIsRejected() {
        assertThatThrownBy(() -> proxy(BadSize.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BadSize.value(int): @Cached(maximumSize = -2) must be zero or more, or"
                        + " Cached.UNBOUNDED (-1) for no bound");
    }

    interface BlankName {
        @Cached(name = " ")
        String value(int id);
    }

    interface BlankInvalidateName {
        @CacheInvalidate(name = "")
        void forget(int id);
    }

    @Test
    void aBlankCacheNameIsRejected() {
        assertThatThrownBy(() -> proxy(BlankName.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BlankName.value(int): @Cached(name = \" \") must name a cache, not be blank");
        assertThatThrownBy(() -> proxy(BlankInvalidateName.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BlankInvalidateName.forget(int): @CacheInvalidate(name = \"\") must name a cache, not be"
                        + " blank");
    }

    interface VoidCached {
        @Cached(name = "nothing")
        void store(String key, String value);
    }

    interface FutureOfVoidCached {
        @Cached(name = "nothing")
        CompletableFuture<Void> store(String key);
    }

    @Test
    void cachedOnAMethodThatReturnsNothingIsRejected() {
        assertThatThrownBy(() -> proxy(VoidCached.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "VoidCached.store(String, String): @Cached on a method that returns void has nothing to cache");
        assertThatThrownBy(() -> proxy(FutureOfVoidCached.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("FutureOfVoidCached.store(String): @Cached on a method that returns"
                        + " java.util.concurrent.CompletableFuture<java.lang.Void> has nothing to cache");
    }

    interface PlainFuture {
        @Cached(name = "futures")
        Future<String> value(String key);
    }

    @Test
    void aFutureTypeOtherThanCompletableFutureOrCompletionStageIsRejected() {
        assertThatThrownBy(() -> proxy(PlainFuture.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PlainFuture.value(String): @Cached on a method that returns"
                        + " java.util.concurrent.Future is not supported");
    }

    interface StrayCacheKey {
        String value(String key, @CacheKey String region);
    }

    interface CacheKeyWithAllEntries {
        @CacheInvalidate(name = "values", allEntries = true)
        void clear(@CacheKey String region);
    }

    @Test
    void aCacheKeyWithoutEffectIsRejected() {
        assertThatThrownBy(() -> proxy(StrayCacheKey.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("StrayCacheKey.value(String, String): @CacheKey on parameter 2 (String) has no effect: the"
                        + " method has neither @Cached nor @CacheInvalidate");
        assertThatThrownBy(() -> proxy(CacheKeyWithAllEntries.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CacheKeyWithAllEntries.clear(String): @CacheKey on parameter 1 (String) has no effect:"
                        + " @CacheInvalidate(allEntries = true) removes every entry");
    }

    interface ConflictingSettings {
        @Cached(name = "prices", maximumSize = 100)
        String bid(String symbol);

        @Cached(name = "prices", maximumSize = 200, expireAfterWrite = "1m")
        String offer(String symbol);
    }

    @Test
    void twoMethodsGivingOneCacheDifferentSettingsConflict() {
        assertThatThrownBy(() -> proxy(ConflictingSettings.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ConflictingSettings.offer(String): @Cached(name = \"prices\", maximumSize = 200,"
                        + " expireAfterWrite = PT1M) conflicts with ConflictingSettings.bid(String): @Cached(name ="
                        + " \"prices\", maximumSize = 100); methods that share a cache and give it settings must give the same"
                        + " ones");
    }

    interface BothAnnotations {
        @Cached(name = "values")
        @CacheInvalidate(name = "values")
        String value(String key);
    }

    @Test
    void cachedAndInvalidateOnOneMethodConflict() {
        assertThatThrownBy(() -> proxy(BothAnnotations.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("BothAnnotations.value(String): @Cached and @CacheInvalidate cannot be combined on one"
                        + " method");
    }

    interface MismatchedInvalidation {
        @Cached(name = "prices")
        String price(String symbol, java.util.Currency ccy);

        @CacheInvalidate(name = "prices")
        void reprice(String symbol);
    }

    @Test
    void anInvalidationWhoseKeyCanMatchNoCachedMethodIsRejected() {
        assertThatThrownBy(() -> proxy(MismatchedInvalidation.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MismatchedInvalidation.reprice(String): its key (String) matches the key of no @Cached"
                        + " method of cache 'prices' (MismatchedInvalidation.price(String, Currency) is keyed by"
                        + " (String, Currency)); select the same parameters with @CacheKey");
    }

    interface MatchingInvalidation {
        @Cached(name = "prices")
        String price(String symbol, int venue);

        @CacheInvalidate(name = "prices")
        void reprice(@CacheKey CharSequence symbol, String reason, @CacheKey Integer venue);
    }

    @Test
    void anInvalidationKeyedByRelatedTypesIsAccepted() {
        assertThat(proxy(MatchingInvalidation.class)).isInstanceOf(MatchingInvalidation.class);
    }

    interface UnknownCache {
        @CacheInvalidate(name = "pricez")
        void reprice(String symbol);
    }

    @Test
    void anInvalidationOfACacheThatNothingDeclaresIsRejectedUnlessTheCacheIsRegistered() {
        assertThatThrownBy(() -> proxy(UnknownCache.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "UnknownCache.reprice(String): @CacheInvalidate(name = \"pricez\") names no" + " cache");

        Cachet.builder("pricez").registry(invariants.registry()).build();
        assertThat(proxy(UnknownCache.class)).isInstanceOf(UnknownCache.class);
    }

    interface Quotes {
        @Cached(name = "quotes", expireAfterWrite = "30s")
        String quote(String symbol);
    }

    @Test
    void aCacheRegisteredWithItsOwnTickerAndTheSameExplicitSettingsIsUsed() {
        FakeTicker ticker = new FakeTicker();
        var registered = Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofSeconds(30))
                .ticker(ticker)
                .build();
        registered.put("AAPL", "from the registry");

        Quotes quotes = Cachet.proxy(Quotes.class, symbol -> "from the target", invariants.registry());

        assertThat(quotes.quote("AAPL")).isEqualTo("from the registry");
        ticker.advance(Duration.ofSeconds(30));
        assertThat(quotes.quote("AAPL")).as("the registered cache's ticker").isEqualTo("from the target");
    }

    @Test
    void aCacheRegisteredWithAnotherExplicitSettingConflicts() {
        Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofSeconds(20))
                .build();

        assertThatThrownBy(() -> proxy(Quotes.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Quotes.quote(String): @Cached(name = \"quotes\", expireAfterWrite = PT30S)"
                        + " conflicts with the cache 'quotes' registered in the proxy's registry: expireAfterWrite ="
                        + " PT30S in the annotation, but the registered cache has expireAfterWrite PT20S;");
    }

    @Test
    void aCacheRegisteredWithTheSameSettingsIsShared() {
        var registered = Cachet.builder("quotes")
                .registry(invariants.registry())
                .expireAfterWrite(Duration.ofSeconds(30))
                .build();
        registered.put("AAPL", "from the registry");

        Quotes quotes = Cachet.proxy(Quotes.class, symbol -> "from the target", invariants.registry());

        assertThat(quotes.quote("AAPL")).isEqualTo("from the registry");
    }

    interface StaticCached {
        @Cached(name = "statics")
        static String value(String key) {
            return key;
        }

        String other(String key);
    }

    @Test
    void cachedOnAStaticMethodIsRejected() {
        assertThatThrownBy(() -> proxy(StaticCached.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("StaticCached.value(String): @Cached on a static method has no effect: a proxy intercepts"
                        + " instance methods only");
    }

    abstract static class NotAnInterface {
        @Cached(name = "values")
        abstract String value(String key);
    }

    @Test
    void onlyInterfacesCanBeProxied() {
        NotAnInterface target = new NotAnInterface() {
            @Override
            String value(String key) {
                return key;
            }
        };
        assertThatThrownBy(() -> Cachet.proxy(NotAnInterface.class, target, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(NotAnInterface.class.getName() + " is not an interface");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void theArgumentsAreChecked() {
        Quotes target = symbol -> symbol;
        assertThatThrownBy(() -> Cachet.proxy(null, target, invariants.registry()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type");
        assertThatThrownBy(() -> Cachet.proxy(Quotes.class, null, invariants.registry()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("target");
        assertThatThrownBy(() -> Cachet.proxy(Quotes.class, target, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("registry");
        assertThatThrownBy(() -> Cachet.proxy((Class) MatchingInvalidation.class, target, invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("does not implement " + MatchingInvalidation.class.getName());
    }
}
