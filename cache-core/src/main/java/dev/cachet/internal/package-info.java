/**
 * Leaf helpers of the caches, not API: single-flight loads ({@link dev.cachet.internal.SingleFlight}), bulk results
 * in key order ({@link dev.cachet.internal.BulkResults}) and {@link dev.cachet.internal.LoadTracking}, which every
 * kind of cache implements so that test support can check that no load was left in flight.
 *
 * <p>Nothing here depends on {@code dev.cachet}: the caches themselves are package-private classes there. Exported
 * only to Cachet's own test-support module; may change in any release.
 */
@NullMarked
package dev.cachet.internal;

import org.jspecify.annotations.NullMarked;
