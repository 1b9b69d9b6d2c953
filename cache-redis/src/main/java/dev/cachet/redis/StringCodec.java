package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** {@link Codec#string()}: strict UTF-8 both ways, so a malformed value is an error, never a replacement character. */
enum StringCodec implements Codec<String> {
    INSTANCE;

    @Override
    public String id() {
        return "str";
    }

    @Override
    public byte[] encode(String value) {
        requireNonNull(value, "value");
        try {
            ByteBuffer buffer = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid UTF-16 (an unpaired surrogate?): " + e, e);
        }
    }

    @Override
    public String decode(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("bytes are not valid UTF-8: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "Codec.string()";
    }
}
