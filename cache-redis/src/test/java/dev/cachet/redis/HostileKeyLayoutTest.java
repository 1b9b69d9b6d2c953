package dev.cachet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.redis.KeyLayoutTest.GlobMatcher;
import dev.cachet.testing.PropertyTimeout;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The key layout, property by property, on hostile cache names and keys ({@link HostileKeys}): no two (cache, key)
 * pairs share a Redis key, however the text is split between name and key; value, lock and fence share one slot that
 * the key alone decides; a cache's SCAN patterns match its own keys and no other cache's; invalidation messages carry every key exactly. No Redis needed: the same properties run
 * against a server in {@link HostileKeyRedisTest}.
 */
@PropertyTimeout(seconds = 120)
class HostileKeyLayoutTest {
    private static final int TRIES = 1_000;
    private static final int MAX = HostileKeys.MAX_KEY_LENGTH;

    @Provide
    Arbitrary<String> names() {
        return HostileKeys.names();
    }

    @Provide
    Arbitrary<String> keys() {
        return HostileKeys.keys();
    }

    @Provide
    Arbitrary<List<String>> pieces() {
        return HostileKeys.keys().list().ofMinSize(2).ofMaxSize(6);
    }

    @Property(tries = TRIES)
    void twoDifferentCacheKeyPairsNeverShareARedisKey(
            @ForAll("names") String nameA,
            @ForAll("keys") String keyA,
            @ForAll("names") String nameB,
            @ForAll("keys") String keyB) {
        Assume.that(!nameA.equals(nameB) || !keyA.equals(keyB));
        Set<String> seen = new HashSet<>();
        for (String redisKey : redisKeys(KeyLayout.of("cachet", nameA, MAX), keyA)) {
            assertThat(seen.add(redisKey)).as("%s twice", redisKey).isTrue();
        }
        for (String redisKey : redisKeys(KeyLayout.of("cachet", nameB, MAX), keyB)) {
            assertThat(seen.add(redisKey))
                    .as("%s is a key of both %s/%s and %s/%s", redisKey, nameA, keyA, nameB, keyB)
                    .isTrue();
        }
    }

    /** The classic ambiguity: the same text split at two places between cache name and key. */
    @Property(tries = TRIES)
    void noSplitOfOneTextBetweenNameAndKeyMeetsAnother(
            @ForAll("pieces") List<String> pieces,
            @ForAll @IntRange(min = 0, max = 1_000) int drawA,
            @ForAll @IntRange(min = 0, max = 1_000) int drawB) {
        int splitA = 1 + drawA % (pieces.size() - 1);
        int splitB = 1 + drawB % (pieces.size() - 1);
        String nameA = String.join("", pieces.subList(0, splitA));
        String keyA = String.join("", pieces.subList(splitA, pieces.size()));
        String nameB = String.join("", pieces.subList(0, splitB));
        String keyB = String.join("", pieces.subList(splitB, pieces.size()));
        Assume.that(!nameA.isBlank() && !nameB.isBlank() && !nameA.equals(nameB));

        Set<String> keysOfA = Set.copyOf(redisKeys(KeyLayout.of("cachet", nameA, MAX), keyA));
        for (String redisKey : redisKeys(KeyLayout.of("cachet", nameB, MAX), keyB)) {
            assertThat(keysOfA).doesNotContain(redisKey);
        }
    }

    @Property(tries = TRIES)
    void valueLockAndFenceShareTheSlotOfTheKeyAloneWhateverTheCache(
            @ForAll("names") String nameA, @ForAll("names") String nameB, @ForAll("keys") String key) {
        KeyLayout a = KeyLayout.of("cachet", nameA, MAX);
        KeyLayout b = KeyLayout.of("cachet", nameB, MAX);
        String tag = hashTag(a.valueKey(key));

        assertThat(tag).as("the hash tag of %s", a.valueKey(key)).isNotEmpty().doesNotContain("{", "}");
        // The tag is the whole text between the namespace's brace and the last one: nothing of the key escapes it.
        assertThat(a.valueKey(key)).isEqualTo(a.namespace() + '{' + tag + '}');
        assertThat(hashTag(a.lockKey(key))).isEqualTo(tag);
        assertThat(hashTag(a.fenceKey(key))).isEqualTo(tag);
        assertThat(hashTag(b.valueKey(key)))
                .as("another cache's tag for the same key")
                .isEqualTo(tag);
        int slot = JedisClusterCRC16.getSlot(a.valueKey(key));
        assertThat(JedisClusterCRC16.getSlot(a.lockKey(key))).isEqualTo(slot);
        assertThat(JedisClusterCRC16.getSlot(a.fenceKey(key))).isEqualTo(slot);
    }

    @Property(tries = TRIES)
    void aCachesScanPatternsMatchItsOwnKeysAndNoOtherCaches(
            @ForAll("names") String nameA, @ForAll("names") String nameB, @ForAll("keys") String key) {
        Assume.that(!nameA.equals(nameB));
        KeyLayout a = KeyLayout.of("cachet", nameA, MAX);
        KeyLayout b = KeyLayout.of("cachet", nameB, MAX);

        for (String own : redisKeys(a, key)) {
            assertThat(GlobMatcher.matches(a.keyPattern(), own))
                    .as("%s against %s", own, a.keyPattern())
                    .isTrue();
        }
        assertThat(GlobMatcher.matches(a.valueKeyPattern(), a.valueKey(key))).isTrue();
        for (String other : redisKeys(b, key)) {
            assertThat(GlobMatcher.matches(a.keyPattern(), other))
                    .as("%s against %s", other, a.keyPattern())
                    .isFalse();
            assertThat(GlobMatcher.matches(a.valueKeyPattern(), other))
                    .as("%s against %s", other, a.valueKeyPattern())
                    .isFalse();
        }
        assertThat(GlobMatcher.matches(a.valueKeyPattern(), a.lockKey(key))).isFalse();
        assertThat(GlobMatcher.matches(a.valueKeyPattern(), a.fenceKey(key))).isFalse();
        assertThat(a.invalidationChannel()).isNotEqualTo(b.invalidationChannel());
        assertThat(GlobMatcher.matches(a.keyPattern(), a.invalidationChannel())).isFalse();
        // The cache's fence: no key's, no other cache's, and not swept by its own cache's scan.
        assertThat(a.cacheFenceKey()).isNotEqualTo(b.cacheFenceKey());
        assertThat(GlobMatcher.matches(a.keyPattern(), a.cacheFenceKey())).isFalse();
        assertThat(GlobMatcher.matches(b.keyPattern(), a.cacheFenceKey())).isFalse();
        assertThat(redisKeys(a, key)).doesNotContain(a.cacheFenceKey());
        assertThat(redisKeys(b, key)).doesNotContain(a.cacheFenceKey());
    }

    @Property(tries = TRIES)
    void anInvalidationMessageCarriesEveryKeyExactly(@ForAll("keys") String key) {
        String origin = InvalidationMessage.newOriginId();
        String encoded = InvalidationMessage.encodeKey(origin, key);
        // The message travels as UTF-8: it must survive the round trip, unpaired surrogates included.
        String received = new String(
                encoded.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);

        InvalidationMessage message = InvalidationMessage.decode(received);

        assertThat(message.origin()).isEqualTo(origin);
        assertThat(message.keys()).containsExactly(key);
    }

    private static List<String> redisKeys(KeyLayout layout, String key) {
        return List.of(layout.valueKey(key), layout.lockKey(key), layout.fenceKey(key));
    }

    /** Returns the text Redis Cluster hashes: between the first brace and the next closing one, if non-empty. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = open < 0 ? -1 : key.indexOf('}', open + 1);
        return close < 0 ? "" : key.substring(open + 1, close);
    }
}
