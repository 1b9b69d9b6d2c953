package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

/** {@link Codec#bytes()}: the array itself, copied both ways so that no caller shares the store's array. */
enum BytesCodec implements Codec<byte[]> {
    INSTANCE;

    @Override
    public String id() {
        return "bytes";
    }

    @Override
    public byte[] encode(byte[] value) {
        return requireNonNull(value, "value").clone();
    }

    @Override
    public byte[] decode(byte[] bytes) {
        return requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public String toString() {
        return "Codec.bytes()";
    }
}
