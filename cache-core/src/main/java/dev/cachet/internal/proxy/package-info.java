/**
 * The caching proxies behind {@code Cachet.proxy}: not API. An interface's annotations are parsed once ({@link
 * dev.cachet.internal.proxy.OperationParser}) into an immutable model, one record per method ({@link
 * dev.cachet.internal.proxy.CachedOperation}, {@link dev.cachet.internal.proxy.InvalidateOperation}, {@link
 * dev.cachet.internal.proxy.DirectCall}), and checked then; the {@link java.lang.reflect.InvocationHandler} only
 * looks the method up and acts on its record. The rules are documented on the annotations in {@code
 * dev.cachet.annotation}.
 */
@NullMarked
package dev.cachet.internal.proxy;

import org.jspecify.annotations.NullMarked;
