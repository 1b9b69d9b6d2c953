/**
 * Leaf helpers of the caches, not API: single-flight loads ({@link dev.cachet.internal.SingleFlight}), bulk results
 * in key order ({@link dev.cachet.internal.BulkResults}), and two interfaces every kind of cache implements: {@link
 * dev.cachet.internal.LoadTracking}, so that test support can check that no load was left in flight, and {@link
 * dev.cachet.internal.HitRatios}, the cumulative and recent hit ratios the metrics binding publishes.
 *
 * <p>Nothing here depends on {@code dev.cachet}: the caches themselves are package-private classes there. Exported
 * only to Cachet's own test-support module; may change in any release.
 */
@NullMarked
package dev.cachet.internal;

import org.jspecify.annotations.NullMarked;
