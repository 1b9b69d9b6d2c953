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

    /** What the JDK's lenient decoding puts in place of malformed input. */
    private static final char REPLACEMENT = '\uFFFD';

    @Override
    public String id() {
        return "str";
    }

    @Override
    public byte[] encode(String value) {
        requireNonNull(value, "value");
        // String.getBytes is the JDK's intrinsic path, but writes '?' for an unpaired surrogate, the one thing UTF-8
        // cannot encode: such strings go to the strict encoder, which reports it.
        for (int i = 0; i < value.length(); i++) {
            if (Character.isSurrogate(value.charAt(i))) {
                return encodeStrictly(value);
            }
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encodeStrictly(String value) {
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
        // The JDK's String constructor is the fast path (an ASCII check, one copy), but replaces malformed input with
        // U+FFFD instead of failing: a result without U+FFFD came from well-formed input; one with it is decoded again
        // strictly, which tells a malformed value from a value holding U+FFFD itself.
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        return decoded.indexOf(REPLACEMENT) < 0 ? decoded : decodeStrictly(bytes);
    }

    private static String decodeStrictly(byte[] bytes) {
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
