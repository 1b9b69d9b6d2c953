/**
 * Implementation of the caches: not API. Types here are public only so that Cachet's own modules can compose them;
 * they may change in any release.
 */
@NullMarked
package dev.cachet.internal;

import org.jspecify.annotations.NullMarked;
