package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.remote.DefaultKeyEncoder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What a {@link NearCache} keys its near tier by, and which near key an invalidation message names. Messages carry the
 * remote tier's string for a key (its encoded key); the near tier is keyed either by the caller's key itself, with the
 * default key encoder, whose strings decode back to keys ({@link #byKey}), or by the encoded key, with a custom encoder
 * ({@link #byEncodedKey}).
 *
 * <p>A near cache calls {@link #remember} for every key before it may store a copy of it (before the remote read or
 * load a copy comes from, or before the store of a written value), so that a message about a key the near tier holds,
 * or is loading, always finds it. Thread-safe.
 *
 * @param <K> the type of the cache's keys
 */
sealed interface NearKeys<K> permits NearKeys.ByKey, NearKeys.ByEncodedKey {
    /** What {@link #named} returns instead of a near key. */
    enum Unkeyed {
        /** The message is about a key that no near entry can have: nothing to drop. */
        NONE,
        /** The entry cannot be told: every near entry may be the one, drop them all. */
        ALL
    }

    /** Keys the near tier by the caller's keys: for the default key encoder, whose strings {@link #named} decodes. */
    static <K> NearKeys<K> byKey() {
        return new ByKey<>();
    }

    /** Keys the near tier by each key's encoded key, computed with {@code encoder}, for a custom key encoder. */
    static <K> NearKeys<K> byEncodedKey(Function<? super K, String> encoder) {
        return new ByEncodedKey<>(encoder);
    }

    /**
     * Returns the near key of {@code key}, to look it up or drop it, or to store it once {@linkplain #remember
     * remembered}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    Object of(K key);

    /** Returns the near key of {@code key} whose encoded key the caller has computed anyway: encodes nothing. */
    Object of(K key, String encodedKey);

    /**
     * Remembers what a message about {@code key} takes to name its near key: call it before a copy of {@code key} may
     * be stored, before the remote read or load the copy comes from.
     */
    void remember(K key);

    /**
     * Returns the near key an invalidation message about {@code encodedKey} names: a near key, {@link Unkeyed#NONE}
     * when no near entry can have been stored under it, or {@link Unkeyed#ALL} when it cannot be told which.
     */
    Object named(String encodedKey);

    /** The caller's key is the near key: a near hit encodes nothing. */
    final class ByKey<K> implements NearKeys<K> {
        /**
         * The enum classes of every enum key remembered, by binary name: what decoding a message's enum constant takes,
         * without loading a class a message names.
         */
        private final ConcurrentHashMap<String, Class<?>> enumClasses = new ConcurrentHashMap<>();

        /** Binary names shared by two remembered enum classes (of two class loaders): their constants are ambiguous. */
        private final Set<String> ambiguousEnums = ConcurrentHashMap.newKeySet();

        @Override
        public Object of(K key) {
            return requireNonNull(key, "key");
        }

        @Override
        public Object of(K key, String encodedKey) {
            return key;
        }

        @Override
        public void remember(K key) {
            if (key instanceof Enum<?> constant) {
                Class<?> type = constant.getDeclaringClass();
                Class<?> known = enumClasses.putIfAbsent(type.getName(), type);
                if (known != null && known != type) {
                    ambiguousEnums.add(type.getName());
                }
            }
        }

        /**
         * Decodes {@code encodedKey} ({@link DefaultKeyEncoder#decode}); a string that does not decode drops nothing.
         *
         * <p>Why that is safe: a copy of a key is stored only after {@link #remember} recorded its enum class (if any)
         * and after the remote tier was read or written under {@link DefaultKeyEncoder#encode}'s string for it (a key
         * that encode refuses fails there and is never stored); decode returns the key itself for every string encode
         * writes, given the enum class. So every held key's string decodes, to that key: a string that does not (an
         * unknown tag, a malformed value, a form encode never writes, an enum class never remembered) is no held key's.
         * And a string that decodes names the one key that encodes to it: equal keys encode alike, and the encoder is
         * injective. A message decoded before its key's class was remembered arrived before this process read or wrote
         * that key, so the read sees the write the message is about (messages follow their writes; an ahead message is
         * followed by the write's own), and a write stores its copy after it: keyed by the string, the near tier had
         * nothing to drop at that moment either.
         */
        @Override
        public Object named(String encodedKey) {
            Object key = DefaultKeyEncoder.decode(encodedKey, enumClasses::get);
            if (key == null) {
                return Unkeyed.NONE;
            }
            if (key instanceof Enum<?> constant
                    && ambiguousEnums.contains(constant.getDeclaringClass().getName())) {
                return Unkeyed.ALL; // the other class loader's constant encodes alike and may be held as well
            }
            return key;
        }
    }

    /** The encoded key is the near key, as in the messages: a custom encoder's strings need not decode. */
    final class ByEncodedKey<K> implements NearKeys<K> {
        private final Function<? super K, String> encoder;

        ByEncodedKey(Function<? super K, String> encoder) {
            this.encoder = requireNonNull(encoder, "encoder");
        }

        @Override
        public Object of(K key) {
            return encoder.apply(requireNonNull(key, "key"));
        }

        @Override
        public Object of(K key, String encodedKey) {
            return encodedKey;
        }

        @Override
        public void remember(K key) {
            // The string is the key: nothing to remember.
        }

        @Override
        public Object named(String encodedKey) {
            return encodedKey;
        }
    }
}
