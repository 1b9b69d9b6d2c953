package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @Cached(cacheNulls = ...)}: a method's {@code null} (or empty {@code Optional}) cached for that long. */
class CachedNullsProxyTest {
    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    interface Directory {
        @Cached(name = "users", cacheNulls = "30s")
        @Nullable
        String user(String id);

        @Cached(name = "emails", cacheNulls = "PT1M")
        Optional<String> email(String id);

        @Cached(name = "phones")
        @Nullable
        String phone(String id);
    }

    /** Finds nobody, and records every call. */
    static final class EmptyDirectory implements Directory {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public @Nullable String user(String id) {
            calls.add("user " + id);
            return null;
        }

        @Override
        public Optional<String> email(String id) {
            calls.add("email " + id);
            return Optional.empty();
        }

        @Override
        public @Nullable String phone(String id) {
            calls.add("phone " + id);
            return null;
        }
    }

    @Test
    void aNullOrEmptyResultIsCachedAndTheTargetNotCalledAgain() {
        EmptyDirectory target = new EmptyDirectory();
        Directory directory = Cachet.proxy(Directory.class, target, invariants.registry());

        assertThat(directory.user("u1")).isNull();
        assertThat(directory.user("u1")).isNull();
        assertThat(directory.email("u1")).isEmpty();
        assertThat(directory.email("u1")).isEmpty();
        assertThat(target.calls).containsExactly("user u1", "email u1");

        Cache<?, ?> users = invariants.registry().find("users").orElseThrow();
        assertThat(users.config().cacheNulls()).contains(Duration.ofSeconds(30));
        assertThat(users.stats().hitCount()).isEqualTo(1);
    }

    @Test
    void withoutTheAttributeANullIsNotCached() {
        EmptyDirectory target = new EmptyDirectory();
        Directory directory = Cachet.proxy(Directory.class, target, invariants.registry());

        assertThat(directory.phone("p1")).isNull();
        assertThat(directory.phone("p1")).isNull();
        assertThat(target.calls).containsExactly("phone p1", "phone p1");
    }

    interface ZeroTtl {
        @Cached(name = "zero", cacheNulls = "0s")
        String value(int id);
    }

    interface NegativeTtl {
        @Cached(name = "negative", cacheNulls = "-5s")
        String value(int id);
    }

    interface BadTtl {
        @Cached(name = "bad", cacheNulls = "soon")
        String value(int id);
    }

    @Test
    void aZeroNegativeOrMalformedTtlIsRejectedNamingTheMethodAndTheValue() {
        assertThatThrownBy(() -> Cachet.proxy(ZeroTtl.class, id -> "v", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ZeroTtl.value(int): @Cached(cacheNulls = \"0s\") must be positive");
        assertThatThrownBy(() -> Cachet.proxy(NegativeTtl.class, id -> "v", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("NegativeTtl.value(int): @Cached(cacheNulls = \"-5s\")")
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> Cachet.proxy(BadTtl.class, id -> "v", invariants.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("BadTtl.value(int): @Cached(cacheNulls = \"soon\")");
        assertThat(invariants.registry().find("zero")).isEmpty();
    }
}
