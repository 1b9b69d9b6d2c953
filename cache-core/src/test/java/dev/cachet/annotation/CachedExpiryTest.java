package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.Cachet;
import dev.cachet.Expiry;
import dev.cachet.testing.CacheInvariants;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @Cached(expiry = ...)}: a per-entry expiry named by its class, instantiated once. */
class CachedExpiryTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    /** Tokens whose value starts with "once" must not be kept; the others live an hour. */
    public static final class TokenExpiry implements Expiry<Object, Object> {
        static final AtomicInteger INSTANCES = new AtomicInteger();

        public TokenExpiry() {
            INSTANCES.incrementAndGet();
        }

        @Override
        public Duration expireAfterCreate(Object key, Object value) {
            return value.toString().startsWith("once") ? Duration.ZERO : Duration.ofHours(1);
        }

        @Override
        public Duration expireAfterUpdate(Object key, Object value, Duration currentDuration) {
            return expireAfterCreate(key, value);
        }

        @Override
        public Duration expireAfterRead(Object key, Object value, Duration currentDuration) {
            return currentDuration;
        }
    }

    interface TokenService {
        @Cached(name = "tokens", expiry = TokenExpiry.class)
        String token(String audience);
    }

    interface OtherTokenService {
        @Cached(name = "tokens", expiry = TokenExpiry.class)
        String token(String audience);
    }

    @Test
    void eachEntryLivesAsItsExpirySays() {
        AtomicInteger calls = new AtomicInteger();
        TokenService tokens = Cachet.proxy(
                TokenService.class, audience -> audience + "-" + calls.incrementAndGet(), invariants.registry());
        assertThat(tokens.token("billing")).isEqualTo("billing-1");
        assertThat(tokens.token("billing")).isEqualTo("billing-1");
        assertThat(tokens.token("once")).isEqualTo("once-2");
        assertThat(tokens.token("once")).as("expired at once: loaded again").isEqualTo("once-3");

        Cache<?, ?> cache = invariants.registry().find("tokens").orElseThrow();
        @SuppressWarnings("unchecked")
        Cache<Object, Object> typed = (Cache<Object, Object>) cache;
        typed.put("search", "x", Duration.ofMinutes(1)); // allowed: the cache has an Expiry
    }

    @Test
    void everyMethodNamingTheClassSharesOneInstanceAndSoOneCache() {
        Cachet.proxy(TokenService.class, audience -> "a", invariants.registry());
        int instances = TokenExpiry.INSTANCES.get();
        Cachet.proxy(OtherTokenService.class, audience -> "b", invariants.registry());
        assertThat(TokenExpiry.INSTANCES.get()).isEqualTo(instances).isLessThanOrEqualTo(1);
    }

    /** No public no-argument constructor. */
    public static final class NeedsArgument implements Expiry<Object, Object> {
        public NeedsArgument(Duration ttl) {}

        @Override
        public Duration expireAfterCreate(Object key, Object value) {
            return Duration.ZERO;
        }

        @Override
        public Duration expireAfterUpdate(Object key, Object value, Duration currentDuration) {
            return Duration.ZERO;
        }

        @Override
        public Duration expireAfterRead(Object key, Object value, Duration currentDuration) {
            return Duration.ZERO;
        }
    }

    interface WithArgument {
        @Cached(name = "withArgument", expiry = NeedsArgument.class)
        String get(String key);
    }

    interface Combined {
        @Cached(name = "combined", expireAfterWrite = "1m", expiry = TokenExpiry.class)
        String get(String key);
    }

    @Test
    void aClassThatCannotBeInstantiatedOrAConflictFailsTheProxyNamingTheMethod() {
        assertThatThrownBy(() -> Cachet.proxy(WithArgument.class, key -> "v", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("WithArgument.get(String): ")
                .hasMessageContaining("NeedsArgument.class) needs a public no-argument constructor");
        assertThatThrownBy(() -> Cachet.proxy(Combined.class, key -> "v", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Combined.get(String)")
                .hasMessageContaining("@Cached(expiry = TokenExpiry.class) cannot be combined with expireAfterWrite");
    }
}
