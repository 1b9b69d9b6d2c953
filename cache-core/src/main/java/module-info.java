/**
 * Cachet's core: the {@code Cache} API, in-memory caches on Caffeine, memoisation, statistics, copying, caching
 * proxies and the remote-tier SPI. Only the API packages are exported; the implementation is package-private in
 * {@code dev.cachet} or in {@code dev.cachet.internal…} packages that only Cachet's own modules may read.
 */
// "module": dev.cachet.test is built after this module, so javac cannot find it when it checks the qualified export.
// "requires-automatic": Micrometer is an automatic module (it has no module-info, only an Automatic-Module-Name).
@SuppressWarnings({"module", "requires-automatic"})
module dev.cachet {
    requires com.github.benmanes.caffeine;
    requires org.slf4j;
    // Nullness annotations on the API (@NullMarked packages, @Nullable where null is part of the contract).
    requires transitive org.jspecify;
    // Optional: only dev.cachet.metrics touches Micrometer. Not transitive: a static transitive edge makes every
    // module that reads this one (cache-redis, …) fail to compile without Micrometer; an application that binds
    // metrics has a MeterRegistry of its own and so reads micrometer.core already.
    requires static micrometer.core;

    exports dev.cachet;
    exports dev.cachet.spi;
    exports dev.cachet.annotation;
    exports dev.cachet.metrics;
    // LoadTracking, for the test-support module's invariant checks; NullCaching, for Spring's null-value contract.
    exports dev.cachet.internal to
            dev.cachet.test,
            dev.cachet.spring;
    // MemoKey and Durations, so that Spring's cached methods key arguments and read durations as Cachet.proxy does.
    exports dev.cachet.internal.method to
            dev.cachet.spring;
}
