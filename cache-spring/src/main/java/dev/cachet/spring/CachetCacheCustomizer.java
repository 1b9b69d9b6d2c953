package dev.cachet.spring;

/**
 * Adjusts the caches the Spring integration builds: the caches declared under {@code cachet.caches} and those that
 * {@code @Cached} annotations with settings create. Every customizer bean is called, in {@link
 * org.springframework.core.Ordered order}, once for each such cache, before it is built.
 *
 * <pre>{@code
 * @Bean
 * CachetCacheCustomizer quotesCodec(ObjectMapper mapper) {
 *     return cache -> {
 *         if (cache.name().equals("quotes")) {
 *             cache.codec(Codec.json(Quote.class, mapper)).copier(Copier.identity());
 *         }
 *     };
 * }
 * }</pre>
 *
 * <p>Customizers run on the thread that builds the caches, during application startup; an exception fails the
 * startup.
 */
@FunctionalInterface
public interface CachetCacheCustomizer {

    /**
     * Adjusts one cache before it is built.
     *
     * @param cache the cache's name, tier and the options a customizer may set
     */
    void customize(CacheCustomization cache);
}
