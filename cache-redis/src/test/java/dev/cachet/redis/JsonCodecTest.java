package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
    private static final String GADGET = Gadget.class.getName();

    record Person(String name, int age, List<String> tags) {}

    /** Holds anything: the classic target of polymorphic-typing gadgets. */
    record Envelope(String name, Object payload) {}

    /** Opts into class-name type ids on one field; the codec must still refuse them. */
    record Annotated(
            @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {}

    /** Counts its instantiations, so a test can tell that a payload naming it made none. */
    public static final class Gadget {
        static final AtomicInteger CREATED = new AtomicInteger();

        public String url;

        public Gadget() {
            CREATED.incrementAndGet();
        }
    }

    /** Jackson finds no properties to write: encoding fails. */
    static final class Opaque {}

    @BeforeEach
    void resetGadget() {
        Gadget.CREATED.set(0);
    }

    @Test
    void roundTripsTheBoundType() {
        Codec<Person> codec = Codec.json(Person.class);
        Person person = new Person("Ada", 36, List.of("math", "engines"));

        byte[] bytes = codec.encode(person);

        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"Ada\",\"age\":36,\"tags\":[\"math\",\"engines\"]}");
        assertThat(codec.decode(bytes)).isEqualTo(person);
    }

    @Test
    void ignoresPropertiesANewerWriterAdded() {
        Person person = Codec.json(Person.class).decode(utf8("{\"name\":\"Ada\",\"age\":36,\"email\":\"a@b\"}"));

        assertThat(person).isEqualTo(new Person("Ada", 36, null));
    }

    @Test
    void rejectsGarbageNullAndTrailingContent() {
        Codec<Person> codec = Codec.json(Person.class);
        for (String garbage : List.of("", "{", "not json", "[1,2]", "\"text\"", "{\"age\":\"old\"}", "{} {}", "{}x")) {
            assertThatThrownBy(() -> codec.decode(utf8(garbage)))
                    .as("'%s'", garbage)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Person.class.getName());
        }
        assertThatThrownBy(() -> codec.decode(utf8("null")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xFF, 0x00}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPayloadNamingAClassDecodesIntoTheBoundTypeWithoutInstantiatingIt() {
        String payload = "{\"@class\":\"java.net.URL\",\"name\":\"x\",\"payload\":" + "{\"@class\":\"" + GADGET
                + "\",\"url\":\"http://attacker\"}}";

        Envelope envelope = Codec.json(Envelope.class).decode(utf8(payload));

        assertThat(envelope.name()).isEqualTo("x");
        assertThat(envelope.payload()).isInstanceOf(Map.class).isNotInstanceOf(Gadget.class);
        assertThat(Gadget.CREATED).hasValue(0);
    }

    @Test
    void theArrayFormOfATypeIdIsPlainDataToo() {
        String payload = "{\"name\":\"x\",\"payload\":[\"" + GADGET + "\",{\"url\":\"http://attacker\"}]}";

        Envelope envelope = Codec.json(Envelope.class).decode(utf8(payload));

        assertThat(envelope.payload()).isInstanceOf(List.class);
        assertThat(Gadget.CREATED).hasValue(0);
    }

    @Test
    void classNameTypeIdsAreRefusedEvenWhereTheTypeAsksForThem() {
        String payload = "{\"payload\":{\"@class\":\"" + GADGET + "\",\"url\":\"http://attacker\"}}";

        assertThatThrownBy(() -> Codec.json(Annotated.class).decode(utf8(payload)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Codec.json(Annotated.class, new ObjectMapper()).decode(utf8(payload)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Gadget.CREATED).hasValue(0);
    }

    @Test
    void refusesAMapperWithDefaultTyping() {
        ObjectMapper everything = new ObjectMapper()
                .activateDefaultTyping(
                        LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.JAVA_LANG_OBJECT);
        ObjectMapper asProperty = new ObjectMapper()
                .activateDefaultTypingAsProperty(
                        LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL, "@class");

        for (ObjectMapper mapper : List.of(everything, asProperty)) {
            assertThatThrownBy(() -> Codec.json(Person.class, mapper))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("default typing");
        }
    }

    @Test
    void usesACopyOfTheGivenMapper() {
        ObjectMapper strict = new ObjectMapper(); // fails on unknown properties, unlike Cachet's default
        Codec<Person> codec = Codec.json(Person.class, strict);
        strict.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        assertThatThrownBy(() -> codec.decode(utf8("{\"name\":\"Ada\",\"email\":\"a@b\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("email");
    }

    @Test
    void encodingAnUnserialisableValueNamesItsType() {
        assertThatThrownBy(() -> Codec.json(Opaque.class).encode(new Opaque()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Opaque.class.getName());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void encodingAValueOfAnotherTypeIsRefused() {
        Codec raw = Codec.json(Person.class);

        assertThatThrownBy(() -> raw.encode("not a person"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Person.class.getName())
                .hasMessageContaining("java.lang.String");
    }

    @Test
    void primitiveAndBoxedTypesWork() {
        assertThat(Codec.json(int.class).decode(Codec.json(int.class).encode(42)))
                .isEqualTo(42);
        assertThat(Codec.json(String.class).decode(utf8("\"x\""))).isEqualTo("x");
        assertThatThrownBy(() -> Codec.json(int.class).decode(utf8("null")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullsAreRefusedNamingTheArgument() {
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json((Class<Object>) null))
                .withMessage("type");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json(Person.class, null))
                .withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json(Person.class).encode(null))
                .withMessage("value");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
