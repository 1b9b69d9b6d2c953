package dev.cachet.internal.copy;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The defensive copy behind {@code Copier.defensive()}: shares immutable values and deep-copies the mutable JDK types
 * it knows, rejecting everything else. A plain function, so that this package needs nothing from {@code dev.cachet}.
 *
 * <p>Values that {@link Immutability} finds immutable are returned as they are. Otherwise the value is copied into
 * the same kind of object, and every element, key, value or component in it is copied by the same rules:
 *
 * <ul>
 *   <li>arrays, keeping their exact array type ({@code Integer[]} stays {@code Integer[]}); null elements stay null;
 *   <li>{@code ArrayList}, {@code LinkedList}, {@code ArrayDeque}, {@code Vector}, {@code CopyOnWriteArrayList},
 *       {@code CopyOnWriteArraySet}, {@code HashSet}, {@code LinkedHashSet}, {@code HashMap}, {@code
 *       ConcurrentHashMap}, {@code EnumSet} and {@code EnumMap}, into a new instance of the same class;
 *   <li>{@code LinkedHashMap}, into one with the same iteration order; an access-ordered map becomes an
 *       insertion-ordered one holding the entries in their current order (the access-order flag is not readable);
 *   <li>{@code TreeMap}, {@code TreeSet}, {@code ConcurrentSkipListMap} and {@code ConcurrentSkipListSet}, keeping
 *       their comparator;
 *   <li>{@code java.util.Date} and the {@code java.sql} {@code Date}, {@code Time} and {@code Timestamp}, by cloning;
 *   <li>{@code Collections.unmodifiable*} views and {@code Arrays.asList} lists, into a new unmodifiable collection of
 *       the same interface over a fresh backing collection that nobody else holds (so an {@code Arrays.asList} list
 *       comes back unmodifiable);
 *   <li>the JDK's unmodifiable collections ({@code List.of}, {@code Map.entry}, {@code Collections.singletonList}, …)
 *       holding mutable values, into an unmodifiable collection of copies;
 *   <li>records, by calling the canonical constructor with copied components; {@code Optional}, into an {@code
 *       Optional} of the copied content.
 * </ul>
 *
 * <p>Any other class, including subclasses of the classes above, makes {@link #copy} throw an {@link
 * IllegalArgumentException} naming it and the way out. So do structures nested more than 64 levels deep, which is
 * how cyclic structures are caught.
 *
 * <p>Internal: not API. Thread-safe; stateless apart from a per-class cache of how to copy.
 */
public final class DefensiveCopy {
    private DefensiveCopy() {}

    /** Copies one value of a known class; {@code depth} is the value's nesting level. */
    @FunctionalInterface
    private interface Strategy {
        Object copy(Object value, int depth);
    }

    /** A class that cannot be copied; {@link #copyValue} turns it into an exception that names the container. */
    private static final class Rejection implements Strategy {
        private final String reason;

        Rejection(String reason) {
            this.reason = reason;
        }

        IllegalArgumentException exception(Class<?> type, Class<?> container) {
            return new IllegalArgumentException(
                    "cannot make a defensive copy of a value of type " + describe(type, container) + ": " + reason);
        }

        @Override
        public Object copy(Object value, int depth) {
            throw exception(value.getClass(), null);
        }
    }

    private static final Rejection UNKNOWN = new Rejection("it is not known to be immutable. If it is immutable, build"
            + " the cache with .copier(Copier.identity()); otherwise give a Copier (a copy method, or"
            + " Copier.serializing() for Serializable types)");

    private static final Set<String> JAVA_SQL_DATES = Set.of("java.sql.Date", "java.sql.Time", "java.sql.Timestamp");

    private static final Class<?> SINGLETON_LIST = Collections.singletonList(1).getClass();
    private static final Class<?> SINGLETON_SET = Collections.singleton(1).getClass();
    private static final Class<?> SINGLETON_MAP = Collections.singletonMap(1, 1).getClass();
    private static final Class<?> COPIES_LIST = Collections.nCopies(2, 1).getClass();

    /** How to copy each class with an exact-class strategy. */
    private static final Map<Class<?>, Strategy> BY_CLASS = strategiesByClass();

    private static final ClassValue<Strategy> STRATEGIES = new ClassValue<>() {
        @Override
        protected Strategy computeValue(Class<?> type) {
            return strategyFor(type);
        }
    };

    /**
     * Returns {@code value} if it is immutable, else a deep copy of it that shares no mutable state with it.
     *
     * @param value the value to copy, never null
     * @return {@code value} itself or its copy, never null
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value}, or something in it, is of a type this copier does not know,
     *     or if it is nested more than 64 levels deep or cyclic
     */
    public static Object copy(Object value) {
        return copyValue(Objects.requireNonNull(value, "value"), 0, null);
    }

    /** Copies {@code value} found at nesting level {@code depth} inside {@code container} (null at the top). */
    private static Object copyValue(Object value, int depth, Class<?> container) {
        if (Immutability.isImmutable(value, depth)) {
            return value; // also null, which has nothing to copy
        }
        if (depth > Immutability.MAX_DEPTH) {
            throw new IllegalArgumentException("cannot make a defensive copy of a value of type "
                    + describe(value.getClass(), container) + ": it is nested more than " + Immutability.MAX_DEPTH
                    + " levels deep or is cyclic (contains itself). Give the cache a Copier for this structure");
        }
        Strategy strategy = STRATEGIES.get(value.getClass());
        if (strategy instanceof Rejection rejection) {
            throw rejection.exception(value.getClass(), container);
        }
        return strategy.copy(value, depth);
    }

    /** Copies {@code child}, found in {@code parent} at nesting level {@code parentDepth}. */
    private static Object copyChild(Object child, int parentDepth, Object parent) {
        return copyValue(child, parentDepth + 1, parent.getClass());
    }

    private static String describe(Class<?> type, Class<?> container) {
        return type.getName() + (container == null ? "" : " (inside " + container.getName() + ")");
    }

    private static Strategy strategyFor(Class<?> type) {
        Strategy known = BY_CLASS.get(type);
        if (known != null) {
            return known;
        }
        if (type.isArray()) {
            return DefensiveCopy::copyObjectArray; // primitive arrays are in BY_CLASS
        }
        if (EnumSet.class.isAssignableFrom(type) && type.getModule() == Object.class.getModule()) {
            return (value, depth) -> ((EnumSet<?>) value).clone(); // enums need no copy
        }
        if (JAVA_SQL_DATES.contains(type.getName())
                && "java.sql".equals(type.getModule().getName())) {
            return DefensiveCopy::cloneDate;
        }
        if (type.isRecord()) {
            return recordStrategy(type);
        }
        if (Immutability.isJdkUnmodifiableContainer(type)) {
            return jdkUnmodifiableStrategy(type);
        }
        return UNKNOWN;
    }

    @SuppressWarnings("JdkObsolete") // LinkedList and Vector: we copy into whatever class the caller chose
    private static Map<Class<?>, Strategy> strategiesByClass() {
        Map<Class<?>, Strategy> byClass = new HashMap<>();
        byClass.put(boolean[].class, (value, depth) -> ((boolean[]) value).clone());
        byClass.put(byte[].class, (value, depth) -> ((byte[]) value).clone());
        byClass.put(short[].class, (value, depth) -> ((short[]) value).clone());
        byClass.put(char[].class, (value, depth) -> ((char[]) value).clone());
        byClass.put(int[].class, (value, depth) -> ((int[]) value).clone());
        byClass.put(long[].class, (value, depth) -> ((long[]) value).clone());
        byClass.put(float[].class, (value, depth) -> ((float[]) value).clone());
        byClass.put(double[].class, (value, depth) -> ((double[]) value).clone());

        byClass.put(ArrayList.class, (value, depth) -> copyElements(value, depth, new ArrayList<>(size(value))));
        byClass.put(LinkedList.class, (value, depth) -> copyElements(value, depth, new LinkedList<>()));
        byClass.put(ArrayDeque.class, (value, depth) -> copyElements(value, depth, new ArrayDeque<>(size(value))));
        byClass.put(Vector.class, (value, depth) -> copyElements(value, depth, new Vector<>(size(value))));
        byClass.put(
                CopyOnWriteArrayList.class,
                (value, depth) -> new CopyOnWriteArrayList<>(copyElements(value, depth, new ArrayList<>(size(value)))));
        byClass.put(
                CopyOnWriteArraySet.class,
                (value, depth) -> new CopyOnWriteArraySet<>(copyElements(value, depth, new ArrayList<>(size(value)))));
        byClass.put(HashSet.class, (value, depth) -> copyElements(value, depth, new HashSet<>(capacity(size(value)))));
        byClass.put(
                LinkedHashSet.class,
                (value, depth) -> copyElements(value, depth, new LinkedHashSet<>(capacity(size(value)))));
        byClass.put(
                TreeSet.class,
                (value, depth) -> copyElements(value, depth, new TreeSet<>(comparator((SortedSet<?>) value))));
        byClass.put(
                ConcurrentSkipListSet.class,
                (value, depth) ->
                        copyElements(value, depth, new ConcurrentSkipListSet<>(comparator((SortedSet<?>) value))));

        byClass.put(HashMap.class, (value, depth) -> copyEntries(value, depth, new HashMap<>(capacity(size(value)))));
        byClass.put(
                LinkedHashMap.class,
                (value, depth) -> copyEntries(value, depth, new LinkedHashMap<>(capacity(size(value)))));
        byClass.put(
                ConcurrentHashMap.class,
                (value, depth) -> copyEntries(value, depth, new ConcurrentHashMap<>(capacity(size(value)))));
        byClass.put(
                TreeMap.class,
                (value, depth) -> copyEntries(value, depth, new TreeMap<>(comparator((SortedMap<?, ?>) value))));
        byClass.put(
                ConcurrentSkipListMap.class,
                (value, depth) ->
                        copyEntries(value, depth, new ConcurrentSkipListMap<>(comparator((SortedMap<?, ?>) value))));
        byClass.put(EnumMap.class, (value, depth) -> copyEnumMap((EnumMap<?, ?>) value, depth));

        byClass.put(Date.class, DefensiveCopy::cloneDate);
        // Reached only when the content is mutable: an empty Optional, or one of immutable content, is shared.
        byClass.put(
                Optional.class,
                (value, depth) -> ((Optional<?>) value).map(content -> copyChild(content, depth, value)));

        // Views: the caller, or whoever gave it the view, may still change the backing collection, so copy into a
        // new backing collection that only the new view can reach.
        byClass.put(
                Collections.unmodifiableCollection(new ArrayList<>()).getClass(),
                (value, depth) ->
                        Collections.unmodifiableCollection(copyElements(value, depth, new ArrayList<>(size(value)))));
        Strategy randomAccessList = (value, depth) ->
                Collections.unmodifiableList(copyElements(value, depth, new ArrayList<>(size(value))));
        byClass.put(Collections.unmodifiableList(new ArrayList<>()).getClass(), randomAccessList);
        byClass.put(Arrays.asList().getClass(), randomAccessList);
        byClass.put(
                Collections.unmodifiableList(new LinkedList<>()).getClass(),
                (value, depth) -> Collections.unmodifiableList(copyElements(value, depth, new LinkedList<>())));
        byClass.put(
                Collections.unmodifiableSet(new HashSet<>()).getClass(),
                (value, depth) -> Collections.unmodifiableSet(
                        copyElements(value, depth, new LinkedHashSet<>(capacity(size(value))))));
        byClass.put(
                Collections.unmodifiableSortedSet(new TreeSet<>()).getClass(),
                (value, depth) -> Collections.unmodifiableSortedSet(
                        copyElements(value, depth, new TreeSet<>(comparator((SortedSet<?>) value)))));
        byClass.put(
                Collections.unmodifiableNavigableSet(new TreeSet<>()).getClass(),
                (value, depth) -> Collections.unmodifiableNavigableSet(
                        copyElements(value, depth, new TreeSet<>(comparator((SortedSet<?>) value)))));
        byClass.put(
                Collections.unmodifiableMap(new HashMap<>()).getClass(),
                (value, depth) -> Collections.unmodifiableMap(
                        copyEntries(value, depth, new LinkedHashMap<>(capacity(size(value))))));
        byClass.put(
                Collections.unmodifiableSortedMap(new TreeMap<>()).getClass(),
                (value, depth) -> Collections.unmodifiableSortedMap(
                        copyEntries(value, depth, new TreeMap<>(comparator((SortedMap<?, ?>) value)))));
        byClass.put(
                Collections.unmodifiableNavigableMap(new TreeMap<>()).getClass(),
                (value, depth) -> Collections.unmodifiableNavigableMap(
                        copyEntries(value, depth, new TreeMap<>(comparator((SortedMap<?, ?>) value)))));
        return byClass;
    }

    /**
     * For the JDK's unmodifiable collections that hold something mutable: an unmodifiable collection of copies, of
     * the same class where a factory gives it.
     */
    private static Strategy jdkUnmodifiableStrategy(Class<?> type) {
        if (type == SINGLETON_LIST) {
            return (value, depth) -> Collections.singletonList(copyChild(((List<?>) value).get(0), depth, value));
        }
        if (type == SINGLETON_SET) {
            return (value, depth) ->
                    Collections.singleton(copyChild(((Set<?>) value).iterator().next(), depth, value));
        }
        if (type == SINGLETON_MAP) {
            return (value, depth) -> {
                Map.Entry<?, ?> entry =
                        ((Map<?, ?>) value).entrySet().iterator().next();
                return Collections.singletonMap(
                        copyChild(entry.getKey(), depth, value), copyChild(entry.getValue(), depth, value));
            };
        }
        if (type == COPIES_LIST) {
            // One element repeated: copy it once, keeping the sharing.
            return (value, depth) -> {
                List<?> list = (List<?>) value;
                return Collections.nCopies(list.size(), copyChild(list.get(0), depth, value));
            };
        }
        if (List.class.isAssignableFrom(type)) {
            return (value, depth) -> {
                List<Object> copies = copyElements(value, depth, new ArrayList<>(size(value)));
                // Stream.toList() allows null elements, which List.copyOf does not.
                return copies.contains(null) ? Collections.unmodifiableList(copies) : List.copyOf(copies);
            };
        }
        if (Set.class.isAssignableFrom(type)) {
            return (value, depth) -> Set.copyOf(copyElements(value, depth, new ArrayList<>(size(value))));
        }
        if (Map.class.isAssignableFrom(type)) {
            return (value, depth) -> Map.copyOf(copyEntries(value, depth, new HashMap<>(capacity(size(value)))));
        }
        if (Map.Entry.class.isAssignableFrom(type)) {
            return (value, depth) -> {
                Map.Entry<?, ?> entry = (Map.Entry<?, ?>) value;
                return Map.entry(copyChild(entry.getKey(), depth, value), copyChild(entry.getValue(), depth, value));
            };
        }
        return UNKNOWN;
    }

    @SuppressWarnings("JavaUtilDate") // we copy the Dates that callers cache; we do not use the API ourselves
    private static Object cloneDate(Object value, int depth) {
        // Date.clone() keeps the class, and a Timestamp's nanos with it.
        return ((Date) value).clone();
    }

    private static Object copyObjectArray(Object value, int depth) {
        // clone() keeps the exact array type (String[][] stays String[][]); then replace each element by its copy.
        Object[] copy = ((Object[]) value).clone();
        for (int i = 0; i < copy.length; i++) {
            copy[i] = copyChild(copy[i], depth, value);
        }
        return copy;
    }

    private static <C extends Collection<Object>> C copyElements(Object source, int depth, C target) {
        for (Object element : (Collection<?>) source) {
            target.add(copyChild(element, depth, source));
        }
        return target;
    }

    private static <M extends Map<Object, Object>> M copyEntries(Object source, int depth, M target) {
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) source).entrySet()) {
            target.put(copyChild(entry.getKey(), depth, source), copyChild(entry.getValue(), depth, source));
        }
        return target;
    }

    private static <K extends Enum<K>> EnumMap<K, Object> copyEnumMap(EnumMap<K, ?> source, int depth) {
        // The copy constructor keeps the key type even when the map is empty; keys are enums and need no copy.
        EnumMap<K, Object> copy = new EnumMap<>(source);
        copy.replaceAll((key, value) -> copyChild(value, depth, source));
        return copy;
    }

    private static int size(Object collectionOrMap) {
        return collectionOrMap instanceof Map
                ? ((Map<?, ?>) collectionOrMap).size()
                : ((Collection<?>) collectionOrMap).size();
    }

    /** The initial capacity at which a hash table holds {@code size} entries without resizing. */
    private static int capacity(int size) {
        return (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(size / 0.75));
    }

    @SuppressWarnings("unchecked") // a sorted collection's comparator accepts all of its elements, which we copy
    private static Comparator<Object> comparator(SortedSet<?> set) {
        return (Comparator<Object>) set.comparator();
    }

    @SuppressWarnings("unchecked") // a sorted map's comparator accepts all of its keys, which we copy
    private static Comparator<Object> comparator(SortedMap<?, ?> map) {
        return (Comparator<Object>) map.comparator();
    }

    /**
     * Copies a record that holds something mutable by calling its canonical constructor with copied components.
     * Records in a module that does not open them to Cachet cannot be read reflectively and are rejected.
     */
    private static Strategy recordStrategy(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        Method[] accessors = new Method[components.length];
        Class<?>[] componentTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            accessors[i] = components[i].getAccessor();
            componentTypes[i] = components[i].getType();
        }
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor(componentTypes);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
        }
        boolean accessible = constructor.trySetAccessible();
        for (Method accessor : accessors) {
            accessible &= accessor.trySetAccessible();
        }
        if (!accessible) {
            return new Rejection("it is a record holding mutable values, and its module does not open it to Cachet"
                    + " for reflection. Open its package to Cachet, or give the cache a Copier (a copy method)");
        }
        return (value, depth) -> copyRecord(value, depth, accessors, constructor);
    }

    private static Object copyRecord(Object record, int depth, Method[] accessors, Constructor<?> constructor) {
        Object[] components = new Object[accessors.length];
        for (int i = 0; i < accessors.length; i++) {
            Object component;
            try {
                component = accessors[i].invoke(record);
            } catch (ReflectiveOperationException e) {
                throw recordFailure(record, "its accessor " + accessors[i].getName() + "() failed", e);
            }
            components[i] = copyChild(component, depth, record);
        }
        try {
            return constructor.newInstance(components);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            // IllegalArgumentException: a copy of another class than the component's (not expected).
            throw recordFailure(record, "its canonical constructor failed", e);
        }
    }

    private static IllegalArgumentException recordFailure(Object record, String what, Exception e) {
        Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
        return new IllegalArgumentException(
                "cannot make a defensive copy of a record of type "
                        + record.getClass().getName() + ": " + what + ": " + cause,
                cause);
    }
}
