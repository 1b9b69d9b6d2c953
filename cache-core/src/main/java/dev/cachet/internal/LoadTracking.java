package dev.cachet.internal;

/**
 * Implemented by every kind of cache Cachet builds, so that test support can check that no load was left in flight
 * after a test. Not API: reachable only from Cachet's own modules.
 */
public interface LoadTracking {
    /** Returns how many loads are running or registered and not yet completed, in every tier of the cache. */
    int loadsInFlight();
}
