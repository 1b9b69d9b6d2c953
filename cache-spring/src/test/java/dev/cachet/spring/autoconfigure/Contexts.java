package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheRegistry;
import dev.cachet.testing.CacheInvariants;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/** What the auto-configuration tests share. */
final class Contexts {
    /** Every Cachet auto-configuration, as the imports file lists them. */
    static final AutoConfigurations CACHET = AutoConfigurations.of(
            CachetAutoConfiguration.class,
            CachetAopAutoConfiguration.class,
            CachetCacheManagerAutoConfiguration.class,
            CachetMetricsAutoConfiguration.class,
            CachetHealthAutoConfiguration.class);

    /** A standalone Redis URL nobody listens on: the tier connects lazily, so it is only used when a test says so. */
    static final String UNREACHABLE_REDIS = "redis://127.0.0.1:1";

    private Contexts() {}

    /** Returns a runner with Cachet's auto-configurations only. */
    static ApplicationContextRunner runner() {
        return new ApplicationContextRunner().withConfiguration(CACHET);
    }

    /** Returns the messages of a failure and all its causes, one per line, each after its exception's class. */
    static String messages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getClass().getName())
                    .append(": ")
                    .append(t.getMessage())
                    .append('\n');
        }
        return text.toString();
    }

    /** Checks the invariants of every cache of the context's registry (size within bound, counters consistent). */
    static void checkInvariants(ApplicationContext context) {
        context.getBean(CacheRegistry.class).caches().forEach(CacheInvariants::check);
    }
}
