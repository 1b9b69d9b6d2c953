package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Codec#json(TypeReference)} and {@link Codec#json(JavaType)}: generic types decode as themselves. */
@Timeout(60)
class GenericJsonCodecTest {
    record Quote(String symbol, long priceCents) {}

    record Page<T>(int number, List<T> items) {}

    /** Opts into class-name type ids on its elements; the codec must still refuse them. */
    record Holder(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {}

    private static final List<Quote> QUOTES = List.of(new Quote("AAPL", 19_012), new Quote("MSFT", 41_530));

    @Test
    void aListOfRecordsDecodesAsThoseRecordsNotMaps() {
        Codec<List<Quote>> codec = Codec.json(new TypeReference<List<Quote>>() {});

        List<Quote> decoded = codec.decode(codec.encode(QUOTES));

        assertThat(decoded).isEqualTo(QUOTES);
        assertThat(decoded.get(0)).isInstanceOf(Quote.class);
        // What the class-bound codec does with the same bytes: maps, the reason for the generic factories.
        @SuppressWarnings("rawtypes")
        List raw = Codec.json(List.class).decode(codec.encode(QUOTES));
        assertThat(raw.get(0)).isInstanceOf(Map.class);
    }

    @Test
    void nestedGenericTypesRoundTrip() {
        Codec<Map<String, Page<Quote>>> codec = Codec.json(new TypeReference<Map<String, Page<Quote>>>() {});
        Map<String, Page<Quote>> value = Map.of("nasdaq", new Page<>(1, QUOTES));

        Map<String, Page<Quote>> decoded = codec.decode(codec.encode(value));

        assertThat(decoded).isEqualTo(value);
        assertThat(decoded.get("nasdaq").items().get(1)).isInstanceOf(Quote.class);
    }

    @Test
    void aJavaTypeFromItsCanonicalNameRoundTrips() {
        JavaType type =
                TypeFactory.defaultInstance().constructFromCanonical("java.util.List<" + Quote.class.getName() + ">");
        Codec<List<Quote>> codec = Codec.json(type);

        assertThat(codec.decode(codec.encode(QUOTES))).isEqualTo(QUOTES);
        assertThat(codec.id())
                .isEqualTo(Codec.json(new TypeReference<List<Quote>>() {}).id());
    }

    @Test
    void theIdNamesTheWholeTypeSoThatCachesOfDifferentTypesNeverShareValues() {
        assertThat(Codec.json(new TypeReference<List<Quote>>() {}).id())
                .isEqualTo("json:java.util.List<" + Quote.class.getName() + ">");
        assertThat(Codec.json(new TypeReference<List<String>>() {}).id())
                .isEqualTo("json:java.util.List<java.lang.String>");
        assertThat(Codec.json(new TypeReference<Map<String, Long>>() {}).id())
                .isEqualTo("json:java.util.Map<java.lang.String,java.lang.Long>");
    }

    @Test
    void aTypeThatSaysNoMoreThanItsClassKeepsThePlainIdSoOldValuesStayReadable() {
        assertThat(Codec.json(Quote.class).id()).isEqualTo("json");
        assertThat(Codec.json(List.class).id()).isEqualTo("json");
        assertThat(Codec.json(new TypeReference<Quote>() {}).id()).isEqualTo("json");
        assertThat(Codec.json(TypeFactory.defaultInstance().constructType(Quote.class))
                        .id())
                .isEqualTo("json");
        assertThat(Codec.json(TypeFactory.defaultInstance().constructType(int.class))
                        .id())
                .isEqualTo("json");
    }

    @Test
    void anIdLongerThanAnEnvelopeAllowsIsAHashOfTheType() {
        JavaType longType = TypeFactory.defaultInstance()
                .constructFromCanonical(
                        "java.util.Map<java.lang.String,java.util.Map<java.lang.String,java.util.Map<java.lang.String,"
                                + "java.util.Map<java.lang.String,java.util.Map<java.lang.String,java.util.List<"
                                + Page.class.getName() + "<" + Quote.class.getName() + ">>>>>>>");
        JavaType other = TypeFactory.defaultInstance()
                .constructFromCanonical(
                        "java.util.Map<java.lang.String,java.util.Map<java.lang.String,java.util.Map<java.lang.String,"
                                + "java.util.Map<java.lang.String,java.util.Map<java.lang.String,java.util.Set<"
                                + Page.class.getName() + "<" + Quote.class.getName() + ">>>>>>>");
        assertThat(longType.toCanonical().length()).isGreaterThan(255);
        assertThat(other.toCanonical().length()).isGreaterThan(255);

        String id = Codec.json(longType).id();

        assertThat(id).matches("json:sha256:[0-9a-f]{64}");
        assertThat(id).isEqualTo(Codec.json(longType, new ObjectMapper()).id());
        assertThat(Codec.json(other).id()).startsWith("json:sha256:").isNotEqualTo(id);
    }

    @Test
    void decodingIsAsStrictAsTheClassBoundCodec() {
        Codec<List<Quote>> codec = Codec.json(new TypeReference<List<Quote>>() {});

        assertThatThrownBy(() -> codec.decode(utf8("null")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.List<" + Quote.class.getName() + ">");
        assertThatThrownBy(() -> codec.decode(utf8("[] []"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode(utf8("{\"symbol\":\"x\"}"))).isInstanceOf(IllegalArgumentException.class);
        // Unknown properties are tolerated, as for the class-bound codec: a newer writer may add some.
        assertThat(codec.decode(utf8("[{\"symbol\":\"X\",\"priceCents\":1,\"venue\":\"new\"}]")))
                .containsExactly(new Quote("X", 1));
    }

    @Test
    void classNameTypeIdsAreRefusedInsideGenericTypesToo() {
        String payload = "[{\"payload\":{\"@class\":\"java.net.URL\",\"protocol\":\"http\"}}]";

        assertThatThrownBy(
                        () -> Codec.json(new TypeReference<List<Holder>>() {}).decode(utf8(payload)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Codec.json(new TypeReference<List<Holder>>() {}, new ObjectMapper())
                        .decode(utf8(payload)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMapperWithDefaultTypingIsRefused() {
        ObjectMapper mapper = new ObjectMapper()
                .activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);

        assertThatThrownBy(() -> Codec.json(new TypeReference<List<Quote>>() {}, mapper))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default typing");
        assertThatThrownBy(() -> Codec.json(mapper.constructType(Quote.class), mapper))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default typing");
    }

    @Test
    void theGivenMapperIsCopiedAndItsSettingsApply() {
        ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Codec<List<Quote>> codec = Codec.json(new TypeReference<List<Quote>>() {}, strict);
        strict.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        assertThatThrownBy(() -> codec.decode(utf8("[{\"symbol\":\"X\",\"priceCents\":1,\"venue\":\"new\"}]")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodingAValueOfAnotherClassIsRefused() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Codec<Object> raw = (Codec) Codec.json(new TypeReference<List<Quote>>() {});

        assertThatThrownBy(() -> raw.encode("not a list"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.List<" + Quote.class.getName() + ">");
    }

    @Test
    void nullsAreRefusedNamingTheArgument() {
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json((TypeReference<Object>) null))
                .withMessage("type");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json((JavaType) null))
                .withMessage("type");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json(new TypeReference<List<Quote>>() {}, null))
                .withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> Codec.json(TypeFactory.defaultInstance().constructType(Quote.class), null))
                .withMessage("mapper");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
