/**
 * How values are copied: the copy functions behind {@code Copier.defensive()} ({@link
 * dev.cachet.internal.copy.DefensiveCopy}) and {@code Copier.serializing()} ({@link
 * dev.cachet.internal.copy.SerializingCopy}), and the immutability rules they and memoisation keys share ({@link
 * dev.cachet.internal.copy.Immutability}).
 *
 * <p>Implementation, not API, and a leaf: nothing here depends on {@code dev.cachet}, which adapts these functions
 * to its {@code Copier} interface. Not exported from the module; use the factories on {@code dev.cachet.Copier}.
 */
@NullMarked
package dev.cachet.internal.copy;

import org.jspecify.annotations.NullMarked;
