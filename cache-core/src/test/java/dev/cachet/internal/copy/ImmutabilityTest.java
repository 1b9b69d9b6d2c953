package dev.cachet.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.cachet.internal.copy.Immutability.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.chrono.HijrahDate;
import java.time.chrono.JapaneseDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.temporal.ValueRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImmutabilityTest {

    enum Colour {
        RED,
        GREEN {
            @Override
            public String toString() {
                return "green";
            }
        }
    }

    record Point(int x, int y) {}

    record Named(String name, Colour colour, Point point, LocalDate date, long id) {}

    record Tagged(String name, List<String> tags) {}

    record Boxed(Object content) {}

    record Amount(BigInteger value) {}

    record Node(int value, Node next) {}

    /** A subclass of an immutable JDK class can add mutable state. */
    static final class MutableBigInteger extends BigInteger {
        private static final long serialVersionUID = 1L;
        int mutable;

        MutableBigInteger(String value) {
            super(value);
        }
    }

    static Stream<Arguments> immutableValues() {
        return Stream.<Object>of(
                        "text",
                        true,
                        'c',
                        (byte) 1,
                        (short) 2,
                        3,
                        4L,
                        5.0f,
                        6.0,
                        BigInteger.TEN,
                        new BigDecimal("1.50"),
                        UUID.randomUUID(),
                        String.class,
                        Locale.CANADA_FRENCH,
                        Currency.getInstance("EUR"),
                        URI.create("https://cachet.dev/"),
                        Pattern.compile("a+"),
                        OptionalInt.of(1),
                        OptionalLong.empty(),
                        OptionalDouble.of(2.0),
                        Colour.RED,
                        Colour.GREEN,
                        TimeUnit.SECONDS,
                        Instant.EPOCH,
                        Duration.ofSeconds(5),
                        LocalDate.of(2024, 2, 29),
                        LocalTime.NOON,
                        LocalDateTime.of(2024, 1, 1, 0, 0),
                        OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
                        ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneId.of("Europe/Paris")),
                        ZoneId.of("Europe/Paris"),
                        ZoneOffset.ofHours(2),
                        Period.ofDays(3),
                        Year.of(2024),
                        YearMonth.of(2024, 2),
                        MonthDay.of(2, 29),
                        Clock.systemUTC(),
                        Clock.fixed(Instant.EPOCH, ZoneOffset.UTC),
                        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)),
                        Clock.tick(Clock.systemUTC(), Duration.ofSeconds(1)),
                        JapaneseDate.of(2024, 1, 1),
                        HijrahDate.of(1445, 1, 1),
                        ValueRange.of(1, 10),
                        ChronoUnit.DAYS,
                        ZoneId.of("Europe/Paris").getRules(),
                        DateTimeFormatter.ISO_LOCAL_DATE,
                        new Point(1, 2),
                        new Named("n", Colour.RED, new Point(1, 2), LocalDate.of(2024, 1, 1), 7L),
                        new Tagged("t", List.of("a", "b")),
                        new Tagged("t", null),
                        new Boxed(new Point(1, 2)),
                        new Boxed(new Boxed(List.of(Optional.of("deep")))),
                        new Amount(BigInteger.ONE),
                        new Node(1, new Node(2, null)),
                        new int[0],
                        new String[0],
                        new Object[0][],
                        Optional.empty(),
                        Optional.of("a"),
                        Optional.of(List.of(1)),
                        List.of(),
                        List.of("a"),
                        List.of("a", "b"),
                        List.of("a", "b", "c", "d"),
                        List.of("a", "b", "c").subList(0, 2),
                        List.copyOf(new ArrayList<>(List.of("a", "b", "c"))),
                        Stream.of("a", "b").toList(),
                        Stream.of("a", null).toList(),
                        Stream.of("a", "b", "c").collect(Collectors.toUnmodifiableList()),
                        Set.of(),
                        Set.of("a"),
                        Set.of("a", "b"),
                        Set.of("a", "b", "c"),
                        Set.copyOf(new HashSet<>(Set.of(1, 2, 3))),
                        Map.of(),
                        Map.of("k", 1),
                        Map.of("k", 1, "l", 2),
                        Map.ofEntries(Map.entry("k", 1), Map.entry("l", 2), Map.entry("m", 3)),
                        Map.copyOf(new HashMap<>(Map.of("k", List.of(1)))),
                        Map.entry("k", Point.class),
                        Collections.emptyList(),
                        Collections.emptySet(),
                        Collections.emptyMap(),
                        Collections.singletonList("a"),
                        Collections.singletonList(null),
                        Collections.singleton(1),
                        Collections.singletonMap("k", "v"),
                        Collections.nCopies(3, "a"),
                        List.of(Map.of("k", Set.of(new Point(1, 2)))))
                // One argument each, even arrays (which JUnit would otherwise spread into several arguments).
                .map(value -> Arguments.of(value));
    }

    @ParameterizedTest
    @MethodSource("immutableValues")
    void immutableValuesAreImmutable(Object value) {
        assertThat(Immutability.isImmutable(value)).isTrue();
    }

    @SuppressWarnings("JavaUtilDate") // Date is one of the mutable types under test
    static Stream<Arguments> mutableValues() {
        return Stream.<Object>of(
                        new Object(),
                        new AtomicInteger(),
                        new ArrayList<>(),
                        new HashMap<>(),
                        new TreeSet<>(),
                        new Date(),
                        new int[] {1},
                        new String[] {"a"},
                        new Object[] {null},
                        new MutableBigInteger("12"),
                        new Amount(new MutableBigInteger("12")),
                        new DateTimeFormatterBuilder(),
                        TemporalAdjusters.firstDayOfMonth(),
                        Optional.of(new ArrayList<>()),
                        Optional.of(new AtomicLong()),
                        new Tagged("t", new ArrayList<>(List.of("a"))),
                        new Boxed(new Object()),
                        new Boxed(new Boxed(new Boxed(new int[] {1}))),
                        List.of(new ArrayList<>()),
                        List.of("a", new AtomicLong()),
                        Stream.of("a", new ArrayList<>()).toList(),
                        Set.of(new Object()),
                        Map.of("k", new ArrayList<>()),
                        Map.of(new ArrayList<>(), "v"),
                        Map.entry("k", new ArrayList<>()),
                        Collections.singletonList(new ArrayList<>()),
                        Collections.singleton(new Date()),
                        Collections.singletonMap("k", new Date()),
                        Collections.nCopies(2, new ArrayList<>()),
                        Collections.unmodifiableList(new ArrayList<>(List.of("a"))),
                        Collections.unmodifiableList(new ArrayList<>()),
                        Collections.unmodifiableSet(new HashSet<>()),
                        Collections.unmodifiableMap(new HashMap<>()),
                        Collections.unmodifiableSortedMap(new TreeMap<>()),
                        Collections.unmodifiableCollection(List.of()),
                        Collections.emptySortedSet(),
                        Arrays.asList("a", "b"))
                // One argument each, even arrays (which JUnit would otherwise spread into several arguments).
                .map(value -> Arguments.of(value));
    }

    @ParameterizedTest
    @MethodSource("mutableValues")
    void mutableValuesAreNotImmutable(Object value) {
        assertThat(Immutability.isImmutable(value)).isFalse();
    }

    @Test
    @SuppressWarnings("GetClassOnEnum") // the class of a constant with a body is what is under test
    void classesWithAlwaysImmutableInstancesAreDecidedByClassAlone() {
        assertThat(Immutability.kindOf(String.class)).isEqualTo(Kind.ALWAYS);
        assertThat(Immutability.kindOf(Colour.GREEN.getClass())).isEqualTo(Kind.ALWAYS);
        assertThat(Immutability.kindOf(LocalDate.class)).isEqualTo(Kind.ALWAYS);
        assertThat(Immutability.kindOf(Named.class)).isEqualTo(Kind.ALWAYS);
        assertThat(Immutability.kindOf(Point.class)).isEqualTo(Kind.ALWAYS);
    }

    @Test
    void classesWhoseInstancesDependOnTheirContentsAreCheckedPerValue() {
        assertThat(Immutability.kindOf(Optional.class)).isEqualTo(Kind.CHECK_CONTENTS);
        assertThat(Immutability.kindOf(Tagged.class)).isEqualTo(Kind.CHECK_CONTENTS);
        assertThat(Immutability.kindOf(Boxed.class)).isEqualTo(Kind.CHECK_CONTENTS);
        assertThat(Immutability.kindOf(Amount.class)).isEqualTo(Kind.CHECK_CONTENTS);
        assertThat(Immutability.kindOf(Node.class)).isEqualTo(Kind.CHECK_CONTENTS);
        assertThat(Immutability.kindOf(List.of(1).getClass())).isEqualTo(Kind.CHECK_CONTENTS);
        assertThat(Immutability.kindOf(int[].class)).isEqualTo(Kind.CHECK_CONTENTS);
    }

    @Test
    void otherClassesAreNeverImmutable() {
        assertThat(Immutability.kindOf(ArrayList.class)).isEqualTo(Kind.NEVER);
        assertThat(Immutability.kindOf(BigInteger.class)).isEqualTo(Kind.ALWAYS);
        assertThat(Immutability.kindOf(MutableBigInteger.class)).isEqualTo(Kind.NEVER);
        assertThat(Immutability.kindOf(
                        Collections.unmodifiableList(new ArrayList<>()).getClass()))
                .isEqualTo(Kind.NEVER);
        assertThat(Immutability.kindOf(DateTimeFormatterBuilder.class)).isEqualTo(Kind.NEVER);
    }

    @Test
    void unmodifiableViewIsNotImmutableBecauseItsBackingListCanChange() {
        List<String> backing = new ArrayList<>(List.of("a"));
        List<String> view = Collections.unmodifiableList(backing);

        assertThat(Immutability.isImmutable(view)).isFalse();
        backing.add("b");
        assertThat(view).containsExactly("a", "b");
    }

    @Test
    void nestingDeeperThanTheLimitIsNotImmutable() {
        Object shallow = "leaf";
        for (int i = 0; i < Immutability.MAX_DEPTH; i++) {
            shallow = List.of(shallow);
        }
        Object deep = "leaf";
        for (int i = 0; i < Immutability.MAX_DEPTH + 2; i++) {
            deep = List.of(deep);
        }

        assertThat(Immutability.isImmutable(shallow)).isTrue();
        assertThat(Immutability.isImmutable(deep)).isFalse();
    }

    @Test
    void longSelfReferencingRecordChainIsNotImmutableBeyondTheLimit() {
        Node node = null;
        for (int i = 0; i < 200; i++) {
            node = new Node(i, node);
        }

        assertThat(Immutability.isImmutable(node)).isFalse();
    }

    @Test
    void nullIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> Immutability.isImmutable(null))
                .withMessage("value");
    }
}
