package dev.cachet.spring.autoconfigure;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Expiry;
import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.CacheKey;
import dev.cachet.annotation.Cached;
import dev.cachet.internal.method.AnnotatedInstances;
import dev.cachet.internal.method.Durations;
import dev.cachet.spring.KeyExpression;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotatedMethod;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Reads the {@code @Cached}, {@code @CacheInvalidate}, {@code @CacheKey} and {@code @KeyExpression} annotations of
 * bean classes into {@link MethodOperation}s, once per class, when the class is first considered for proxying: every
 * method is checked then and every cache a {@code @Cached} method names is built or found, so a mistake fails the
 * startup with a message naming the method. Annotations are found on the class's methods and on the interface and
 * superclass methods they override. After all singletons exist, checks that every {@code @CacheInvalidate} names a
 * registered cache. Thread-safe.
 */
final class CachetOperationSource implements SmartInitializingSingleton {
    private static final List<Class<? extends Annotation>> ANNOTATIONS =
            List.of(Cached.class, CacheInvalidate.class, CacheKey.class, KeyExpression.class);
    private static final SpelExpressionParser PARSER = new SpelExpressionParser();

    private final ObjectProvider<CacheFactory> factory;
    private final ObjectProvider<DeclaredCaches> declaredCaches;
    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();
    private final ConcurrentMap<Class<?>, Map<Method, MethodOperation>> byClass = new ConcurrentHashMap<>();
    private final Set<MethodOperation.Invalidate> invalidations = ConcurrentHashMap.newKeySet();

    CachetOperationSource(ObjectProvider<CacheFactory> factory, ObjectProvider<DeclaredCaches> declaredCaches) {
        this.factory = factory;
        this.declaredCaches = declaredCaches;
    }

    /**
     * Returns the operation of {@code method} when called on an instance of {@code targetClass}, or null if it has
     * none.
     *
     * @throws IllegalArgumentException if an annotation of the class has a bad value
     * @throws IllegalStateException if annotations conflict, or a cache is registered with other settings
     */
    @Nullable
    MethodOperation operation(Method method, Class<?> targetClass) {
        Map<Method, MethodOperation> operations = byClass.get(targetClass);
        if (operations == null) {
            // Not computeIfAbsent: parsing may create beans (the caches' factory), whose own proxying comes back here.
            operations = parse(targetClass);
            Map<Method, MethodOperation> raced = byClass.putIfAbsent(targetClass, operations);
            operations = raced != null ? raced : operations;
        }
        if (operations.isEmpty()) {
            return null;
        }
        return operations.get(AopUtils.getMostSpecificMethod(method, targetClass));
    }

    /** Returns the registry the caches are in. */
    CacheRegistry registry() {
        return factory.getObject().registry();
    }

    /** Fails the startup if a {@code @CacheInvalidate} of a singleton names a cache that no one registered. */
    @Override
    public void afterSingletonsInstantiated() {
        for (MethodOperation.Invalidate invalidation : invalidations) {
            cacheOf(invalidation);
        }
    }

    /**
     * Returns the cache a {@code @CacheInvalidate} method names.
     *
     * @throws IllegalStateException if no cache has that name
     */
    Cache<?, ?> cacheOf(MethodOperation.Invalidate invalidation) {
        return registry()
                .find(invalidation.cacheName())
                .orElseThrow(() -> new IllegalStateException(invalidation.description()
                        + ": @CacheInvalidate(name = \"" + invalidation.cacheName() + "\") names no cache: declare it"
                        + " under cachet.caches, or with @Cached on a bean method, or fix the name (known caches: "
                        + new TreeSet<>(registry().names()) + ")"));
    }

    private Map<Method, MethodOperation> parse(Class<?> targetClass) {
        if (!AnnotationUtils.isCandidateClass(targetClass, ANNOTATIONS)) {
            return Map.of();
        }
        Map<Method, MethodOperation> operations = new HashMap<>();
        List<Method> methods = new ArrayList<>();
        for (Method declared :
                ReflectionUtils.getUniqueDeclaredMethods(targetClass, ReflectionUtils.USER_DECLARED_METHODS)) {
            methods.add(AopUtils.getMostSpecificMethod(declared, targetClass));
        }
        // Methods that give their cache settings first, so that one that merely names the cache finds it built.
        methods.sort(
                Comparator.comparing((Method method) -> !hasSettings(method)).thenComparing(Method::toGenericString));
        for (Method method : methods) {
            MethodOperation operation = parse(method, targetClass);
            if (operation != null) {
                operations.put(method, operation);
            }
        }
        return Map.copyOf(operations);
    }

    private static boolean hasSettings(Method method) {
        Cached cached = AnnotatedElementUtils.findMergedAnnotation(method, Cached.class);
        return cached != null
                && (cached.maximumSize() != Cached.UNBOUNDED
                        || !cached.expireAfterWrite().isEmpty()
                        || !cached.expireAfterAccess().isEmpty()
                        || !cached.cacheNulls().isEmpty()
                        || !cached.staleIfError().isEmpty()
                        || !cached.refreshAfterWrite().isEmpty()
                        || cached.expiry() != void.class);
    }

    private @Nullable MethodOperation parse(Method method, Class<?> targetClass) {
        Cached cached = AnnotatedElementUtils.findMergedAnnotation(method, Cached.class);
        CacheInvalidate invalidate = AnnotatedElementUtils.findMergedAnnotation(method, CacheInvalidate.class);
        KeyExpression expression = AnnotatedElementUtils.findMergedAnnotation(method, KeyExpression.class);
        MethodParameter[] parameters = new AnnotatedMethod(method).getMethodParameters();
        List<Integer> marked = new ArrayList<>();
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i].hasParameterAnnotation(CacheKey.class)) {
                marked.add(i);
            }
        }
        if (cached == null && invalidate == null) {
            if (expression != null || !marked.isEmpty()) {
                throw new IllegalArgumentException(describe(method, targetClass) + ": "
                        + (expression != null ? "@KeyExpression" : "@CacheKey on " + parameter(method, marked.get(0)))
                        + " has no effect: the method has neither @Cached nor @CacheInvalidate");
            }
            return null;
        }
        String where = describe(method, targetClass);
        if (cached != null && invalidate != null) {
            throw new IllegalStateException(where + ": @Cached and @CacheInvalidate cannot be combined on one method");
        }
        String annotation = cached != null ? "@Cached" : "@CacheInvalidate";
        int modifiers = method.getModifiers();
        if (Modifier.isStatic(modifiers) || Modifier.isPrivate(modifiers)) {
            throw new IllegalArgumentException(where + ": " + annotation + " on a "
                    + (Modifier.isStatic(modifiers) ? "static" : "private")
                    + " method has no effect: Spring's proxies intercept public instance methods only");
        }
        requireSynchronous(method, where, annotation);
        if (expression != null && !marked.isEmpty()) {
            throw new IllegalArgumentException(where + ": @KeyExpression and @CacheKey cannot be combined; the"
                    + " expression alone makes the key");
        }
        if (cached != null) {
            return cached(method, where, cached, key(method, where, expression, marked));
        }
        String name = requireName(invalidate.name(), "@CacheInvalidate", where);
        if (invalidate.allEntries() && (expression != null || !marked.isEmpty())) {
            throw new IllegalArgumentException(where + ": " + (expression != null ? "@KeyExpression" : "@CacheKey")
                    + " has no effect: @CacheInvalidate(allEntries = true) removes every entry");
        }
        MethodOperation.Invalidate operation = new MethodOperation.Invalidate(
                method, where, name, invalidate.allEntries(), key(method, where, expression, marked));
        invalidations.add(operation);
        return operation;
    }

    private MethodOperation.Cached cached(Method method, String where, Cached cached, MethodKey key) {
        String name = requireName(cached.name(), "@Cached", where);
        Class<?> returnType = method.getReturnType();
        if (returnType == void.class || returnType == Void.class) {
            throw new IllegalArgumentException(where + ": @Cached on a method that returns "
                    + returnType.getSimpleName() + " has nothing to cache; return the value, or use @CacheInvalidate");
        }
        long maximumSize = cached.maximumSize();
        if (maximumSize < Cached.UNBOUNDED) {
            throw new IllegalArgumentException(where + ": @Cached(maximumSize = " + maximumSize
                    + ") must be zero or more, or Cached.UNBOUNDED (-1) for no bound");
        }
        OptionalLong size = maximumSize == Cached.UNBOUNDED ? OptionalLong.empty() : OptionalLong.of(maximumSize);
        Optional<Duration> expireAfterWrite = duration(cached.expireAfterWrite(), "expireAfterWrite", where);
        Optional<Duration> expireAfterAccess = duration(cached.expireAfterAccess(), "expireAfterAccess", where);
        Optional<Duration> cacheNulls = duration(cached.cacheNulls(), "cacheNulls", where);
        if (cacheNulls.isPresent() && cacheNulls.get().isZero()) {
            throw new IllegalArgumentException(
                    where + ": @Cached(cacheNulls = \"" + cached.cacheNulls() + "\") must be positive");
        }
        Optional<Expiry<Object, Object>> expiry = expiry(cached.expiry(), where);
        if (expiry.isPresent() && (expireAfterWrite.isPresent() || expireAfterAccess.isPresent())) {
            throw new IllegalArgumentException(
                    where + ": @Cached(expiry = " + cached.expiry().getSimpleName()
                            + ".class) cannot be combined with "
                            + (expireAfterWrite.isPresent() ? "expireAfterWrite" : "expireAfterAccess")
                            + ": the Expiry decides each entry's lifetime");
        }
        Optional<Duration> staleIfError = duration(cached.staleIfError(), "staleIfError", where);
        if (staleIfError.isPresent()
                && (staleIfError.get().isZero() || staleIfError.get().isNegative())) {
            throw new IllegalArgumentException(
                    where + ": @Cached(staleIfError = \"" + cached.staleIfError() + "\") must be positive");
        }
        if (staleIfError.isPresent() && expireAfterWrite.isEmpty() && expiry.isEmpty()) {
            throw new IllegalArgumentException(where + ": @Cached(staleIfError = \"" + cached.staleIfError()
                    + "\") needs expireAfterWrite or expiry: a value must expire before it can be stale");
        }
        Optional<Duration> refreshAfterWrite = duration(cached.refreshAfterWrite(), "refreshAfterWrite", where);
        if (refreshAfterWrite.isPresent()
                && (refreshAfterWrite.get().isZero() || refreshAfterWrite.get().isNegative())) {
            throw new IllegalArgumentException(
                    where + ": @Cached(refreshAfterWrite = \"" + cached.refreshAfterWrite() + "\") must be positive");
        }
        if (refreshAfterWrite.isPresent()
                && expireAfterWrite.isPresent()
                && refreshAfterWrite.get().compareTo(expireAfterWrite.get()) >= 0) {
            throw new IllegalArgumentException(where + ": @Cached(refreshAfterWrite = \"" + cached.refreshAfterWrite()
                    + "\") must be shorter than expireAfterWrite = \"" + cached.expireAfterWrite()
                    + "\": a value would expire before its refresh");
        }
        Cache<Object, Object> cache = cache(
                name,
                where,
                size,
                expireAfterWrite,
                expireAfterAccess,
                cacheNulls,
                expiry,
                staleIfError,
                refreshAfterWrite);
        MethodOperation.ResultKind result =
                returnType == Optional.class ? MethodOperation.ResultKind.OPTIONAL : MethodOperation.ResultKind.VALUE;
        return new MethodOperation.Cached(method, where, cache, key, result);
    }

    /**
     * Finds the cache when the annotation gives no settings and the cache exists (declared in properties, say), else
     * builds it with the annotation's settings, or finds it if registered with the same ones.
     */
    @SuppressWarnings("unchecked") // caches of annotated methods hold whatever the methods return
    private Cache<Object, Object> cache(
            String name,
            String where,
            OptionalLong maximumSize,
            Optional<Duration> expireAfterWrite,
            Optional<Duration> expireAfterAccess,
            Optional<Duration> cacheNulls,
            Optional<Expiry<Object, Object>> expiry,
            Optional<Duration> staleIfError,
            Optional<Duration> refreshAfterWrite) {
        CacheFactory caches = factory.getObject();
        DeclaredCaches declared = declaredCaches.getIfAvailable();
        boolean settings = maximumSize.isPresent()
                || expireAfterWrite.isPresent()
                || expireAfterAccess.isPresent()
                || cacheNulls.isPresent()
                || expiry.isPresent()
                || staleIfError.isPresent()
                || refreshAfterWrite.isPresent();
        if (!settings) {
            Optional<Cache<?, ?>> registered = caches.registry().find(name);
            if (registered.isPresent()) {
                return (Cache<Object, Object>) registered.get();
            }
        }
        try {
            return caches.annotated(
                    name,
                    maximumSize,
                    expireAfterWrite,
                    expireAfterAccess,
                    cacheNulls,
                    expiry,
                    staleIfError,
                    refreshAfterWrite);
        } catch (IllegalStateException e) {
            String hint = declared != null && declared.names().contains(name)
                    ? "; the cache is declared in " + CacheFactory.property(name, "*")
                            + ": give its settings there only, and none in the annotation"
                    : "";
            throw new IllegalStateException(where + ": " + e.getMessage() + hint, e);
        }
    }

    @SuppressWarnings("unchecked") // an Expiry named in an annotation takes whatever the method's keys and values are
    private static Optional<Expiry<Object, Object>> expiry(Class<?> named, String where) {
        return AnnotatedInstances.of(named, Expiry.class, "@Cached(expiry", where)
                .map(e -> (Expiry<Object, Object>) e);
    }

    private MethodKey key(Method method, String where, @Nullable KeyExpression expression, List<Integer> marked) {
        if (expression != null) {
            String text = expression.value();
            if (text.isBlank()) {
                throw new IllegalArgumentException(where + ": @KeyExpression(\"" + text + "\") must not be blank");
            }
            Expression parsed;
            try {
                parsed = PARSER.parseExpression(text);
            } catch (ParseException e) {
                throw new IllegalArgumentException(
                        where + ": @KeyExpression(\"" + text + "\") is not valid SpEL: " + e.getMessage(), e);
            }
            return new MethodKey.Spel(method, where, text, parsed, parameterNames);
        }
        List<Integer> parameters = marked.isEmpty()
                ? IntStream.range(0, method.getParameterCount()).boxed().toList()
                : marked;
        return new MethodKey.Arguments(parameters);
    }

    /** Rejects asynchronous and reactive results, whose values the advice would otherwise cache as objects. */
    private static void requireSynchronous(Method method, String where, String annotation) {
        Class<?> type = method.getReturnType();
        boolean asynchronous =
                Future.class.isAssignableFrom(type) || CompletionStage.class.isAssignableFrom(type) || isReactive(type);
        if (asynchronous) {
            throw new IllegalArgumentException(where + ": " + annotation + " on a method that returns "
                    + type.getName() + " is not supported on Spring beans; return the value itself, or use"
                    + " Cachet.proxy, which supports CompletableFuture and CompletionStage");
        }
    }

    private static boolean isReactive(Class<?> type) {
        for (Class<?> candidate : ClassUtils.getAllInterfacesForClassAsSet(type)) {
            if (candidate.getName().equals("org.reactivestreams.Publisher")) {
                return true;
            }
        }
        return type.getName().equals("org.reactivestreams.Publisher");
    }

    private static String requireName(String name, String annotation, String where) {
        if (name.isBlank()) {
            throw new IllegalArgumentException(
                    where + ": " + annotation + "(name = \"" + name + "\") must name a cache, not be blank");
        }
        return name;
    }

    private static Optional<Duration> duration(String value, String attribute, String where) {
        try {
            return Durations.parseOptional(value); // the same rules as Cachet.proxy
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": @Cached(" + attribute + " = \"" + value + "\") is invalid: " + e.getMessage(), e);
        }
    }

    private static String parameter(Method method, int index) {
        return "parameter " + (index + 1) + " (" + method.getParameterTypes()[index].getSimpleName() + ")";
    }

    /** Returns the method as messages name it: {@code PriceService.price(String)}, with the bean's class. */
    private static String describe(Method method, Class<?> targetClass) {
        return ClassUtils.getUserClass(targetClass).getSimpleName() + "." + method.getName()
                + Arrays.stream(method.getParameterTypes())
                        .map(Class::getSimpleName)
                        .collect(Collectors.joining(", ", "(", ")"));
    }
}
