/**
 * How values are copied: the implementations behind {@link dev.cachet.Copier#defensive()} and {@link
 * dev.cachet.Copier#serializing()}, and the immutability rules they share.
 *
 * <p>Implementation, not API: the types here are public only so that {@code dev.cachet} can reach them. They may
 * change or disappear in any release; use the factories on {@link dev.cachet.Copier} instead.
 */
@NullMarked
package dev.cachet.internal.copy;

import org.jspecify.annotations.NullMarked;
