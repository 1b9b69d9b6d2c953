package dev.cachet.metrics;

import static java.util.Objects.requireNonNull;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes Cachet caches to a Micrometer {@link MeterRegistry}: the one call an application makes.
 *
 * <pre>{@code
 * CachetMetrics.bindAll(CacheRegistry.defaultRegistry(), meterRegistry); // every cache, now and later
 * CachetMetrics.bind(quotes, meterRegistry, Tags.of("tier", "local"));   // or one cache
 * }</pre>
 *
 * <p>The meters are Micrometer's standard cache meters, named in {@link MetricNames}: {@value
 * MetricNames#CACHE_GETS} ({@code result=hit|miss}), {@value MetricNames#CACHE_PUTS}, {@value
 * MetricNames#CACHE_EVICTIONS}, {@value MetricNames#CACHE_EVICTION_WEIGHT}, {@value MetricNames#CACHE_LOAD} ({@code
 * result=success|failure}), {@value MetricNames#CACHE_LOAD_DURATION} and {@value MetricNames#CACHE_SIZE}, with
 * Cachet's hit ratios: {@value MetricNames#CACHE_HIT_RATIO} (cumulative) and {@value
 * MetricNames#CACHE_HIT_RATIO_RECENT} (over the last window of requests), for a two-level cache also per tier ({@value
 * MetricNames#CACHE_TIER_HIT_RATIO}, tagged {@code tier=near|remote}), and the remote and near tiers' meters; each tagged {@code cache=<name>} plus the given tags.
 * A {@linkplain dev.cachet.Cachet#memoize(String, java.util.function.Function, long) named memoised function} is bound
 * like a cache of its name. Their values are read from
 * {@link Cache#stats()} and {@link Cache#estimatedSize()} when the registry publishes, so binding costs the cache
 * nothing on its hot path. Meters hold the cache weakly: binding never keeps a discarded cache alive.
 *
 * <p>Binding is idempotent: binding a cache again to the same registry with the same tags finds the meters already
 * there (Micrometer identifies a meter by name and tags) and changes nothing; Micrometer logs, once per JVM, a WARN
 * that the repeated registration was ignored. Two different caches with the same name and tags in one registry share
 * those meters, which report the first one bound; give them distinguishing tags.
 *
 * <p>All methods are thread-safe. No argument may be {@code null}: a null argument, or a null tag, throws {@link
 * NullPointerException} naming it.
 */
// "exports": the API takes Micrometer types, yet the module requires Micrometer statically and not transitively (it is
// optional); callers have their own MeterRegistry, so they read Micrometer anyway.
@SuppressWarnings("exports")
public final class CachetMetrics {
    private static final Logger log = LoggerFactory.getLogger(CachetMetrics.class);

    private CachetMetrics() {}

    /**
     * Registers the meters of {@code cache} in {@code registry}, tagged {@code cache=<name>}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static void bind(Cache<?, ?> cache, MeterRegistry registry) {
        bind(cache, registry, Tags.empty());
    }

    /**
     * Registers the meters of {@code cache} in {@code registry}, tagged {@code cache=<name>} and with {@code tags}.
     * A {@code cache} tag among {@code tags} is replaced by the cache's name.
     *
     * @throws NullPointerException if an argument or a tag is null
     */
    public static void bind(Cache<?, ?> cache, MeterRegistry registry, Iterable<Tag> tags) {
        requireNonNull(cache, "cache");
        requireNonNull(registry, "registry");
        Tags fixed = copyOf(tags);
        new CacheMetricsBinder(cache, fixed).bindTo(registry);
    }

    /**
     * Registers in {@code registry} the meters of every cache in {@code caches}: those registered now, and each one
     * registered later, as it is registered (through {@link CacheRegistry#onRegistration}). There is no unbinding:
     * {@code caches} keeps a reference to {@code registry} for as long as it lives.
     *
     * <p>A failure to bind a cache registered later (say, a registry that rejects the meters) is logged as a WARN and
     * does not fail that cache's {@code build()}: metrics must never stop an application from caching.
     *
     * @throws NullPointerException if an argument is null
     */
    public static void bindAll(CacheRegistry caches, MeterRegistry registry) {
        bindAll(caches, registry, Tags.empty());
    }

    /**
     * Registers in {@code registry} the meters of every cache in {@code caches}, now and later, like {@link
     * #bindAll(CacheRegistry, MeterRegistry)}, each also tagged with {@code tags}.
     *
     * @throws NullPointerException if an argument or a tag is null
     */
    public static void bindAll(CacheRegistry caches, MeterRegistry registry, Iterable<Tag> tags) {
        requireNonNull(caches, "caches");
        requireNonNull(registry, "registry");
        // Copied once, so that later changes to the caller's Iterable never reach caches bound later.
        Tags fixed = copyOf(tags);
        // Listen before taking the snapshot, so that a cache registered in between is not missed; one registered
        // in between may be bound twice, which is harmless.
        caches.onRegistration(cache -> bindLater(cache, registry, fixed));
        for (Cache<?, ?> cache : caches.caches()) {
            bind(cache, registry, fixed);
        }
    }

    private static void bindLater(Cache<?, ?> cache, MeterRegistry registry, Tags tags) {
        try {
            bind(cache, registry, tags);
        } catch (RuntimeException e) {
            log.warn("cannot publish the metrics of cache '{}'; the cache works without them", cache.name(), e);
        }
    }

    private static Tags copyOf(Iterable<Tag> tags) {
        requireNonNull(tags, "tags");
        List<Tag> copy = new ArrayList<>();
        for (Tag tag : tags) {
            copy.add(requireNonNull(tag, "a tag in tags"));
        }
        return Tags.of(copy);
    }
}
