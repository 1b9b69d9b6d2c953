/**
 * How a cached method's call is read, shared by core and cache-spring so that both follow the same rules: its
 * arguments as a value key ({@link dev.cachet.internal.method.MemoKey}, also used by memoised functions) and the
 * durations written in its annotation ({@link dev.cachet.internal.method.Durations}).
 *
 * <p>Not API, and a leaf: nothing here depends on {@code dev.cachet}. Exported only to {@code dev.cachet.spring}.
 */
package dev.cachet.internal.method;
