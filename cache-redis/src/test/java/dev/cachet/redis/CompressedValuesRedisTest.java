package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import dev.cachet.Cachet;
import dev.cachet.RemoteConfig;
import dev.cachet.spi.CompressingCodec;
import dev.cachet.spi.ValueCodec;
import dev.cachet.testing.redis.RedisServer;
import dev.cachet.testing.redis.RedisTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/** {@link Codec#compressed} on Redis: smaller values, foreign to processes without it, bombs as counted misses. */
@RedisTest
@Timeout(60)
class CompressedValuesRedisTest {
    private static final int MAX_VALUE_BYTES = 64 * 1024;

    record Quote(String symbol, long priceCents, String venue, List<String> tags) {}

    private static final List<Quote> BOOK = IntStream.range(0, 100)
            .mapToObj(i -> new Quote("SYM" + i, 10_000L + i, i % 2 == 0 ? "NASDAQ" : "NYSE", List.of("equity", "usd")))
            .toList();
    private static final Codec<List<Quote>> JSON = Codec.json(new TypeReference<List<Quote>>() {});

    private RedisTier tier;
    private Jedis raw;
    private final AtomicInteger loads = new AtomicInteger();

    @BeforeEach
    void connect(RedisServer redis) {
        tier = RedisTier.connect(redis.uri());
        raw = new Jedis(redis.host(), redis.port());
    }

    @AfterEach
    void close() {
        tier.store("books").deleteAll();
        tier.store("blobs").deleteAll();
        raw.close();
        tier.close();
    }

    private <V> Cache<String, V> process(String name, ValueCodec<V> codec) {
        return Cachet.builder(name)
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1))
                .remote(
                        tier,
                        codec,
                        RemoteConfig.custom().maxValueBytes(MAX_VALUE_BYTES).build())
                .build();
    }

    private byte[] stored(String name, String key) {
        KeyLayout layout = ((RedisStore) tier.store(name)).layout();
        return raw.get(layout.valueKey("s:" + key).getBytes(StandardCharsets.UTF_8));
    }

    private void store(String name, String key, byte[] bytes) {
        KeyLayout layout = ((RedisStore) tier.store(name)).layout();
        raw.set(layout.valueKey("s:" + key).getBytes(StandardCharsets.UTF_8), bytes);
    }

    @Test
    void aListOfRecordsIsStoredCompressedAndReadBackByAnotherProcess() {
        process("books", Codec.compressed(JSON)).put("nasdaq", BOOK);

        byte[] bytes = stored("books", "nasdaq");
        int json = JSON.encode(BOOK).length;
        System.out.printf("CompressedValuesRedisTest: %d bytes of JSON stored as %d bytes%n", json, bytes.length);
        assertThat(isCompressed(bytes)).isTrue();
        assertThat(bytes.length).isLessThan(json / 2);
        List<Quote> read = process("books", Codec.compressed(JSON)).getIfPresent("nasdaq");
        assertThat(read).isEqualTo(BOOK);
        assertThat(read.get(0)).isInstanceOf(Quote.class);
    }

    @Test
    void aSmallValueIsStoredAsItIsAndEveryProcessReadsIt() {
        process("books", Codec.compressed(JSON)).put("tiny", BOOK.subList(0, 1));

        assertThat(isCompressed(stored("books", "tiny"))).isFalse();
        assertThat(process("books", JSON).getIfPresent("tiny")).isEqualTo(BOOK.subList(0, 1));
    }

    @Test
    void turningCompressionOnKeepsExistingValuesReadable() {
        process("books", JSON).put("nasdaq", BOOK);

        assertThat(process("books", Codec.compressed(JSON)).getIfPresent("nasdaq"))
                .isEqualTo(BOOK);
    }

    @Test
    void aProcessWithoutCompressionLeavesCompressedValuesAlone() {
        process("books", Codec.compressed(JSON)).put("nasdaq", BOOK);
        byte[] before = stored("books", "nasdaq");
        Cache<String, List<Quote>> plain = process("books", JSON);

        List<Quote> loaded = plain.get("nasdaq", key -> {
            loads.incrementAndGet();
            return List.of();
        });

        assertThat(loaded).isEmpty();
        assertThat(loads).hasValue(1);
        assertThat(plain.remoteStats().orElseThrow().decodeFailures()).isPositive();
        assertThat(stored("books", "nasdaq")).as("neither deleted nor replaced").isEqualTo(before);
        assertThat(process("books", Codec.compressed(JSON)).getIfPresent("nasdaq"))
                .isEqualTo(BOOK);
    }

    @Test
    void aValueDeclaringAHugeLengthIsACountedMissAndIsReplaced() {
        byte[] payload = ByteBuffer.allocate(6)
                .putInt(Integer.MAX_VALUE)
                .put((byte) 0x10)
                .put((byte) 'x')
                .array();
        assertBombIsAMiss(payload);
    }

    @Test
    void aRealPayloadThatDecompressesBeyondMaxValueBytesIsACountedMissAndIsReplaced() {
        byte[] tenMegabytes = new byte[10 << 20];
        Arrays.fill(tenMegabytes, (byte) 'x');
        byte[] payload = ((CompressingCodec<byte[]>) Codec.compressed(Codec.bytes(), 0)).compress(tenMegabytes);
        assertThat(payload.length).as("fits the read limit").isLessThan(MAX_VALUE_BYTES);
        assertBombIsAMiss(payload);
    }

    private void assertBombIsAMiss(byte[] payload) {
        byte[] bomb = compressedEnvelope(Codec.bytes().id(), payload);
        store("blobs", "k", bomb);
        Cache<String, byte[]> cache = process("blobs", Codec.compressed(Codec.bytes()));

        byte[] value = cache.get("k", key -> {
            loads.incrementAndGet();
            return new byte[] {1, 2, 3};
        });

        assertThat(value).containsExactly(1, 2, 3);
        assertThat(loads).hasValue(1);
        assertThat(cache.remoteStats().orElseThrow().decodeFailures()).isPositive();
        assertThat(stored("blobs", "k"))
                .as("the loaded value replaced the bomb")
                .isNotEqualTo(bomb);
        assertThat(process("blobs", Codec.compressed(Codec.bytes())).getIfPresent("k"))
                .containsExactly(1, 2, 3);
    }

    @Test
    void aNearCacheSharesCompressedValuesToo() {
        Cache<String, List<Quote>> near = Cachet.builder("books")
                .registry(CacheRegistry.create())
                .expireAfterWrite(Duration.ofMinutes(1))
                .remote(tier, Codec.compressed(JSON))
                .nearCache(100, Duration.ofSeconds(5))
                .build();
        near.put("nasdaq", BOOK);

        assertThat(isCompressed(stored("books", "nasdaq"))).isTrue();
        assertThat(process("books", Codec.compressed(JSON)).getIfPresent("nasdaq"))
                .isEqualTo(BOOK);
        assertThat(near.getIfPresent("nasdaq")).isEqualTo(BOOK);
    }

    /** Returns whether an envelope has the compressed flag (bit 1 of the flags byte, after magic and version). */
    private static boolean isCompressed(byte[] envelope) {
        return (envelope[3] & 0x02) != 0;
    }

    /** An envelope of format version 2 with the compressed flag, as a process with compression writes it. */
    private static byte[] compressedEnvelope(String codecId, byte[] payload) {
        byte[] id = codecId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + id.length + 16 + payload.length)
                .put((byte) 0xCA)
                .put((byte) 0x5E)
                .put((byte) 2)
                .put((byte) 0x02)
                .put((byte) id.length)
                .put(id)
                .putLong(1)
                .putLong(Long.MAX_VALUE)
                .put(payload)
                .array();
    }
}
