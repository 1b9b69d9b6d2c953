package dev.cachet;

import dev.cachet.spi.ValueCodec;
import java.nio.charset.StandardCharsets;

/** Integers as their decimal text, for the Lincheck tests of remote caches. */
enum IntegerCodec implements ValueCodec<Integer> {
    INSTANCE;

    @Override
    public String id() {
        return "test-int";
    }

    @Override
    public byte[] encode(Integer value) {
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Integer decode(byte[] bytes) {
        return Integer.valueOf(new String(bytes, StandardCharsets.UTF_8));
    }
}
