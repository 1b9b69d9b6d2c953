/**
 * Implementation of the caches: not API. Types here are public only so that Cachet's own modules can compose them;
 * they may change in any release.
 */
package dev.cachet.internal;
