package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.method.MemoKey;
import dev.cachet.internal.remote.DefaultKeyEncoder;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a caching proxy sees a registered cache with a remote tier (remote-only or near): the keys the proxy makes from a
 * call's arguments ({@link ArgumentKeys}) become keys the tier's key encoder takes. A key of one argument is passed as
 * it is, so the proxy and the programmatic API share the entry of {@code "AAPL"}; a key of no argument, several
 * arguments, a {@code null} argument or a method that shares its cache becomes one string made of the encoder's form of
 * each argument, length-prefixed so that different keys stay different:
 *
 * <pre>
 * cachet:[m&lt;length&gt;:&lt;method&gt;]a&lt;count&gt;{|&lt;length&gt;:&lt;encoded argument&gt; or |- for null}
 * cachet:a2|6:s:AAPL|5:s:EUR          price("AAPL", "EUR")
 * </pre>
 *
 * <p>Such a string could only meet a key of the programmatic API that is itself a string of this form. A key the
 * encoder refuses fails the call with an {@link IllegalArgumentException} that names the cache and the key's type,
 * before the cache is touched. Every other operation is the cache's own. Thread-safe.
 */
final class RemoteKeyedCache extends CacheView<Object, Object> {
    /** The classes whose instances {@link DefaultKeyEncoder} encodes, enums aside. */
    private static final List<Class<?>> DEFAULT_ENCODABLE = List.of(
            String.class,
            Integer.class,
            Long.class,
            Short.class,
            Byte.class,
            Double.class,
            Float.class,
            BigInteger.class,
            BigDecimal.class,
            Boolean.class,
            Character.class,
            UUID.class);

    private final Cache<Object, Object> cache;
    private final Function<Object, String> encoder;
    private final boolean defaultEncoder;

    /**
     * Views {@code cache} through the key encoder of its remote tier.
     *
     * @param encoder the encoder the remote tier was configured with, or null for {@link DefaultKeyEncoder}
     */
    RemoteKeyedCache(Cache<Object, Object> cache, @Nullable Function<Object, String> encoder) {
        super(cache);
        this.cache = cache;
        this.defaultEncoder = encoder == null;
        this.encoder = encoder == null ? DefaultKeyEncoder::encode : encoder;
    }

    /**
     * Whether the tier encodes keys with {@link DefaultKeyEncoder}, whose types are known in advance (see {@link
     * #defaultEncoderMayTake}); a configured encoder is known only by what it does.
     */
    boolean hasDefaultEncoder() {
        return defaultEncoder;
    }

    /**
     * Whether a key parameter declared as {@code type} can hold a value that {@link DefaultKeyEncoder} encodes: it is
     * one of the encoder's types, an enum, a supertype of one of them ({@code Object}, {@code Number}, {@code
     * CharSequence}...), or an interface an enum may implement. Arrays, collections and maps never can: the proxy
     * keys them by their contents, as lists, sets and maps.
     */
    static boolean defaultEncoderMayTake(Class<?> type) {
        if (type.isArray() || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)) {
            return false;
        }
        if (type.isEnum() || type.isInterface() || type == Enum.class) {
            return true;
        }
        return DEFAULT_ENCODABLE.stream().anyMatch(type::isAssignableFrom);
    }

    /** Returns the types {@link DefaultKeyEncoder} encodes, as messages list them. */
    static String defaultEncodableTypes() {
        StringBuilder types = new StringBuilder();
        DEFAULT_ENCODABLE.forEach(type -> types.append(type.getSimpleName()).append(", "));
        return types.append("enums").toString();
    }

    /** Returns the key the cache is given for the proxy's {@code key}. */
    Object remoteKey(Object key) {
        if (key instanceof ArgumentKeys.Prefixed prefixed) {
            return composite(prefixed.method(), arguments(prefixed.arguments()));
        }
        if (key == ArgumentKeys.NoArguments.KEY || key == MemoKey.NULL || key instanceof List<?>) {
            return composite(null, arguments(key));
        }
        encode(key); // fails here, naming the cache, rather than deep in the tier
        return key;
    }

    private static List<?> arguments(Object key) {
        if (key == ArgumentKeys.NoArguments.KEY) {
            return List.of();
        }
        return key instanceof List<?> list ? list : List.of(key);
    }

    private String composite(@Nullable String method, List<?> arguments) {
        StringBuilder text = new StringBuilder("cachet:");
        if (method != null) {
            text.append('m').append(method.length()).append(':').append(method);
        }
        text.append('a').append(arguments.size());
        for (Object argument : arguments) {
            if (argument == MemoKey.NULL) {
                text.append("|-");
            } else {
                String encoded = encode(argument);
                text.append('|').append(encoded.length()).append(':').append(encoded);
            }
        }
        return text.toString();
    }

    private String encode(Object argument) {
        String encoded;
        try {
            encoded = encoder.apply(argument);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cache '" + cache.name() + "' has a remote tier whose key encoder cannot encode a key argument of"
                            + " type " + argument.getClass().getName() + ": " + e.getMessage() + "; select other"
                            + " parameters with @CacheKey, or give the cache a key encoder that takes this type",
                    e);
        }
        if (encoded == null) {
            throw new IllegalArgumentException("cache '" + cache.name() + "' has a remote tier whose key encoder"
                    + " returned null for a key argument of type "
                    + argument.getClass().getName());
        }
        return encoded;
    }

    @Override
    public @Nullable Object get(Object key, Function<? super Object, ? extends @Nullable Object> loader) {
        requireNonNull(loader, "loader");
        return cache.get(remoteKey(requireNonNull(key, "key")), remote -> loader.apply(key));
    }

    @Override
    public @Nullable Object getIfPresent(Object key) {
        return cache.getIfPresent(remoteKey(requireNonNull(key, "key")));
    }

    @Override
    public Map<Object, Object> getAllPresent(Iterable<?> keys) {
        Map<Object, Object> byRemoteKey = new LinkedHashMap<>();
        for (Object key : requireNonNull(keys, "keys")) {
            byRemoteKey.put(remoteKey(requireNonNull(key, "key")), key);
        }
        Map<Object, Object> result = new LinkedHashMap<>();
        cache.getAllPresent(byRemoteKey.keySet())
                .forEach((remote, value) -> result.put(byRemoteKey.get(remote), value));
        return Collections.unmodifiableMap(result);
    }

    @Override
    public Map<Object, Object> getAll(
            Iterable<?> keys,
            Function<? super Set<? extends Object>, ? extends Map<? extends Object, ? extends Object>> bulkLoader) {
        requireNonNull(bulkLoader, "bulkLoader");
        Map<Object, Object> byRemoteKey = new LinkedHashMap<>();
        for (Object key : requireNonNull(keys, "keys")) {
            byRemoteKey.put(remoteKey(requireNonNull(key, "key")), key);
        }
        Map<Object, Object> loaded = cache.getAll(byRemoteKey.keySet(), remoteKeys -> {
            Set<Object> wanted = new LinkedHashSet<>();
            remoteKeys.forEach(remote -> wanted.add(byRemoteKey.get(remote)));
            Map<Object, Object> values = new LinkedHashMap<>();
            bulkLoader.apply(wanted).forEach((key, value) -> values.put(remoteKey(key), value));
            return values;
        });
        Map<Object, Object> result = new LinkedHashMap<>();
        loaded.forEach((remote, value) -> {
            Object key = byRemoteKey.get(remote);
            if (key != null) {
                result.put(key, value);
            }
        });
        return Collections.unmodifiableMap(result);
    }

    @Override
    public void put(Object key, Object value) {
        cache.put(remoteKey(requireNonNull(key, "key")), value);
    }

    @Override
    public void put(Object key, Object value, Duration ttl) {
        cache.put(remoteKey(requireNonNull(key, "key")), value, ttl);
    }

    @Override
    public void putAll(Map<? extends Object, ? extends Object> entries) {
        Map<Object, Object> byRemoteKey = new LinkedHashMap<>();
        requireNonNull(entries, "entries")
                .forEach((key, value) -> byRemoteKey.put(remoteKey(requireNonNull(key, "key")), value));
        cache.putAll(byRemoteKey);
    }

    @Override
    public void invalidate(Object key) {
        cache.invalidate(remoteKey(requireNonNull(key, "key")));
    }

    @Override
    public void invalidateAll(Iterable<?> keys) {
        List<Object> remoteKeys = new ArrayList<>();
        for (Object key : requireNonNull(keys, "keys")) {
            remoteKeys.add(remoteKey(requireNonNull(key, "key")));
        }
        cache.invalidateAll(remoteKeys);
    }
}
