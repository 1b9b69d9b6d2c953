package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JavaSerializationCodecTest {
    private static final long MAX_BYTES = 64 * 1024;

    enum Status {
        OPEN,
        CLOSED
    }

    record Order(String id, long cents, Status status, ArrayList<String> items, Serializable extra)
            implements Serializable {}

    record Other(String id) implements Serializable {}

    record Holder(Object content) implements Serializable {}

    /** Counts the times Java serialisation ran its code, so a test can tell a rejected stream ran none. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger READS = new AtomicInteger();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }

    private final Codec<Order> codec =
            Codec.javaSerialization(Order.class, Set.of(ArrayList.class, Status.class), 10, MAX_BYTES);

    @BeforeEach
    void resetGadget() {
        Gadget.READS.set(0);
    }

    @Test
    void roundTripsAllowedClasses() {
        Order order = new Order("o-1", 1999, Status.OPEN, new ArrayList<>(List.of("tea", "milk")), 42);

        assertThat(codec.decode(codec.encode(order))).isEqualTo(order);
    }

    @Test
    void rejectsAClassOutsideTheAllowList() {
        Order order = new Order("o-1", 1, Status.OPEN, new ArrayList<>(), new Gadget());
        byte[] bytes = serialize(order);

        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Order.class.getName());
        assertThat(Gadget.READS).hasValue(0);
    }

    @Test
    void rejectsAnArrayOfAClassOutsideTheAllowList() {
        Order order = new Order("o-1", 1, Status.OPEN, new ArrayList<>(), new Gadget[] {new Gadget()});

        assertThatIllegalArgumentException().isThrownBy(() -> codec.decode(serialize(order)));
        assertThat(Gadget.READS).hasValue(0);
    }

    @Test
    void rejectsACollectionClassNobodyAllowed() {
        Order order = new Order("o-1", 1, Status.OPEN, new ArrayList<>(), new HashMap<String, String>());

        assertThatIllegalArgumentException().isThrownBy(() -> codec.decode(serialize(order)));
    }

    @Test
    void rejectsARootOfAnotherAllowedType() {
        Codec<Order> lenient = Codec.javaSerialization(Order.class, Set.of(Other.class), 10, MAX_BYTES);

        assertThatThrownBy(() -> lenient.decode(serialize(new Other("x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Other.class.getName())
                .hasMessageContaining("not a " + Order.class.getName());
    }

    @Test
    void enforcesDepthAndSize() {
        Order order = new Order("o-1", 1, Status.OPEN, new ArrayList<>(List.of("x".repeat(1000))), null);
        Codec<Order> shallow =
                Codec.javaSerialization(Order.class, Set.of(ArrayList.class, Status.class), 1, MAX_BYTES);
        Codec<Order> small = Codec.javaSerialization(Order.class, Set.of(ArrayList.class, Status.class), 10, 200);

        assertThatIllegalArgumentException().isThrownBy(() -> shallow.decode(serialize(order)));
        assertThatIllegalArgumentException().isThrownBy(() -> small.decode(serialize(order)));
        assertThat(codec.decode(serialize(order))).isEqualTo(order);
    }

    @Test
    void rejectsGarbageTruncationAndTrailingBytes() {
        byte[] valid = codec.encode(new Order("o", 1, Status.CLOSED, new ArrayList<>(), null));
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 3);
        byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 1);

        for (byte[] garbage : List.of(new byte[0], new byte[] {1, 2, 3}, truncated, trailing)) {
            assertThatIllegalArgumentException().isThrownBy(() -> codec.decode(garbage));
        }
    }

    @Test
    void aCustomFilterIsUsedAsGiven() {
        Codec<Other> rejectAll =
                Codec.javaSerialization(Other.class, info -> java.io.ObjectInputFilter.Status.REJECTED);

        assertThatIllegalArgumentException().isThrownBy(() -> rejectAll.decode(serialize(new Other("x"))));
    }

    @Test
    void encodingANonSerialisableGraphNamesTheType() {
        Codec<Holder> holders = Codec.javaSerialization(Holder.class, Set.of(), 10, MAX_BYTES);

        assertThatThrownBy(() -> holders.encode(new Holder(new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Holder.class.getName())
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void validatesItsArguments() {
        assertThatThrownBy(() -> Codec.javaSerialization(Order.class, Set.of(), 0, MAX_BYTES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDepth must be at least 1, was 0");
        assertThatThrownBy(() -> Codec.javaSerialization(Order.class, Set.of(), 5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBytes must be at least 1, was 0");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.javaSerialization(Order.class, (java.io.ObjectInputFilter) null))
                .withMessage("filter");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.javaSerialization(Order.class, null, 5, 5))
                .withMessage("allowed");
    }

    private static byte[] serialize(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }
}
