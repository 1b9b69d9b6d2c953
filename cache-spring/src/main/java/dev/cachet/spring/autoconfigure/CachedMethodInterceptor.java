package dev.cachet.spring.autoconfigure;

import dev.cachet.Cache;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.AopProxyUtils;

/**
 * The advice behind {@code @Cached} and {@code @CacheInvalidate} on Spring beans: looks up the called method's {@link
 * MethodOperation} and acts on it. A {@code @Cached} call goes through the cache's {@code get(key, loader)}, so the
 * bean method runs once per key at a time (across processes too, for a remote or near cache), its exceptions reach
 * the caller unchanged and are never cached, and a {@code null} result is returned but not cached. A {@code
 * @CacheInvalidate} call removes its key (or every entry) after the method returns normally. Thread-safe.
 */
final class CachedMethodInterceptor implements MethodInterceptor {
    private static final Object[] NO_ARGUMENTS = {};

    private final CachetOperationSource operations;

    CachedMethodInterceptor(CachetOperationSource operations) {
        this.operations = operations;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass =
                target == null ? invocation.getMethod().getDeclaringClass() : AopProxyUtils.ultimateTargetClass(target);
        MethodOperation operation = operations.operation(invocation.getMethod(), targetClass);
        Object[] arguments = invocation.getArguments() == null ? NO_ARGUMENTS : invocation.getArguments();
        if (operation instanceof MethodOperation.Cached cached) {
            return load(cached, invocation, arguments);
        }
        if (operation instanceof MethodOperation.Invalidate invalidate) {
            return callAndInvalidate(invalidate, invocation, arguments);
        }
        return invocation.proceed();
    }

    private static @Nullable Object load(
            MethodOperation.Cached operation, MethodInvocation invocation, Object[] arguments) throws Throwable {
        boolean optional = operation.result() == MethodOperation.ResultKind.OPTIONAL;
        Object value;
        try {
            value = operation.cache().get(operation.key().of(arguments), key -> {
                Object result = proceed(invocation);
                return optional ? unwrap((Optional<?>) result) : result;
            });
        } catch (TargetFailure failure) {
            throw failure.getCause();
        }
        return optional ? Optional.ofNullable(value) : value;
    }

    private @Nullable Object callAndInvalidate(
            MethodOperation.Invalidate operation, MethodInvocation invocation, Object[] arguments) throws Throwable {
        // The key is made before the call: the method may change its arguments.
        Object key = operation.allEntries() ? null : operation.key().of(arguments);
        Object returned = invocation.proceed();
        @SuppressWarnings("unchecked") // only invalidate() is called, which takes any key
        Cache<Object, Object> cache = (Cache<Object, Object>) operations.cacheOf(operation);
        if (key == null) {
            cache.invalidateAll();
        } else {
            cache.invalidate(key);
        }
        return returned;
    }

    private static @Nullable Object unwrap(Optional<?> result) {
        // A method declared to return Optional may still return null; it caches nothing, like an empty one.
        return result == null ? null : result.orElse(null);
    }

    /** Calls the bean method from a loader: whatever it throws travels through the cache wrapped, to be unwrapped. */
    private static @Nullable Object proceed(MethodInvocation invocation) {
        try {
            return invocation.proceed();
        } catch (Throwable t) {
            throw new TargetFailure(t);
        }
    }

    /** Carries the bean method's exception, checked or not, through the cache's loader unchanged. */
    private static final class TargetFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TargetFailure(Throwable cause) {
            super(null, cause, false, false);
        }
    }
}
