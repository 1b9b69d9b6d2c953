package dev.cachet.internal.copy;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.format.DateTimeFormatter;
import java.time.format.DecimalStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides whether a value is immutable, so that copiers can share it instead of copying it.
 *
 * <p>A value is immutable if it is an instance of (exactly) {@code String}, a boxed primitive, {@code BigInteger},
 * {@code BigDecimal}, {@code UUID}, {@code Class}, {@code Locale}, {@code Currency}, {@code URI}, {@code Pattern},
 * {@code OptionalInt}, {@code OptionalLong} or {@code OptionalDouble}; an enum constant; a value class of {@code
 * java.time} (a final class of {@code java.time}, {@code java.time.chrono}, {@code java.time.temporal} or {@code
 * java.time.zone}, such as {@code LocalDate}, {@code ZoneId}s or the JDK's {@code Clock}s, plus {@code
 * DateTimeFormatter} and {@code DecimalStyle}); a zero-length array; or, if everything it contains is immutable too,
 * an {@code Optional}, a record, or one of the JDK's truly unmodifiable collections ({@code List.of}, {@code
 * Set.copyOf}, {@code Map.ofEntries}, {@code Map.entry}, {@code Stream.toList()}, {@code Collectors.toUnmodifiable*},
 * {@code Collections.emptyList()}, {@code Collections.singletonList(…)}, …). Everything else is reported as possibly
 * mutable, notably subclasses of the classes above, {@code Collections.unmodifiableList(…)} and the other
 * unmodifiable <em>views</em> (whoever holds the backing collection can still change them), and non-empty arrays.
 *
 * <p>What a class says about its instances is worked out once per class and cached, so asking about a {@code String}
 * costs one {@link ClassValue} lookup. Contents are checked on each call, to at most 64 levels of nesting; anything
 * deeper is reported as not immutable.
 *
 * <p>Internal: not API. Thread-safe; stateless apart from its per-class cache.
 */
public final class Immutability {

    /** Deepest level of nesting inspected (the value itself is level 0); deeper contents count as mutable. */
    static final int MAX_DEPTH = 64;

    /** What the class of a value says about the value. */
    enum Kind {
        /** Every instance is immutable. */
        ALWAYS,
        /** An instance is immutable if its contents are: decided per value. */
        CHECK_CONTENTS,
        /** Instances may be mutable. */
        NEVER
    }

    /** Checks the contents of a value whose class is {@link Kind#CHECK_CONTENTS}. */
    @FunctionalInterface
    private interface ContentCheck {
        /** Whether everything {@code value} (found at nesting level {@code depth}) holds is immutable. */
        boolean contentsImmutable(Object value, int depth);
    }

    /** The cached decision for one class. Not a record: compared by identity on the hot path. */
    private static final class Rule {
        final Kind kind;
        final ContentCheck check;

        Rule(Kind kind, ContentCheck check) {
            this.kind = kind;
            this.check = check;
        }
    }

    private static final Rule ALWAYS = new Rule(Kind.ALWAYS, (value, depth) -> true);
    private static final Rule NEVER = new Rule(Kind.NEVER, (value, depth) -> false);
    private static final Rule ZERO_LENGTH_ARRAY =
            new Rule(Kind.CHECK_CONTENTS, (value, depth) -> Array.getLength(value) == 0);
    private static final Rule OPTIONAL = new Rule(Kind.CHECK_CONTENTS, (value, depth) -> {
        Optional<?> optional = (Optional<?>) value;
        return optional.isEmpty() || isImmutable(optional.get(), depth + 1);
    });
    private static final Rule COLLECTION = new Rule(Kind.CHECK_CONTENTS, (value, depth) -> {
        for (Object element : (Collection<?>) value) {
            if (!isImmutable(element, depth + 1)) {
                return false;
            }
        }
        return true;
    });
    private static final Rule MAP = new Rule(Kind.CHECK_CONTENTS, (value, depth) -> {
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
            if (!isImmutable(entry.getKey(), depth + 1) || !isImmutable(entry.getValue(), depth + 1)) {
                return false;
            }
        }
        return true;
    });
    private static final Rule MAP_ENTRY = new Rule(Kind.CHECK_CONTENTS, (value, depth) -> {
        Map.Entry<?, ?> entry = (Map.Entry<?, ?>) value;
        return isImmutable(entry.getKey(), depth + 1) && isImmutable(entry.getValue(), depth + 1);
    });

    /** Exact classes whose instances are all immutable. Non-final ones (BigInteger) are safe only as exact classes. */
    private static final Set<Class<?>> IMMUTABLE_CLASSES = Set.of(
            String.class,
            Boolean.class,
            Character.class,
            Byte.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            BigInteger.class,
            BigDecimal.class,
            UUID.class,
            Class.class,
            Locale.class,
            Currency.class,
            URI.class,
            Pattern.class,
            OptionalInt.class,
            OptionalLong.class,
            OptionalDouble.class,
            DateTimeFormatter.class,
            DecimalStyle.class);

    /**
     * Packages of {@code java.time} in which every final class is an immutable value. Not {@code java.time.format}:
     * its {@code DateTimeFormatterBuilder} is final and mutable.
     */
    private static final Set<String> JAVA_TIME_PACKAGES =
            Set.of("java.time", "java.time.chrono", "java.time.temporal", "java.time.zone");

    /** Final classes in those packages that are not values (serialization proxies, a rules provider). */
    private static final Set<String> JAVA_TIME_EXCLUDED = Set.of(
            "java.time.Ser", "java.time.chrono.Ser", "java.time.zone.Ser", "java.time.zone.TzdbZoneRulesProvider");

    /**
     * The classes of the JDK's truly unmodifiable collections and entries. Their names are private to the JDK and
     * vary between releases, so they are found by calling the factories.
     */
    static final Set<Class<?>> JDK_UNMODIFIABLE_CONTAINERS = jdkUnmodifiableContainers();

    /** Records whose rule is being computed on this thread, so that a self-referencing record does not recurse. */
    private static final ThreadLocal<Set<Class<?>>> RECORDS_IN_ANALYSIS = ThreadLocal.withInitial(HashSet::new);

    private static final ClassValue<Rule> RULES = new ClassValue<>() {
        @Override
        protected Rule computeValue(Class<?> type) {
            return ruleFor(type);
        }
    };

    private Immutability() {}

    /**
     * Returns whether {@code value} is immutable: whether it can be shared rather than copied.
     *
     * @param value the value, never null
     * @return true if {@code value} and everything it holds is immutable; false if it may be mutable, or nests
     *     deeper than 64 levels
     * @throws NullPointerException if {@code value} is null
     */
    public static boolean isImmutable(Object value) {
        Rule rule = RULES.get(Objects.requireNonNull(value, "value").getClass());
        return rule.kind == Kind.ALWAYS || (rule.kind == Kind.CHECK_CONTENTS && rule.check.contentsImmutable(value, 0));
    }

    /**
     * Like {@link #isImmutable(Object)} for a value found at nesting level {@code depth}; null counts as immutable
     * (there is nothing in it to change).
     */
    static boolean isImmutable(Object value, int depth) {
        if (value == null) {
            return true;
        }
        Rule rule = RULES.get(value.getClass());
        if (rule.kind == Kind.ALWAYS) {
            return true;
        }
        return rule.kind == Kind.CHECK_CONTENTS && depth <= MAX_DEPTH && rule.check.contentsImmutable(value, depth);
    }

    /**
     * Returns true if every instance of {@code type} is immutable, whatever it holds (String, boxed primitives,
     * records of such components, ...): a cache that has seen such a value can skip the copier for its class.
     *
     * @throws NullPointerException if {@code type} is null
     */
    public static boolean isAlwaysImmutable(Class<?> type) {
        return RULES.get(Objects.requireNonNull(type, "type")).kind == Kind.ALWAYS;
    }

    /** Returns what {@code type} says about its instances (cached). */
    static Kind kindOf(Class<?> type) {
        return RULES.get(type).kind;
    }

    /** Returns whether {@code type} is the class of one of the JDK's truly unmodifiable collections or entries. */
    static boolean isJdkUnmodifiableContainer(Class<?> type) {
        return JDK_UNMODIFIABLE_CONTAINERS.contains(type);
    }

    private static Rule ruleFor(Class<?> type) {
        if (IMMUTABLE_CLASSES.contains(type) || Enum.class.isAssignableFrom(type) || isJavaTimeValue(type)) {
            return ALWAYS;
        }
        if (type.isArray()) {
            return ZERO_LENGTH_ARRAY;
        }
        if (type == Optional.class) {
            return OPTIONAL;
        }
        if (type.isRecord()) {
            return recordRule(type);
        }
        if (JDK_UNMODIFIABLE_CONTAINERS.contains(type)) {
            if (Map.class.isAssignableFrom(type)) {
                return MAP;
            }
            if (Collection.class.isAssignableFrom(type)) {
                return COLLECTION;
            }
            if (Map.Entry.class.isAssignableFrom(type)) {
                return MAP_ENTRY;
            }
        }
        return NEVER;
    }

    private static boolean isJavaTimeValue(Class<?> type) {
        return type.getModule() == Object.class.getModule()
                && JAVA_TIME_PACKAGES.contains(type.getPackageName())
                && Modifier.isFinal(type.getModifiers())
                // Lambdas (e.g. from TemporalAdjusters) are final hidden classes that may capture mutable state.
                && !type.isHidden()
                && !type.isSynthetic()
                && !Throwable.class.isAssignableFrom(type)
                && !JAVA_TIME_EXCLUDED.contains(type.getName());
    }

    /**
     * A record is immutable if its components are. Components of a primitive, enum, or final always-immutable type
     * need no check; the others (interfaces such as {@code List}, {@code Object}, non-final classes, other records
     * with open components) are checked on each value through their accessors.
     */
    private static Rule recordRule(Class<?> type) {
        Set<Class<?>> inAnalysis = RECORDS_IN_ANALYSIS.get();
        inAnalysis.add(type);
        try {
            List<Method> open = new ArrayList<>();
            for (RecordComponent component : type.getRecordComponents()) {
                if (!staticallyImmutable(component.getType(), inAnalysis)) {
                    open.add(component.getAccessor());
                }
            }
            if (open.isEmpty()) {
                return ALWAYS;
            }
            for (Method accessor : open) {
                // A record in a module that does not open it to us cannot be inspected, so cannot be trusted.
                if (!accessor.trySetAccessible()) {
                    return NEVER;
                }
            }
            Method[] accessors = open.toArray(new Method[0]);
            return new Rule(Kind.CHECK_CONTENTS, (value, depth) -> componentsImmutable(value, depth, accessors));
        } finally {
            inAnalysis.remove(type);
        }
    }

    private static boolean staticallyImmutable(Class<?> type, Set<Class<?>> inAnalysis) {
        if (type.isPrimitive() || Enum.class.isAssignableFrom(type)) {
            return true;
        }
        // A record currently being analysed refers to itself: check such components at run time.
        return Modifier.isFinal(type.getModifiers()) && !inAnalysis.contains(type) && kindOf(type) == Kind.ALWAYS;
    }

    private static boolean componentsImmutable(Object record, int depth, Method[] accessors) {
        for (Method accessor : accessors) {
            Object component;
            try {
                component = accessor.invoke(record);
            } catch (ReflectiveOperationException e) {
                // An accessor that fails cannot vouch for its component; the copier will report the failure.
                return false;
            }
            if (!isImmutable(component, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    private static Set<Class<?>> jdkUnmodifiableContainers() {
        List<Object> samples = List.of(
                List.of(),
                List.of(1),
                List.of(1, 2),
                List.of(1, 2, 3),
                List.of(1, 2, 3).subList(0, 2),
                List.copyOf(new ArrayList<>(List.of(1, 2, 3))),
                Stream.of(1).toList(),
                Stream.of(1, 2, 3).toList(),
                Stream.of(1, 2, 3).collect(Collectors.toUnmodifiableList()),
                Set.of(),
                Set.of(1),
                Set.of(1, 2),
                Set.of(1, 2, 3),
                Stream.of(1, 2, 3).collect(Collectors.toUnmodifiableSet()),
                Map.of(),
                Map.of(1, 1),
                Map.of(1, 1, 2, 2),
                Map.ofEntries(Map.entry(1, 1), Map.entry(2, 2), Map.entry(3, 3)),
                Stream.of(1, 2, 3).collect(Collectors.toUnmodifiableMap(i -> i, i -> i)),
                Map.entry(1, 1),
                Collections.emptyList(),
                Collections.emptySet(),
                Collections.emptyMap(),
                Collections.singletonList(1),
                Collections.singleton(1),
                Collections.singletonMap(1, 1),
                Collections.nCopies(2, 1));
        Set<Class<?>> classes = new HashSet<>();
        for (Object sample : samples) {
            classes.add(sample.getClass());
        }
        // Stream.toList() may return an unmodifiable view on some JDKs; views are never trusted.
        classes.removeIf(type -> type.getName().startsWith("java.util.Collections$Unmodifiable"));
        return Set.copyOf(classes);
    }
}
