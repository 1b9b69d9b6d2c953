package dev.cachet;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;

/**
 * The thin half of a caching proxy: looks up the called method's {@link Operation} and acts on it. Plain values go
 * through {@link Cache#get(Object, java.util.function.Function)} (single flight, copies and statistics as with the
 * programmatic API); futures go through the cache's {@link AsyncCache} view, which shares one call in flight per key
 * and stores its value when it completes normally. Thread-safe.
 */
final class CachingInvocationHandler implements InvocationHandler {
    private static final Object[] NO_ARGUMENTS = {};

    private final InterfaceModel model;
    private final Object target;
    private final CacheRegistry registry;
    private final Map<String, Cache<Object, Object>> caches;
    /** Per cache, its asynchronous view: future-returning calls and every invalidation go through it. */
    private final Map<String, AsyncCache<Object, Object>> asyncCaches;

    CachingInvocationHandler(
            InterfaceModel model, Object target, CacheRegistry registry, Map<String, Cache<Object, Object>> caches) {
        this.model = model;
        this.target = target;
        this.registry = registry;
        this.caches = Map.copyOf(caches);
        Map<String, AsyncCache<Object, Object>> views = new HashMap<>();
        this.caches.forEach((name, cache) -> views.put(name, AsyncCache.of(cache, ForkJoinPool.commonPool())));
        this.asyncCaches = Map.copyOf(views);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
        }
        Object[] arguments = args == null ? NO_ARGUMENTS : args;
        Operation operation = model.operations().get(method);
        if (operation instanceof CachedOperation cached) {
            return switch (cached.result()) {
                case VALUE -> load(cached, arguments);
                case OPTIONAL -> Optional.ofNullable(load(cached, arguments));
                case FUTURE -> loadFuture(cached, arguments);
            };
        }
        if (operation instanceof InvalidateOperation invalidate) {
            return callAndInvalidate(invalidate, arguments);
        }
        return call(operation == null ? method : operation.method(), arguments);
    }

    /** Returns the cached value (an {@code Optional}'s content), calling the target once per key on a miss. */
    private Object load(CachedOperation operation, Object[] arguments) throws Throwable {
        Cache<Object, Object> cache = caches.get(operation.cache().name());
        try {
            return cache.get(operation.key(arguments), key -> {
                Object result = callUnchecked(operation.method(), arguments);
                return operation.result() == ResultKind.OPTIONAL ? unwrap((Optional<?>) result) : result;
            });
        } catch (TargetFailure failure) {
            throw failure.getCause();
        }
    }

    private static Object unwrap(Optional<?> result) {
        return result == null ? null : result.orElse(null);
    }

    /**
     * Returns a future of the cached value through the cache's {@link AsyncCache} view: on a miss, the caller that
     * finds no call in flight for the key calls the target; everyone who misses meanwhile shares that call through a
     * future of their own. What the target throws instead of returning a future is thrown to the caller that called
     * it, and a {@code null} instead of a future is returned to it; callers that shared the call get that failure.
     */
    @SuppressWarnings("unchecked") // a method cached as FUTURE returns a CompletionStage of its value type
    private Object loadFuture(CachedOperation operation, Object[] arguments) throws Throwable {
        AsyncCache<Object, Object> cache = asyncCaches.get(operation.cache().name());
        // Set only when the target runs on this thread (an in-memory cache): then its outcome is this caller's.
        Thread caller = Thread.currentThread();
        Throwable[] thrown = {null};
        boolean[] returnedNull = {false};
        CompletableFuture<Object> future = cache.get(operation.key(arguments), (key, executor) -> {
            boolean here = Thread.currentThread() == caller;
            Object returned;
            try {
                returned = call(operation.method(), arguments);
            } catch (Throwable t) {
                thrown[0] = here ? t : null;
                return CompletableFuture.failedFuture(t);
            }
            if (returned == null) {
                returnedNull[0] = here;
                return CompletableFuture.failedFuture(
                        new NullPointerException(operation.description() + " returned null instead of a "
                                + operation.method().getReturnType().getSimpleName()));
            }
            CompletableFuture<Object> value = new CompletableFuture<>();
            var unused = ((CompletionStage<Object>) returned).whenComplete((result, failure) -> {
                if (failure != null) {
                    value.completeExceptionally(failure);
                } else {
                    value.complete(result);
                }
            });
            return value;
        });
        if (thrown[0] != null) {
            throw thrown[0];
        }
        return returnedNull[0] ? null : future;
    }

    /** Calls the target, then removes the call's keys (or every entry) if it returned, or its future completed. */
    private Object callAndInvalidate(InvalidateOperation operation, Object[] arguments) throws Throwable {
        List<Object> keys = operation.keys(arguments); // before the call: the target may change its arguments
        Object returned = call(operation.method(), arguments);
        if (operation.awaitsFuture() && returned != null) {
            CompletableFuture<Object> mine = new CompletableFuture<>();
            var unused = ((CompletionStage<?>) returned).whenComplete((value, failure) -> {
                if (failure != null) {
                    mine.completeExceptionally(failure);
                    return;
                }
                try {
                    invalidate(operation, keys);
                } catch (RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                    return;
                }
                mine.complete(value);
            });
            return mine;
        }
        invalidate(operation, keys);
        return returned;
    }

    private void invalidate(InvalidateOperation operation, List<Object> keys) {
        // Through the view, so that a future-returning call in flight for the key does not store its value after.
        Cache<Object, Object> cache = asyncCaches.get(operation.cacheName()).synchronous();
        if (operation.allEntries()) {
            cache.invalidateAll();
            return;
        }
        for (Object key : keys) {
            cache.invalidate(key);
        }
    }

    /** Calls the target; its exception is thrown as it is, whether checked or not. */
    private Object call(Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(
                    "cannot call " + OperationParser.describe(method) + " on the target: " + e.getMessage(), e);
        }
    }

    /** Calls the target from a loader: a checked exception travels through the cache wrapped, to be unwrapped. */
    private Object callUnchecked(Method method, Object[] arguments) {
        try {
            return call(method, arguments);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new TargetFailure(t);
        }
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> args[0] == proxy || isEquivalentProxy(args[0]);
            case "hashCode" -> 31 * model.type().hashCode() + System.identityHashCode(target);
            default ->
                "Cachet proxy of " + model.type().getSimpleName() + " over " + target + ", caches "
                        + caches.keySet().stream().sorted().toList();
        };
    }

    /** Two proxies are equal when they cache the same interface over the same target in the same registry. */
    private boolean isEquivalentProxy(Object other) {
        return other != null
                && Proxy.isProxyClass(other.getClass())
                && Proxy.getInvocationHandler(other) instanceof CachingInvocationHandler that
                && that.model.type() == model.type()
                && that.target == target
                && that.registry == registry;
    }

    /** Carries a checked exception of the target through a cache loader; never escapes the handler. */
    private static final class TargetFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TargetFailure(Throwable cause) {
            super(null, cause, false, false);
        }
    }
}
