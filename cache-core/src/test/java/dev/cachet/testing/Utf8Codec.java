package dev.cachet.testing;

import dev.cachet.spi.ValueCodec;
import java.nio.charset.StandardCharsets;

/** A UTF-8 string codec for tests of remote caches in core, which has no codecs of its own. Thread-safe. */
public enum Utf8Codec implements ValueCodec<String> {
    INSTANCE;

    @Override
    public String id() {
        return "test-str";
    }

    @Override
    public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
