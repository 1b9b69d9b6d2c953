/**
 * The optional Micrometer binding: {@link dev.cachet.metrics.CachetMetrics} publishes caches to a Micrometer {@code
 * MeterRegistry} under the standard cache meter names listed in {@link dev.cachet.metrics.MetricNames}.
 *
 * <p>This is the only package that needs Micrometer ({@code io.micrometer:micrometer-core}, an optional dependency of
 * Cachet): nothing outside it refers to it, so applications without Micrometer on the class path use every other
 * package without a {@code NoClassDefFoundError}. Add Micrometer to use this package.
 */
@NullMarked
package dev.cachet.metrics;

import org.jspecify.annotations.NullMarked;
