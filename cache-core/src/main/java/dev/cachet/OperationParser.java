package dev.cachet;

import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.CacheKey;
import dev.cachet.annotation.Cached;
import dev.cachet.internal.method.AnnotatedInstances;
import dev.cachet.internal.method.Durations;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Reads an interface's caching annotations into an {@link InterfaceModel}, once per interface, and rejects every
 * mistake then: {@link IllegalArgumentException} for a bad value, {@link IllegalStateException} for a conflict, each
 * message naming the method and the value. Methods are read in a fixed order (by name, then parameter types), so the
 * same mistake always gets the same message. Thread-safe.
 */
final class OperationParser {
    private static final ClassValue<InterfaceModel> MODELS = new ClassValue<>() {
        @Override
        protected InterfaceModel computeValue(Class<?> type) {
            return parse(type);
        }
    };

    private OperationParser() {}

    /**
     * Returns the model of {@code type}, parsing it on first use; an interface that fails to parse is parsed (and
     * fails) again next time.
     */
    static InterfaceModel modelOf(Class<?> type) {
        return MODELS.get(type);
    }

    /** A {@code @Cached} method before the caches' sharing is known. */
    private record PendingCached(
            Method method, String description, CacheSettings settings, List<Integer> keys, ResultKind result) {}

    /** Parses {@code type} without remembering the result. */
    static InterfaceModel parse(Class<?> type) {
        if (!type.isInterface() || type.isAnnotation()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface: Cachet.proxy proxies interfaces"
                    + " only; declare the methods to cache in an interface that the target implements");
        }
        if (type.isSealed()) {
            throw new IllegalArgumentException(type.getName() + " is sealed: a proxy cannot implement it");
        }
        List<Method> methods = Arrays.stream(type.getMethods())
                .sorted(Comparator.comparing(OperationParser::identity))
                .toList();
        Map<Method, Operation> operations = new HashMap<>();
        Map<String, List<PendingCached>> cachedByName = new LinkedHashMap<>();
        List<Method> invalidating = new ArrayList<>();
        for (Method method : methods) {
            method.trySetAccessible(); // a package-private interface's methods are called through reflection
            String where = describe(method);
            Cached cached = method.getAnnotation(Cached.class);
            CacheInvalidate invalidate = method.getAnnotation(CacheInvalidate.class);
            List<Integer> marked = markedKeyParameters(method);
            if (cached != null && invalidate != null) {
                throw new IllegalStateException(
                        where + ": @Cached and @CacheInvalidate cannot be combined on one method");
            }
            if ((cached != null || invalidate != null) && Modifier.isStatic(method.getModifiers())) {
                throw new IllegalArgumentException(where + ": @" + (cached != null ? "Cached" : "CacheInvalidate")
                        + " on a static method has no effect: a proxy intercepts instance methods only");
            }
            if (cached != null) {
                PendingCached pending = pendingCached(method, where, cached, marked);
                List<PendingCached> sharing =
                        cachedByName.computeIfAbsent(pending.settings().name(), name -> new ArrayList<>());
                // A method without settings takes the cache as the others (or the registry) define it.
                Optional<PendingCached> defining = sharing.stream()
                        .filter(other -> other.settings().hasSettings())
                        .findFirst();
                if (pending.settings().hasSettings()
                        && defining.isPresent()
                        && !defining.get().settings().equals(pending.settings())) {
                    PendingCached first = defining.get();
                    throw new IllegalStateException(where + ": " + pending.settings() + " conflicts with "
                            + first.description() + ": " + first.settings()
                            + "; methods that share a cache and give it settings must give the same ones");
                }
                sharing.add(pending);
            } else if (invalidate != null) {
                invalidating.add(method);
            } else {
                if (!marked.isEmpty()) {
                    throw new IllegalArgumentException(where + ": @CacheKey on " + parameter(method, marked.get(0))
                            + " has no effect: the method has neither @Cached nor @CacheInvalidate");
                }
                operations.put(method, new DirectCall(method, where));
            }
        }

        Map<String, CachedOperation> caches = new HashMap<>();
        Map<String, List<CachedOperation>> cachedOperations = new HashMap<>();
        cachedByName.forEach((name, sharing) -> {
            List<CachedOperation> sharingOperations = new ArrayList<>();
            for (PendingCached pending : sharing) {
                Optional<String> prefix =
                        sharing.size() > 1 ? Optional.of(identity(pending.method())) : Optional.empty();
                CachedOperation operation = new CachedOperation(
                        pending.method(),
                        pending.description(),
                        pending.settings(),
                        pending.keys(),
                        prefix,
                        pending.result());
                operations.put(pending.method(), operation);
                sharingOperations.add(operation);
            }
            // The cache is known by the first method that gives it settings: they build it if none is registered.
            caches.put(
                    name,
                    sharingOperations.stream()
                            .filter(operation -> operation.cache().hasSettings())
                            .findFirst()
                            .orElse(sharingOperations.get(0)));
            cachedOperations.put(name, List.copyOf(sharingOperations));
        });

        Map<String, InvalidateOperation> externalCaches = new HashMap<>();
        for (Method method : invalidating) {
            InvalidateOperation operation = invalidateOperation(method, cachedOperations);
            operations.put(method, operation);
            if (!caches.containsKey(operation.cacheName())) {
                externalCaches.putIfAbsent(operation.cacheName(), operation);
            }
        }
        return new InterfaceModel(type, operations, caches, externalCaches);
    }

    private static PendingCached pendingCached(Method method, String where, Cached cached, List<Integer> marked) {
        String name = requireName(cached.name(), "@Cached", where);
        Class<?> returnType = method.getReturnType();
        if (returnType == void.class || returnType == Void.class || returnsFutureOfVoid(method)) {
            throw new IllegalArgumentException(where + ": @Cached on a method that returns "
                    + method.getGenericReturnType().getTypeName()
                    + " has nothing to cache; return the value, or use @CacheInvalidate");
        }
        requireSupportedFuture(method, where, "@Cached");
        long maximumSize = cached.maximumSize();
        if (maximumSize < Cached.UNBOUNDED) {
            throw new IllegalArgumentException(where + ": @Cached(maximumSize = " + maximumSize
                    + ") must be zero or more, or Cached.UNBOUNDED (-1) for no bound");
        }
        Optional<Duration> expireAfterWrite = duration(cached.expireAfterWrite(), "expireAfterWrite", where);
        Optional<Duration> expireAfterAccess = duration(cached.expireAfterAccess(), "expireAfterAccess", where);
        Optional<Expiry<Object, Object>> expiry = expiry(cached.expiry(), where);
        if (expiry.isPresent() && (expireAfterWrite.isPresent() || expireAfterAccess.isPresent())) {
            throw new IllegalArgumentException(
                    where + ": @Cached(expiry = " + cached.expiry().getSimpleName()
                            + ".class) cannot be combined with "
                            + (expireAfterWrite.isPresent() ? "expireAfterWrite" : "expireAfterAccess")
                            + ": the Expiry decides each entry's lifetime");
        }
        Optional<Duration> staleIfError = positiveDuration(cached.staleIfError(), "staleIfError", where);
        if (staleIfError.isPresent() && expireAfterWrite.isEmpty() && expiry.isEmpty()) {
            throw new IllegalArgumentException(where + ": @Cached(staleIfError = \"" + cached.staleIfError()
                    + "\") needs expireAfterWrite or expiry: a value must expire before it can be stale");
        }
        Optional<Duration> refreshAfterWrite = positiveDuration(cached.refreshAfterWrite(), "refreshAfterWrite", where);
        if (refreshAfterWrite.isPresent()
                && expireAfterWrite.isPresent()
                && refreshAfterWrite.get().compareTo(expireAfterWrite.get()) >= 0) {
            throw new IllegalArgumentException(where + ": @Cached(refreshAfterWrite = \"" + cached.refreshAfterWrite()
                    + "\") must be shorter than expireAfterWrite = \"" + cached.expireAfterWrite()
                    + "\": a value would expire before its refresh");
        }
        CacheSettings settings = new CacheSettings(
                name,
                maximumSize == Cached.UNBOUNDED ? OptionalLong.empty() : OptionalLong.of(maximumSize),
                expireAfterWrite,
                expireAfterAccess,
                positiveDuration(cached.cacheNulls(), "cacheNulls", where),
                expiry,
                staleIfError,
                refreshAfterWrite);
        return new PendingCached(method, where, settings, keyParameters(method, marked), ResultKind.of(returnType));
    }

    @SuppressWarnings("unchecked") // an Expiry named in an annotation takes whatever the method's keys and values are
    private static Optional<Expiry<Object, Object>> expiry(Class<?> named, String where) {
        return AnnotatedInstances.of(named, Expiry.class, "@Cached(expiry", where)
                .map(e -> (Expiry<Object, Object>) e);
    }

    private static InvalidateOperation invalidateOperation(
            Method method, Map<String, List<CachedOperation>> cachedOperations) {
        String where = describe(method);
        CacheInvalidate invalidate = method.getAnnotation(CacheInvalidate.class);
        String name = requireName(invalidate.name(), "@CacheInvalidate", where);
        requireSupportedFuture(method, where, "@CacheInvalidate");
        List<Integer> marked = markedKeyParameters(method);
        if (invalidate.allEntries() && !marked.isEmpty()) {
            throw new IllegalArgumentException(where + ": @CacheKey on " + parameter(method, marked.get(0))
                    + " has no effect: @CacheInvalidate(allEntries = true) removes every entry");
        }
        List<Integer> keys = invalidate.allEntries() ? List.of() : keyParameters(method, marked);
        List<CachedOperation> sharing = cachedOperations.getOrDefault(name, List.of());
        if (!invalidate.allEntries() && !sharing.isEmpty()) {
            List<Class<?>> keyTypes = keyTypes(method, keys);
            boolean matches = sharing.stream()
                    .anyMatch(cached -> compatible(keyTypes, keyTypes(cached.method(), cached.keyParameters())));
            if (!matches) {
                throw new IllegalArgumentException(where + ": its key " + typeList(keyTypes)
                        + " matches the key of no @Cached method of cache '" + name + "' ("
                        + sharing.stream()
                                .map(cached -> cached.description() + " is keyed by "
                                        + typeList(keyTypes(cached.method(), cached.keyParameters())))
                                .collect(Collectors.joining("; "))
                        + "); select the same parameters with @CacheKey");
            }
        }
        List<String> prefixes = sharing.stream()
                .map(CachedOperation::keyPrefix)
                .flatMap(Optional::stream)
                .toList();
        return new InvalidateOperation(
                method,
                where,
                name,
                invalidate.allEntries(),
                keys,
                prefixes,
                ResultKind.of(method.getReturnType()) == ResultKind.FUTURE);
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
            return Durations.parseOptional(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": @Cached(" + attribute + " = \"" + value + "\") is invalid: " + e.getMessage(), e);
        }
    }

    private static Optional<Duration> positiveDuration(String value, String attribute, String where) {
        Optional<Duration> duration = duration(value, attribute, where);
        if (duration.isPresent() && (duration.get().isZero() || duration.get().isNegative())) {
            throw new IllegalArgumentException(
                    where + ": @Cached(" + attribute + " = \"" + value + "\") must be positive");
        }
        return duration;
    }

    /** Rejects asynchronous return types whose completion the proxy cannot follow or reproduce. */
    private static void requireSupportedFuture(Method method, String where, String annotation) {
        Class<?> returnType = method.getReturnType();
        boolean asynchronous =
                Future.class.isAssignableFrom(returnType) || CompletionStage.class.isAssignableFrom(returnType);
        if (asynchronous && returnType != CompletableFuture.class && returnType != CompletionStage.class) {
            throw new IllegalArgumentException(where + ": " + annotation + " on a method that returns "
                    + returnType.getName() + " is not supported; of the asynchronous types, declare"
                    + " CompletableFuture or CompletionStage");
        }
    }

    private static boolean returnsFutureOfVoid(Method method) {
        return ResultKind.of(method.getReturnType()) == ResultKind.FUTURE
                && method.getGenericReturnType() instanceof ParameterizedType future
                && future.getActualTypeArguments()[0] == Void.class;
    }

    private static List<Integer> markedKeyParameters(Method method) {
        Parameter[] parameters = method.getParameters();
        return IntStream.range(0, parameters.length)
                .filter(i -> parameters[i].isAnnotationPresent(CacheKey.class))
                .boxed()
                .toList();
    }

    private static List<Integer> keyParameters(Method method, List<Integer> marked) {
        return marked.isEmpty()
                ? IntStream.range(0, method.getParameterCount()).boxed().toList()
                : marked;
    }

    private static List<Class<?>> keyTypes(Method method, List<Integer> keys) {
        Class<?>[] types = method.getParameterTypes();
        return keys.stream().<Class<?>>map(i -> boxed(types[i])).toList();
    }

    /** Whether two key signatures can produce equal keys: same length, each pair of types related. */
    private static boolean compatible(List<Class<?>> a, List<Class<?>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isAssignableFrom(b.get(i)) && !b.get(i).isAssignableFrom(a.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return switch (type.getName()) {
            case "boolean" -> Boolean.class;
            case "byte" -> Byte.class;
            case "short" -> Short.class;
            case "char" -> Character.class;
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "float" -> Float.class;
            case "double" -> Double.class;
            default -> type;
        };
    }

    private static String typeList(List<Class<?>> types) {
        return types.stream().map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String parameter(Method method, int index) {
        return "parameter " + (index + 1) + " (" + method.getParameterTypes()[index].getSimpleName() + ")";
    }

    /** Returns the method as messages name it: {@code PriceService.price(String, Currency)}. */
    static String describe(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName()
                + Arrays.stream(method.getParameterTypes())
                        .map(Class::getSimpleName)
                        .collect(Collectors.joining(", ", "(", ")"));
    }

    /** Returns the method's identity with fully qualified names: the key prefix of a shared cache. */
    static String identity(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName()
                + Arrays.stream(method.getParameterTypes())
                        .map(Class::getTypeName)
                        .collect(Collectors.joining(",", "(", ")"));
    }
}
