package dev.cachet.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class SerializingCopyTest {

    enum Status {
        OPEN,
        CLOSED
    }

    record Line(String sku, int quantity) implements Serializable {}

    /** A mutable Serializable object graph without a copy method. */
    static final class Basket implements Serializable {
        private static final long serialVersionUID = 1L;

        String owner;
        Status status = Status.OPEN;
        List<Line> lines = new ArrayList<>();
        Map<String, int[]> counters = new HashMap<>();
        List<Line> sameLines;
        // Written in the JDK's serial forms, read back through readResolve.
        LocalDate created = LocalDate.of(2024, 1, 1);
        List<String> tags = List.of("new", "sale");

        @Override
        public boolean equals(Object other) {
            return other instanceof Basket that
                    && Objects.equals(owner, that.owner)
                    && status == that.status
                    && lines.equals(that.lines)
                    && created.equals(that.created)
                    && tags.equals(that.tags);
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, status, lines, created, tags);
        }
    }

    /** Serializable itself, but holds something that is not. */
    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings("serial") // the point of the test
        Object content = new NotSerializable();
    }

    static final class NotSerializable {}

    /** A linked structure with default serialization: each node is read inside the previous one. */
    static final class Chain implements Serializable {
        private static final long serialVersionUID = 1L;

        final int value;
        final Chain next;

        Chain(int value, Chain next) {
            this.value = value;
            this.next = next;
        }
    }

    /** Uses the serialization proxy pattern: only {@link MoneyProxy} is written; its readResolve makes a Money. */
    static final class Money implements Serializable {
        private static final long serialVersionUID = 1L;

        final long cents;

        Money(long cents) {
            this.cents = cents;
        }

        private Object writeReplace() {
            return new MoneyProxy(cents);
        }

        private void readObject(ObjectInputStream in) throws InvalidObjectException {
            throw new InvalidObjectException("proxy required");
        }
    }

    static final class MoneyProxy implements Serializable {
        private static final long serialVersionUID = 1L;

        final long cents;

        MoneyProxy(long cents) {
            this.cents = cents;
        }

        private Object readResolve() {
            return new Money(cents);
        }
    }

    public interface Greeter {
        String greet();
    }

    static final class FixedGreeting implements InvocationHandler, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            return "hello";
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T copy(T value) {
        return (T) SerializingCopy.copy(value);
    }

    @Test
    void immutableValuesAreReturnedAsIs() {
        Object[] values = {"text", 1, LocalDate.of(2024, 1, 1), Status.OPEN, List.of("a"), new Line("s", 1)};

        for (Object value : values) {
            assertThat(SerializingCopy.copy(value)).isSameAs(value);
        }
    }

    @Test
    void mutablePojoRoundTripsIntoAnEqualIndependentObject() {
        Basket original = new Basket();
        original.owner = "ann";
        original.lines.add(new Line("apple", 2));
        original.counters.put("views", new int[] {3});
        original.sameLines = original.lines;

        Basket copy = copy(original);

        assertThat(copy).isEqualTo(original).isNotSameAs(original);
        assertThat(copy.lines).isNotSameAs(original.lines);
        assertThat(copy.status).isSameAs(Status.OPEN);
        assertThat(copy.created).isEqualTo(original.created);
        assertThat(copy.tags).isEqualTo(original.tags);
        assertThat(copy.sameLines).as("shared references stay shared").isSameAs(copy.lines);

        original.lines.add(new Line("pear", 1));
        original.counters.get("views")[0] = 9;
        original.owner = "bob";
        assertThat(copy.lines).containsExactly(new Line("apple", 2));
        assertThat(copy.counters.get("views")).containsExactly(3);
        assertThat(copy.owner).isEqualTo("ann");

        copy.lines.clear();
        assertThat(original.lines).hasSize(2);
    }

    @Test
    void jdkCollectionsOfMutableValuesAreCopied() {
        ArrayList<Integer> inner = new ArrayList<>(List.of(1));
        List<ArrayList<Integer>> original = List.of(inner);

        List<ArrayList<Integer>> copy = copy(original);

        inner.add(2);
        assertThat(copy).containsExactly(new ArrayList<>(List.of(1)));
        assertThatThrownBy(() -> copy.add(new ArrayList<>())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void serializationProxiesAreResolvedBackToTheirOuterClass() {
        Money money = new Money(250);
        ArrayList<Money> original = new ArrayList<>(List.of(money));

        ArrayList<Money> copy = copy(original);

        assertThat(copy).isNotSameAs(original).hasSize(1);
        assertThat(copy.get(0)).isExactlyInstanceOf(Money.class).isNotSameAs(money);
        assertThat(copy.get(0).cents).isEqualTo(250);
    }

    @Test
    void proxiesAreCopied() {
        Greeter greeter = (Greeter) Proxy.newProxyInstance(
                Greeter.class.getClassLoader(), new Class<?>[] {Greeter.class}, new FixedGreeting());
        ArrayList<Greeter> original = new ArrayList<>(List.of(greeter));

        ArrayList<Greeter> copy = copy(original);

        assertThat(copy.get(0)).isNotSameAs(greeter);
        assertThat(copy.get(0).greet()).isEqualTo("hello");
    }

    @Test
    void nonSerializableValueIsRejectedNamingItsClass() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SerializingCopy.copy(new NotSerializable()))
                .withMessageContaining(NotSerializable.class.getName())
                .withMessageContaining("java.io.Serializable");
    }

    @Test
    void nonSerializableContentIsRejectedNamingItsClass() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SerializingCopy.copy(new Holder()))
                .withMessageContaining(Holder.class.getName())
                .withMessageContaining(NotSerializable.class.getName());
    }

    @Test
    void nestingDeeperThanTheLimitIsRejected() {
        Chain shallow = null;
        for (int i = 0; i < SerializingCopy.MAX_DEPTH / 2; i++) {
            shallow = new Chain(i, shallow);
        }
        Chain deep = null;
        for (int i = 0; i < SerializingCopy.MAX_DEPTH * 2; i++) {
            deep = new Chain(i, deep);
        }
        Chain tooDeep = deep;

        assertThat(copy(shallow).next.value).isEqualTo(shallow.next.value);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SerializingCopy.copy(tooDeep))
                .withMessageContaining(Chain.class.getName())
                .withMessageContaining("nested more than " + SerializingCopy.MAX_DEPTH);
    }

    @Test
    void readingSideResolvesOnlyClassesThatWereWritten() throws IOException {
        Basket basket = new Basket();
        basket.lines.add(new Line("apple", 1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(basket);
        }
        SerializingCopy.WrittenClasses onlyBasket = new SerializingCopy.WrittenClasses();
        onlyBasket.add(Basket.class);

        try (SerializingCopy.FilteredInputStream in =
                new SerializingCopy.FilteredInputStream(bytes.toByteArray(), onlyBasket)) {
            assertThatThrownBy(in::readObject)
                    .isInstanceOfAny(ClassNotFoundException.class, InvalidClassException.class);
        }
    }

    @Test
    void nullIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> SerializingCopy.copy(null))
                .withMessage("value");
    }
}
