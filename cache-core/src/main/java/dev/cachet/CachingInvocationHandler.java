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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The thin half of a caching proxy: looks up the called method's {@link Operation} and acts on it. Plain values go
 * through {@link Cache#get(Object, java.util.function.Function)} (single flight, copies and statistics as with the
 * programmatic API); futures are followed here, with one call in flight per key, its value stored when it completes
 * normally. Thread-safe.
 */
final class CachingInvocationHandler implements InvocationHandler {
    private static final Object[] NO_ARGUMENTS = {};

    private final InterfaceModel model;
    private final Object target;
    private final CacheRegistry registry;
    private final Map<String, Cache<Object, Object>> caches;
    /** Per cache, the future-returning calls in flight, by key; a flight is removed when it ends or is invalidated. */
    private final Map<String, ConcurrentHashMap<Object, CompletableFuture<Object>>> flights;

    private final Copier<Object> copier = Copier.defensive();

    CachingInvocationHandler(
            InterfaceModel model, Object target, CacheRegistry registry, Map<String, Cache<Object, Object>> caches) {
        this.model = model;
        this.target = target;
        this.registry = registry;
        this.caches = Map.copyOf(caches);
        Map<String, ConcurrentHashMap<Object, CompletableFuture<Object>>> perCache = new HashMap<>();
        model.caches().keySet().forEach(name -> perCache.put(name, new ConcurrentHashMap<>()));
        this.flights = Map.copyOf(perCache);
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
     * Returns a future of the cached value. On a miss, the caller that finds no call in flight for the key calls the
     * target; everyone who misses meanwhile gets a future of that same call. The flight stores the value when it
     * completes normally, unless the key was invalidated meanwhile, and ends before anyone's future completes.
     */
    private Object loadFuture(CachedOperation operation, Object[] arguments) throws Throwable {
        String name = operation.cache().name();
        Cache<Object, Object> cache = caches.get(name);
        Object key = operation.key(arguments);
        Object cached = cache.getIfPresent(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        ConcurrentHashMap<Object, CompletableFuture<Object>> inFlight = flights.get(name);
        CompletableFuture<Object> flight = new CompletableFuture<>();
        CompletableFuture<Object> current = inFlight.putIfAbsent(key, flight);
        if (current != null) {
            return follow(current);
        }
        Object returned;
        try {
            returned = call(operation.method(), arguments);
        } catch (Throwable t) {
            inFlight.remove(key, flight);
            flight.completeExceptionally(t);
            throw t;
        }
        if (returned == null) {
            inFlight.remove(key, flight);
            flight.completeExceptionally(
                    new NullPointerException(operation.description() + " returned null instead of a "
                            + operation.method().getReturnType().getSimpleName()));
            return null; // the caller gets what the target returned; callers that joined get the failure
        }
        var unused = ((CompletionStage<?>) returned).whenComplete((value, failure) -> {
            if (failure != null) {
                inFlight.remove(key, flight);
                flight.completeExceptionally(failure);
                return;
            }
            try {
                // Stores only if this flight is still the key's: an invalidation meanwhile removed it.
                inFlight.computeIfPresent(key, (k, f) -> {
                    if (f == flight && value != null) {
                        cache.put(k, value);
                    }
                    return f == flight ? null : f;
                });
            } catch (RuntimeException | Error e) { // the copier rejected the value: the load fails, as in get()
                inFlight.remove(key, flight);
                flight.completeExceptionally(e);
                return;
            }
            flight.complete(value);
        });
        return follow(flight);
    }

    /** Returns a future of its own for one caller of a flight, with a copy of the value or the flight's exception. */
    private CompletableFuture<Object> follow(CompletableFuture<Object> flight) {
        CompletableFuture<Object> mine = new CompletableFuture<>();
        var unused = flight.whenComplete((value, failure) -> {
            if (failure != null) {
                mine.completeExceptionally(failure);
                return;
            }
            try {
                mine.complete(value == null ? null : copier.copy(value));
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
            }
        });
        return mine;
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
        Cache<Object, Object> cache = caches.get(operation.cacheName());
        ConcurrentHashMap<Object, CompletableFuture<Object>> inFlight = flights.get(operation.cacheName());
        if (operation.allEntries()) {
            if (inFlight != null) {
                inFlight.clear();
            }
            cache.invalidateAll();
            return;
        }
        for (Object key : keys) {
            if (inFlight != null) {
                inFlight.remove(key);
            }
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
