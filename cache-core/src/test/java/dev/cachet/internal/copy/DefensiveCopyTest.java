package dev.cachet.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
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
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// LinkedList, Vector, Date and exact collection classes are what is under test.
@SuppressWarnings({"JdkObsolete", "JavaUtilDate", "NonApiType"})
class DefensiveCopyTest {

    enum Size {
        S,
        M,
        L
    }

    record Point(int x, int y) {}

    record Order(String id, List<String> lines, Point at, int quantity) {}

    record Wrapper(Object content) {}

    record Positive(List<Integer> values) {
        Positive {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
        }
    }

    /** A class the copier cannot know anything about. */
    static final class Quote {
        double price;
    }

    /** A subclass of a known class may add state the copier would miss. */
    static final class Tags extends ArrayList<String> {
        private static final long serialVersionUID = 1L;
    }

    @SuppressWarnings("unchecked")
    private static <T> T copy(T value) {
        return (T) DefensiveCopy.copy(value);
    }

    private static ArrayList<Integer> mutableList(Integer... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    static Stream<Arguments> immutableValues() {
        return Stream.<Object>of(
                        "text",
                        42,
                        BigDecimal.ONE,
                        Size.M,
                        UUID.randomUUID(),
                        LocalDate.of(2024, 1, 1),
                        Instant.EPOCH,
                        Optional.empty(),
                        Optional.of("a"),
                        new Point(1, 2),
                        new Order("o", List.of("l1", "l2"), new Point(1, 2), 3),
                        List.of("a"),
                        List.of("a", "b", "c"),
                        Set.of(1, 2),
                        Map.of("k", List.of(1)),
                        Map.entry("k", "v"),
                        Collections.emptyList(),
                        Collections.singletonList("a"),
                        new int[0],
                        new String[0])
                // One argument each, even arrays (which JUnit would otherwise spread into several arguments).
                .map(value -> Arguments.of(value));
    }

    @ParameterizedTest
    @MethodSource("immutableValues")
    void immutableValueIsReturnedAsIs(Object value) {
        assertThat(DefensiveCopy.copy(value)).isSameAs(value);
    }

    /** Makers of mutable JDK collections of mutable lists. */
    static Stream<Supplier<Collection<ArrayList<Integer>>>> collectionsOfLists() {
        return Stream.of(
                () -> new ArrayList<>(List.of(mutableList(1), mutableList(2, 3))),
                () -> new LinkedList<>(List.of(mutableList(1), mutableList(2, 3))),
                () -> new Vector<>(List.of(mutableList(1), mutableList(2, 3))),
                () -> new CopyOnWriteArrayList<>(List.of(mutableList(1), mutableList(2, 3))),
                () -> new CopyOnWriteArraySet<>(List.of(mutableList(1), mutableList(2, 3))),
                () -> new HashSet<>(List.of(mutableList(1), mutableList(2, 3))),
                () -> new LinkedHashSet<>(List.of(mutableList(1), mutableList(2, 3))));
    }

    @ParameterizedTest
    @MethodSource("collectionsOfLists")
    void collectionIsDeepCopiedIntoTheSameClass(Supplier<Collection<ArrayList<Integer>>> factory) {
        Collection<ArrayList<Integer>> original = factory.get();
        Collection<ArrayList<Integer>> copy = copy(original);

        assertThat(copy).isEqualTo(factory.get()).isNotSameAs(original).hasSameClassAs(original);
        original.iterator().next().add(99);
        assertThat(copy).isEqualTo(factory.get());
        copy.iterator().next().add(98);
        copy.add(mutableList(7));
        assertThat(original).doesNotContain(mutableList(7)).hasSize(2);
    }

    @Test
    void arrayListIsFullyIndependent() {
        ArrayList<ArrayList<Integer>> original = new ArrayList<>(List.of(mutableList(1, 2), mutableList(3)));
        ArrayList<ArrayList<Integer>> copy = copy(original);

        original.get(0).add(9);
        original.add(mutableList(4));
        assertThat(copy).containsExactly(mutableList(1, 2), mutableList(3));
        assertThat(copy.get(0)).isNotSameAs(original.get(0)).isInstanceOf(ArrayList.class);

        copy.get(1).clear();
        assertThat(original.get(1)).containsExactly(3);
    }

    @Test
    void nullElementsAreKept() {
        ArrayList<Object> original = new ArrayList<>(Arrays.asList("a", null, mutableList(1)));

        assertThat(copy(original)).isEqualTo(original).isNotSameAs(original);
    }

    @Test
    void arrayDequeIsCopiedInOrder() {
        ArrayDeque<ArrayList<Integer>> original = new ArrayDeque<>(List.of(mutableList(1), mutableList(2)));
        ArrayDeque<ArrayList<Integer>> copy = copy(original);

        assertThat(copy).isNotSameAs(original).containsExactly(mutableList(1), mutableList(2));
        original.getFirst().add(5);
        original.addLast(mutableList(3));
        assertThat(copy).containsExactly(mutableList(1), mutableList(2));
    }

    @Test
    void hashMapOfListsIsFullyDeepCopied() {
        HashMap<String, ArrayList<Integer>> original = new HashMap<>();
        original.put("a", mutableList(1, 2));
        original.put("b", mutableList());
        HashMap<String, ArrayList<Integer>> copy = copy(original);

        assertThat(copy).isEqualTo(original).isNotSameAs(original).isExactlyInstanceOf(HashMap.class);
        original.get("a").add(3);
        original.put("c", mutableList());
        assertThat(copy).isEqualTo(Map.of("a", List.of(1, 2), "b", List.of()));
        copy.get("b").add(7);
        assertThat(original.get("b")).isEmpty();
    }

    @Test
    void mutableKeysAreCopiedToo() {
        HashMap<ArrayList<Integer>, String> original = new HashMap<>(Map.of(mutableList(1), "one"));
        HashMap<ArrayList<Integer>, String> copy = copy(original);

        ArrayList<Integer> copiedKey = copy.keySet().iterator().next();
        assertThat(copiedKey).isNotSameAs(original.keySet().iterator().next());
        assertThat(copy).containsEntry(mutableList(1), "one");
    }

    @Test
    void linkedHashMapKeepsInsertionOrder() {
        LinkedHashMap<String, ArrayList<Integer>> original = new LinkedHashMap<>();
        original.put("c", mutableList(3));
        original.put("a", mutableList(1));
        original.put("b", mutableList(2));
        LinkedHashMap<String, ArrayList<Integer>> copy = copy(original);

        assertThat(copy).isExactlyInstanceOf(LinkedHashMap.class).isEqualTo(original);
        assertThat(copy.keySet()).containsExactly("c", "a", "b");
        original.get("c").add(4);
        assertThat(copy.get("c")).containsExactly(3);
    }

    @Test
    void accessOrderedLinkedHashMapIsCopiedInItsCurrentOrder() {
        LinkedHashMap<String, Integer> original = new LinkedHashMap<>(16, 0.75f, true);
        original.put("a", 1);
        original.put("b", 2);
        original.put("c", 3);
        original.get("a");
        LinkedHashMap<String, Integer> copy = copy(original);

        assertThat(copy.keySet()).containsExactly("b", "c", "a");
        assertThat(copy).isEqualTo(original).isNotSameAs(original);
    }

    @Test
    void treeMapKeepsItsComparator() {
        TreeMap<String, ArrayList<Integer>> original = new TreeMap<>(Comparator.reverseOrder());
        original.put("a", mutableList(1));
        original.put("b", mutableList(2));
        TreeMap<String, ArrayList<Integer>> copy = copy(original);

        assertThat(copy).isEqualTo(original).isNotSameAs(original);
        assertThat(copy.comparator()).isSameAs(original.comparator());
        assertThat(copy.firstKey()).isEqualTo("b");
        original.get("a").add(5);
        assertThat(copy.get("a")).containsExactly(1);
        copy.put("c", mutableList());
        assertThat(copy.firstKey()).isEqualTo("c");
        assertThat(original).doesNotContainKey("c");
    }

    @Test
    void treeSetKeepsItsComparator() {
        TreeSet<String> original = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        original.addAll(List.of("b", "A", "c"));
        TreeSet<String> copy = copy(original);

        assertThat(copy).isNotSameAs(original).containsExactly("A", "b", "c");
        assertThat(copy.comparator()).isSameAs(String.CASE_INSENSITIVE_ORDER);
        original.add("d");
        assertThat(copy).doesNotContain("d");
    }

    @Test
    void concurrentCollectionsAreCopied() {
        ConcurrentHashMap<String, ArrayList<Integer>> map = new ConcurrentHashMap<>(Map.of("a", mutableList(1)));
        ConcurrentSkipListMap<String, Integer> skipMap = new ConcurrentSkipListMap<>(Comparator.reverseOrder());
        skipMap.putAll(Map.of("a", 1, "b", 2));
        ConcurrentSkipListSet<String> skipSet = new ConcurrentSkipListSet<>(Comparator.reverseOrder());
        skipSet.addAll(List.of("a", "b"));

        ConcurrentHashMap<String, ArrayList<Integer>> mapCopy = copy(map);
        ConcurrentSkipListMap<String, Integer> skipMapCopy = copy(skipMap);
        ConcurrentSkipListSet<String> skipSetCopy = copy(skipSet);

        map.get("a").add(2);
        assertThat(mapCopy).isExactlyInstanceOf(ConcurrentHashMap.class).isEqualTo(Map.of("a", List.of(1)));
        assertThat(skipMapCopy).isEqualTo(skipMap).isNotSameAs(skipMap);
        assertThat(skipMapCopy.firstKey()).isEqualTo("b");
        assertThat(skipSetCopy).isNotSameAs(skipSet).containsExactly("b", "a");
    }

    @Test
    void enumMapAndEnumSetAreCopied() {
        EnumMap<Size, ArrayList<Integer>> map = new EnumMap<>(Size.class);
        map.put(Size.M, mutableList(1));
        EnumSet<Size> set = EnumSet.of(Size.S, Size.L);
        EnumMap<Size, ArrayList<Integer>> emptyMap = new EnumMap<>(Size.class);

        EnumMap<Size, ArrayList<Integer>> mapCopy = copy(map);
        EnumSet<Size> setCopy = copy(set);
        EnumMap<Size, ArrayList<Integer>> emptyMapCopy = copy(emptyMap);

        map.get(Size.M).add(2);
        set.add(Size.M);
        assertThat(mapCopy).isNotSameAs(map).isEqualTo(Map.of(Size.M, List.of(1)));
        assertThat(setCopy).isNotSameAs(set).containsExactly(Size.S, Size.L);
        emptyMapCopy.put(Size.L, mutableList());
        assertThat(emptyMap).isEmpty();
    }

    @Test
    void datesAreCloned() {
        Date date = new Date(1_000L);
        Timestamp timestamp = new Timestamp(2_000L);
        timestamp.setNanos(123_456_789);
        Date dateCopy = copy(date);
        Timestamp timestampCopy = copy(timestamp);

        date.setTime(5_000L);
        timestamp.setTime(6_000L);
        assertThat(dateCopy).isExactlyInstanceOf(Date.class).isNotSameAs(date);
        assertThat(dateCopy.getTime()).isEqualTo(1_000L);
        assertThat(timestampCopy).isExactlyInstanceOf(Timestamp.class);
        assertThat(timestampCopy.getTime()).isEqualTo(2_123L);
        assertThat(timestampCopy.getNanos()).isEqualTo(123_456_789);
    }

    @Test
    void primitiveArraysAreCloned() {
        int[] ints = {1, 2, 3};
        byte[] bytes = {1, 2};
        double[] doubles = {1.5};
        char[] chars = {'a'};
        int[] intsCopy = copy(ints);
        byte[] bytesCopy = copy(bytes);
        double[] doublesCopy = copy(doubles);
        char[] charsCopy = copy(chars);

        ints[0] = 9;
        bytes[0] = 9;
        doubles[0] = 9;
        chars[0] = 'z';
        assertThat(intsCopy).containsExactly(1, 2, 3);
        assertThat(bytesCopy).containsExactly(1, 2);
        assertThat(doublesCopy).containsExactly(1.5);
        assertThat(charsCopy).containsExactly('a');
        assertThat(copy(new boolean[] {true})).containsExactly(true);
        assertThat(copy(new long[] {1L})).containsExactly(1L);
        assertThat(copy(new short[] {1})).containsExactly((short) 1);
        assertThat(copy(new float[] {1f})).containsExactly(1f);
    }

    @Test
    void arraysOfArraysAreDeepCopiedKeepingTheirType() {
        int[][] grid = {{1, 2}, {3}, null};
        int[][] gridCopy = copy(grid);

        grid[0][0] = 9;
        grid[1] = new int[] {7};
        assertThat(gridCopy).isExactlyInstanceOf(int[][].class);
        assertThat(gridCopy[0]).containsExactly(1, 2);
        assertThat(gridCopy[1]).containsExactly(3);
        assertThat(gridCopy[2]).isNull();
    }

    @Test
    void objectArraysKeepTheirComponentType() {
        Integer[] boxed = {1, null, 3};
        Integer[] boxedCopy = copy(boxed);
        Object[] lists = {mutableList(1), "s"};
        Object[] listsCopy = copy(lists);

        boxed[0] = 9;
        ((ArrayList<?>) lists[0]).clear();
        assertThat(boxedCopy).isExactlyInstanceOf(Integer[].class).containsExactly(1, null, 3);
        assertThat(listsCopy).isExactlyInstanceOf(Object[].class).containsExactly(List.of(1), "s");
        assertThat(listsCopy[1]).isSameAs(lists[1]);
    }

    @Test
    void unmodifiableViewIsCopiedAwayFromItsBackingList() {
        List<ArrayList<Integer>> backing = new ArrayList<>(List.of(mutableList(1)));
        List<ArrayList<Integer>> view = Collections.unmodifiableList(backing);
        List<ArrayList<Integer>> copy = copy(view);

        backing.add(mutableList(2));
        backing.get(0).add(5);
        assertThat(copy).containsExactly(mutableList(1));
        assertThatThrownBy(() -> copy.add(mutableList())).isInstanceOf(UnsupportedOperationException.class);
        assertThat(copy).hasSameClassAs(view);
    }

    @Test
    void otherUnmodifiableViewsAreCopiedAwayFromTheirBackingCollections() {
        Set<String> backingSet = new LinkedHashSet<>(List.of("b", "a"));
        Set<String> setCopy = copy(Collections.unmodifiableSet(backingSet));
        Map<String, ArrayList<Integer>> backingMap = new HashMap<>(Map.of("k", mutableList(1)));
        Map<String, ArrayList<Integer>> mapCopy = copy(Collections.unmodifiableMap(backingMap));
        TreeMap<String, Integer> backingTree = new TreeMap<>(Comparator.reverseOrder());
        backingTree.putAll(Map.of("a", 1, "b", 2));
        SortedMap<String, Integer> sortedCopy = copy(Collections.unmodifiableSortedMap(backingTree));
        NavigableMap<String, Integer> navigableCopy = copy(Collections.unmodifiableNavigableMap(backingTree));
        TreeSet<String> backingTreeSet = new TreeSet<>(Comparator.reverseOrder());
        backingTreeSet.addAll(List.of("a", "b"));
        NavigableSet<String> navigableSetCopy = copy(Collections.unmodifiableNavigableSet(backingTreeSet));
        List<String> backingLinked = new LinkedList<>(List.of("x"));
        List<String> linkedCopy = copy(Collections.unmodifiableList(backingLinked));
        Collection<String> collectionCopy = copy(Collections.unmodifiableCollection(new ArrayList<>(List.of("y"))));

        backingSet.add("c");
        backingMap.get("k").add(2);
        backingTree.put("c", 3);
        backingTreeSet.add("c");
        backingLinked.add("z");
        assertThat(setCopy).containsExactly("b", "a");
        assertThat(mapCopy).isEqualTo(Map.of("k", List.of(1)));
        assertThat(sortedCopy.keySet()).containsExactly("b", "a");
        assertThat(sortedCopy.comparator()).isEqualTo(Comparator.reverseOrder());
        assertThat(navigableCopy.keySet()).containsExactly("b", "a");
        assertThat(navigableSetCopy).containsExactly("b", "a");
        assertThat(linkedCopy).containsExactly("x");
        assertThat(collectionCopy).containsExactly("y");
        assertThatThrownBy(() -> mapCopy.put("x", null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void arraysAsListIsCopiedAwayFromItsArray() {
        String[] array = {"a", "b"};
        List<String> list = Arrays.asList(array);
        List<String> copy = copy(list);

        array[0] = "z";
        assertThat(copy).containsExactly("a", "b");
        assertThatThrownBy(() -> copy.set(0, "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jdkUnmodifiableListOfMutableElementsIsCopied() {
        ArrayList<Integer> inner = mutableList(1);
        List<ArrayList<Integer>> original = List.of(inner);
        List<ArrayList<Integer>> copy = copy(original);

        assertThat(copy).isNotSameAs(original).isEqualTo(original);
        inner.add(2);
        assertThat(copy).containsExactly(mutableList(1));
        assertThatThrownBy(() -> copy.add(mutableList())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void otherJdkUnmodifiableContainersOfMutableValuesAreCopied() {
        ArrayList<Integer> inner = mutableList(1);
        List<Object> originals = List.of(
                List.of("a", "b", inner),
                Set.of("a", inner),
                Map.of("k", inner),
                Map.of(inner, "v"),
                Map.entry("k", inner),
                Collections.singletonList(inner),
                Collections.singleton(inner),
                Collections.singletonMap("k", inner),
                Collections.nCopies(2, inner),
                Stream.of("a", null, inner).toList(),
                Optional.of(inner),
                new Wrapper(inner));
        List<Object> copies = new ArrayList<>();
        for (Object original : originals) {
            Object copy = DefensiveCopy.copy(original);
            assertThat(copy).as("copy of %s", original).isEqualTo(original).isNotSameAs(original);
            copies.add(copy);
        }

        inner.add(2);
        for (int i = 0; i < originals.size(); i++) {
            assertThat(copies.get(i)).as("copy of %s", originals.get(i)).isNotEqualTo(originals.get(i));
        }
        assertThat(copies.get(5)).hasSameClassAs(originals.get(5));
        assertThat(copies.get(6)).hasSameClassAs(originals.get(6));
        assertThat(copies.get(7)).hasSameClassAs(originals.get(7));
        List<?> nCopies = (List<?>) copies.get(8);
        assertThat(nCopies.get(0)).isSameAs(nCopies.get(1));
    }

    @Test
    void recordWithOnlyImmutableComponentsIsReturnedAsIs() {
        Order order = new Order("o", List.of("l"), new Point(1, 2), 3);

        assertThat(DefensiveCopy.copy(order)).isSameAs(order);
    }

    @Test
    void recordWithMutableListGetsAnIndependentList() {
        Order original = new Order("o", new ArrayList<>(List.of("l1")), new Point(1, 2), 3);
        Order copy = copy(original);

        assertThat(copy).isEqualTo(original).isNotSameAs(original);
        assertThat(copy.lines()).isNotSameAs(original.lines()).isInstanceOf(ArrayList.class);
        assertThat(copy.at()).isSameAs(original.at());
        original.lines().add("l2");
        assertThat(copy.lines()).containsExactly("l1");
        copy.lines().clear();
        assertThat(original.lines()).containsExactly("l1", "l2");
    }

    @Test
    void nestedRecordsAreCopiedThrough() {
        Wrapper original = new Wrapper(new Wrapper(new int[] {1}));
        Wrapper copy = copy(original);

        ((int[]) ((Wrapper) original.content()).content())[0] = 9;
        assertThat((int[]) ((Wrapper) copy.content()).content()).containsExactly(1);
    }

    @Test
    void recordIsRebuiltThroughItsCanonicalConstructor() {
        Positive original = new Positive(mutableList(1));
        Positive copy = copy(original);

        original.values().add(2);
        assertThat(copy.values()).containsExactly(1);
    }

    @Test
    void optionalOfMutableValueIsCopied() {
        ArrayList<Integer> inner = mutableList(1);
        Optional<ArrayList<Integer>> copy = copy(Optional.of(inner));

        inner.add(2);
        assertThat(copy).contains(mutableList(1));
    }

    @Test
    void unknownClassIsRejectedWithTheWayOut() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(new Quote()))
                .withMessageContaining(Quote.class.getName())
                .withMessageContaining("Copier.identity()")
                .withMessageContaining("Copier.serializing()");
    }

    @Test
    void unknownElementIsRejectedNamingItsContainer() {
        List<Object> list = new ArrayList<>(List.of("a", new Quote()));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(list))
                .withMessageContaining(Quote.class.getName() + " (inside java.util.ArrayList)")
                .withMessageContaining("Copier.identity()");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(new Wrapper(new Quote())))
                .withMessageContaining(Quote.class.getName() + " (inside " + Wrapper.class.getName() + ")");
    }

    @Test
    void subclassOfKnownClassIsRejected() {
        Tags tags = new Tags();
        tags.add("a");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(tags))
                .withMessageContaining(Tags.class.getName())
                .withMessageContaining("Copier.identity()");
    }

    @Test
    void cyclicListIsRejectedWithoutStackOverflow() {
        List<Object> cyclic = new ArrayList<>();
        Object self = cyclic;
        cyclic.add(self);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(cyclic))
                .withMessageContaining("cyclic")
                .withMessageContaining("java.util.ArrayList");
    }

    @Test
    void cyclicMapIsRejectedWithoutStackOverflow() {
        Map<String, Object> first = new HashMap<>();
        Map<String, Object> second = new HashMap<>();
        first.put("next", second);
        second.put("next", first);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(first))
                .withMessageContaining("cyclic");
    }

    @Test
    void nestingUpToTheLimitIsCopiedAndDeeperIsRejected() {
        Object shallow = mutableList(1);
        for (int i = 0; i < Immutability.MAX_DEPTH; i++) {
            shallow = new ArrayList<>(List.of(shallow));
        }
        Object deep = new ArrayList<>(List.of(shallow));

        assertThat(DefensiveCopy.copy(shallow)).isEqualTo(shallow);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DefensiveCopy.copy(deep))
                .withMessageContaining("nested");
    }

    @Test
    void nullIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> DefensiveCopy.copy(null))
                .withMessage("value");
    }
}
