package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the filters of {@link Codec#javaSerialization} reject before Java serialisation allocates or instantiates
 * anything: arrays whose claimed size exceeds the byte budget, and classes a caller's filter does not mention.
 */
class JavaSerializationFilterTest {
    private static final long BUDGET = 1_000;

    /** Holds a primitive array, which a pattern filter leaves undecided. */
    static final class Allowed implements Serializable {
        private static final long serialVersionUID = 1L;
        private final long[] numbers;

        Allowed(long... numbers) {
            this.numbers = numbers.clone();
        }

        long[] numbers() {
            return numbers.clone();
        }
    }

    record Unmentioned(String id) implements Serializable {}

    @Test
    void anArrayIsLimitedByItsBytesNotItsLength() {
        Codec<long[]> codec = Codec.javaSerialization(long[].class, Set.of(), 5, BUDGET);
        // 100 longs are 800 bytes, within the budget: they decode.
        assertThat(codec.decode(serialize(new long[100]))).hasSize(100);

        // A stream of a few dozen bytes that claims long[1000]: 8000 bytes, 8 times the budget.
        byte[] claimsTooMuch = withClaimedLength(serialize(new long[0]), 1_000);
        assertThat(claimsTooMuch.length).isLessThan(40);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> codec.decode(claimsTooMuch))
                .havingCause()
                .isInstanceOf(InvalidClassException.class)
                .withMessageContaining("REJECTED");
    }

    @Test
    void referencesAndCharsCountTheirSizeToo() {
        Codec<String[]> strings = Codec.javaSerialization(String[].class, Set.of(), 5, BUDGET);
        Codec<char[]> chars = Codec.javaSerialization(char[].class, Set.of(), 5, BUDGET);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> strings.decode(withClaimedLength(serialize(new String[0]), 300)))
                .havingCause()
                .isInstanceOf(InvalidClassException.class);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> chars.decode(withClaimedLength(serialize(new char[0]), 600)))
                .havingCause()
                .isInstanceOf(InvalidClassException.class);
        assertThat(chars.decode(serialize(new char[400]))).hasSize(400);
    }

    @Test
    void aCallersFilterThatDoesNotDecideRejectsTheClass() {
        // The pattern names one class and does not end in "!*": every other class is UNDECIDED.
        ObjectInputFilter onlyAllowed =
                ObjectInputFilter.Config.createFilter(Allowed.class.getName() + ";maxdepth=5;maxbytes=" + BUDGET);
        Codec<Unmentioned> codec = Codec.javaSerialization(Unmentioned.class, onlyAllowed);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> codec.decode(serialize(new Unmentioned("x"))))
                .havingCause()
                .isInstanceOf(InvalidClassException.class)
                .withMessageContaining("REJECTED");
    }

    @Test
    void aCallersFilterStillAllowsWhatItNamesAndPrimitiveArrays() {
        ObjectInputFilter onlyAllowed = ObjectInputFilter.Config.createFilter(Allowed.class.getName());
        Codec<Allowed> codec = Codec.javaSerialization(Allowed.class, onlyAllowed);

        assertThat(codec.decode(serialize(new Allowed(1, 2))).numbers()).containsExactly(1, 2);
        assertThat(codec.toString()).contains("rejectUndecidedClass");
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

    /** Patches the length of a serialised empty array, its last four bytes, to {@code length}, adding no elements. */
    private static byte[] withClaimedLength(byte[] emptyArray, int length) {
        byte[] patched = emptyArray.clone();
        ByteBuffer.wrap(patched).putInt(patched.length - 4, length);
        return patched;
    }
}
