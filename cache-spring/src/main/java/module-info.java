/**
 * Spring Boot auto-configuration for Cachet: properties, {@code @Cached} on beans, a {@code CacheManager}, Actuator
 * health and metrics. Exports the customisation API and the Spring cache adapter; the auto-configurations are opened
 * to reflection (Boot loads them by name and binds properties into them), and the rest is package-private.
 */
// Spring's jars, Jedis and Micrometer are automatic modules (no module-info, an Automatic-Module-Name): javac warns
// about any "requires" of one, and CachetCacheManager implements Spring's CacheManager.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.cachet.spring {
    requires transitive dev.cachet.redis;
    requires transitive spring.context;
    requires spring.aop;
    requires spring.beans;
    requires spring.boot;
    requires spring.boot.autoconfigure;
    requires spring.core;
    requires spring.expression;
    // Each switches its part on only when the application has it (see the auto-configurations).
    requires static micrometer.core;
    requires static spring.boot.health;
    // Nullness annotations on the API; Spring itself depends on JSpecify, so it is always there.
    requires transitive org.jspecify;

    exports dev.cachet.spring;
    exports dev.cachet.spring.cache;

    // Boot loads the auto-configurations by name, calls their package-private @Bean methods and binds CachetProperties,
    // all by reflection: the package is opened for that, not exported, so it is no compile-time API.
    opens dev.cachet.spring.autoconfigure;
}
