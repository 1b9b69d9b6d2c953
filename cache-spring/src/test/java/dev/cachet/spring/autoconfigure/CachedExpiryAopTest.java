package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.cachet.Expiry;
import dev.cachet.annotation.Cached;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code @Cached(expiry = ...)} on a Spring bean: the cache gets that class's one instance as its Expiry. */
class CachedExpiryAopTest {

    private static ApplicationContextRunner runner() {
        return Contexts.runner().withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class));
    }

    /** Values starting with "once" are not kept; the others live an hour. */
    public static final class OnceExpiry implements Expiry<Object, Object> {
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

    static class Tokens {
        final AtomicInteger calls = new AtomicInteger();

        @Cached(name = "tokens", expiry = OnceExpiry.class)
        public String token(String audience) {
            return audience + "-" + calls.incrementAndGet();
        }
    }

    /** No public no-argument constructor. */
    public static final class BadExpiry implements Expiry<Object, Object> {
        private BadExpiry() {}

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

    static class BadTokens {
        @Cached(name = "bad", expiry = BadExpiry.class)
        public String token(String audience) {
            return audience;
        }
    }

    @Test
    void eachEntryLivesAsTheAnnotatedExpirySays() {
        runner().withBean(Tokens.class).run(context -> {
            Tokens tokens = context.getBean(Tokens.class);
            assertThat(tokens.token("billing")).isEqualTo("billing-1");
            assertThat(tokens.token("billing")).isEqualTo("billing-1");
            assertThat(tokens.token("once")).isEqualTo("once-2");
            assertThat(tokens.token("once")).as("not kept: called again").isEqualTo("once-3");
        });
    }

    @Test
    void anExpiryClassThatCannotBeInstantiatedFailsTheStartup() {
        runner().withBean(BadTokens.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .extracting(Contexts::messages, STRING)
                        .contains("BadExpiry.class) needs a public no-argument constructor"));
    }
}
