package dev.cachet;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.remote.Envelope;
import dev.cachet.spi.CompressingCodec;
import dev.cachet.spi.Lookup;
import dev.cachet.spi.RemoteStore;
import dev.cachet.spi.ValueCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a {@link RemoteCache}'s values in {@link Envelope}s and reads them back from the tier, within {@code
 * maxValueBytes}. A value that cannot be decoded is a counted miss, logged once: deleted if the tier still holds the
 * same bytes, unless it is another codec's or a newer format's, which is left alone. An envelope past its expiry (the
 * tier keeps it longer for {@code staleIfError}) is a miss in every process, whatever its own settings; its bytes come
 * with the miss as the value to serve if the reload fails ({@link Expired}), decoded only then. Thread-safe.
 *
 * @param <V> the type of values
 */
final class EnvelopeCodec<V> {
    // RemoteCache's logger, so that the decode-failure log keeps the category users configure.
    private static final Logger log = LoggerFactory.getLogger(RemoteCache.class);
    /** What a stored value may hold beyond maxValueBytes: the envelope's header, well under this. */
    private static final int ENVELOPE_HEADER_BYTES = 300;

    private final String cacheName;
    private final int maxValueBytes;
    private final ValueCodec<V> codec;
    private final RemoteStore store;
    private final TierGuard guard;
    private final TierClock clock;
    private final RemoteCounters counters;
    private final AtomicBoolean decodeFailureLogged = new AtomicBoolean();

    /** A value read back from the tier with its envelope; {@code value} is null for a cached null. */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are never mutated
    record Stored<V>(@Nullable V value, Envelope envelope, byte[] bytes) {}

    /**
     * A value whose envelope has expired, still in the tier for {@code staleIfError}: not decoded unless served. A
     * cached null is never one.
     */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are never mutated
    record Expired(Envelope envelope, byte[] bytes) {}

    /** What a read of the tier found, as far as loading is concerned. */
    enum Found {
        /** A value this process decoded. */
        HIT,
        /** No value this process can use; a load may replace it if the read carries a lease. */
        MISS,
        /** A value this process must leave alone (newer envelope, other codec): load, but neither write nor wait. */
        FOREIGN,
        /** The tier did not answer (fail-open): load without writing. */
        UNAVAILABLE
    }

    /**
     * A read of the tier: a decoded value, or what a load needs to know: the lease a load may write with (none when
     * writing could undo something), and whether another loader held the key's lock. {@code seen} is the key's fence
     * as the read found it (empty when the tier did not answer): the read came after every write that fence counts.
     * {@code expired} is the expired value a miss found, if any: the candidate to serve if the load fails.
     */
    record Read<V>(
            Found found,
            @Nullable Stored<V> stored,
            OptionalLong lease,
            boolean locked,
            OptionalLong seen,
            @Nullable Expired expired) {
        static <V> Read<V> hit(Stored<V> stored, long seen) {
            return new Read<>(Found.HIT, stored, OptionalLong.empty(), false, OptionalLong.of(seen), null);
        }

        /** A hit found by a peek: no lease and no fence, which a hit never needs (see {@link #readForGet}). */
        static <V> Read<V> peeked(Stored<V> stored) {
            return new Read<>(Found.HIT, stored, OptionalLong.empty(), false, OptionalLong.empty(), null);
        }

        /**
         * A miss found by a peek: no lease, no fence, and the lock unknown. A load after it reads again for all three
         * ({@link LoadElection#load}); a caller who joins another's load can order it only by time ({@link
         * LoadElection.Loaded#predates}).
         */
        static <V> Read<V> bare() {
            return new Read<>(Found.MISS, null, OptionalLong.empty(), false, OptionalLong.empty(), null);
        }

        /** Returns whether this is a {@link #bare()} miss: no read with a lease and a fence has been made yet. */
        boolean isBare() {
            return found == Found.MISS && seen.isEmpty();
        }

        static <V> Read<V> miss(OptionalLong lease, boolean locked) {
            return new Read<>(Found.MISS, null, lease, locked, lease, null);
        }

        /** A miss that found {@code expired}: a load replaces it with the lease, as it would fill an empty key. */
        static <V> Read<V> expired(Expired expired, long lease, boolean locked) {
            return new Read<>(Found.MISS, null, OptionalLong.of(lease), locked, OptionalLong.of(lease), expired);
        }

        static <V> Read<V> foreign(boolean locked, long seen) {
            return new Read<>(Found.FOREIGN, null, OptionalLong.empty(), locked, OptionalLong.of(seen), null);
        }

        static <V> Read<V> unavailable() {
            return new Read<>(Found.UNAVAILABLE, null, OptionalLong.empty(), false, OptionalLong.empty(), null);
        }

        /** Returns this read without its lease: a load after it must not write, but the read still orders the load. */
        Read<V> withoutLease() {
            return new Read<>(found, stored, OptionalLong.empty(), locked, seen, expired);
        }
    }

    EnvelopeCodec(
            String cacheName,
            RemoteConfig remote,
            ValueCodec<V> codec,
            RemoteStore store,
            TierGuard guard,
            TierClock clock,
            RemoteCounters counters) {
        this.cacheName = requireNonNull(cacheName, "cacheName");
        this.maxValueBytes = remote.maxValueBytes();
        this.codec = requireNonNull(codec, "codec");
        this.store = requireNonNull(store, "store");
        this.guard = requireNonNull(guard, "guard");
        this.clock = requireNonNull(clock, "clock");
        this.counters = requireNonNull(counters, "counters");
    }

    /**
     * Encodes {@code value} in an envelope that expires after {@code writeTtl}: the very TTL the write gives the tier,
     * so that early recompute sees the value's real expiry, jitter included.
     *
     * @throws IllegalArgumentException if the encoded value exceeds maxValueBytes
     */
    byte[] encode(V value, long computeMillis, Duration writeTtl) {
        byte[] payload = codec.encode(value);
        // The uncompressed length counts: readers decompress at most maxValueBytes, so a longer value is never read.
        if (payload.length > maxValueBytes) {
            throw new IllegalArgumentException("cache '" + cacheName + "': encoded value of " + payload.length
                    + " bytes exceeds maxValueBytes " + maxValueBytes + "; not written");
        }
        int flags = 0;
        if (codec instanceof CompressingCodec<V> compressing) {
            byte[] compressed = compressing.compress(payload);
            if (compressed != null) {
                payload = compressed;
                flags = Envelope.COMPRESSED;
            }
        }
        long now = clock.epochMillis();
        return new Envelope(codec.id(), computeMillis, now + writeTtl.toMillis(), payload, flags, now).toBytes();
    }

    /**
     * Reads {@code key} for a {@code get} or a {@code getIfPresent}: one plain read ({@link RemoteStore#peek}, no
     * script on Redis) answers a fresh value, and a key holding no value as a {@linkplain Read#isBare() bare miss},
     * with neither lease nor fence: a hit needs neither (early recompute and refresh-ahead take theirs from the lock),
     * and a load after a miss reads again for its own, in the same call as it takes the lock ({@link
     * LoadElection#load}), so that misses of keys never written leave no fence behind. Anything else (an expired,
     * undecodable or oversized value) is read again by {@link #read}, whose lease a load needs.
     */
    Read<V> readForGet(String key) {
        Read<V> peeked = peek(key);
        return peeked != null ? peeked : read(key);
    }

    /**
     * Returns what a peek of {@code key} can answer alone: a fresh value, the tier's unavailability and an empty key;
     * or null when only {@link #read} can (it decodes again, and counts and handles what it finds).
     */
    private @Nullable Read<V> peek(String key) {
        long maxBytes = (long) maxValueBytes + ENVELOPE_HEADER_BYTES;
        if (!(guard.call("get", () -> store.peek(key, maxBytes))
                instanceof TierResult.Answered<Optional<byte[]>> peeked)) {
            return Read.unavailable(); // fail-open
        }
        return peeked(peeked.value());
    }

    /**
     * Reads every key of {@code keys} for a {@code getAllPresent}, which never writes, as {@link #readForGet} reads
     * one: one plain bulk read ({@link RemoteStore#peekAll}), so that misses leave no fence behind; only the keys it
     * cannot answer alone (an expired, undecodable or oversized value) are read again, in one {@link #readAll}.
     *
     * @return one read per key, in the order of {@code keys}
     */
    List<Read<V>> readAllForLookup(List<String> keys) {
        long maxBytes = (long) maxValueBytes + ENVELOPE_HEADER_BYTES;
        List<Read<V>> reads = new ArrayList<>(keys.size());
        if (!(guard.call("getAll", () -> store.peekAll(keys, maxBytes))
                instanceof TierResult.Answered<List<Optional<byte[]>>> answered)) {
            keys.forEach(key -> reads.add(Read.unavailable())); // fail-open
            return reads;
        }
        List<Optional<byte[]>> peeked = answered.value();
        if (peeked.size() != keys.size()) {
            throw new IllegalStateException("cache '" + cacheName + "': the store answered " + peeked.size()
                    + " reads for " + keys.size() + " keys");
        }
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Read<V> read = peeked(requireNonNull(peeked.get(i), "peeked value"));
            if (read == null) {
                again.add(i);
            }
            reads.add(read);
        }
        if (!again.isEmpty()) {
            List<Read<V>> reread = readAll(again.stream().map(keys::get).toList());
            for (int i = 0; i < again.size(); i++) {
                reads.set(again.get(i), reread.get(i));
            }
        }
        return reads;
    }

    /** Returns what a peek that found {@code raw} can answer alone, as {@link #peek} does; null if only a read can. */
    private @Nullable Read<V> peeked(Optional<byte[]> raw) {
        if (raw.isEmpty()) {
            counters.miss();
            return Read.bare();
        }
        byte[] bytes = raw.get();
        V value;
        Envelope envelope;
        try {
            envelope = Envelope.parse(bytes, codec.id());
            if (clock.epochMillis() >= envelope.expiresAtMillis()) {
                return null;
            }
            value = envelope.isNullMarker() ? null : requireNonNull(decodePayload(envelope), "decoded value");
        } catch (RuntimeException e) {
            return null; // read() finds it again, and counts, logs and deletes it as its rules say
        }
        counters.hit();
        return Read.peeked(new Stored<>(value, envelope, bytes));
    }

    /**
     * Reads and decodes {@code key}, with the lease a load of it may write with. A value that cannot be decoded is a
     * counted miss: a value this process must leave alone ({@link Found#FOREIGN}) stays; any other is deleted if the
     * tier still holds exactly the bytes read (never a value written since), and the delete's lease lets the load
     * replace it. An oversized value is not deleted: the load's lease replaces it unless the key changed meanwhile.
     */
    Read<V> read(String key) {
        long maxBytes = (long) maxValueBytes + ENVELOPE_HEADER_BYTES;
        if (!(guard.call("get", () -> store.lookup(key, maxBytes)) instanceof TierResult.Answered<Lookup> answered)) {
            return Read.unavailable(); // fail-open
        }
        return interpret(key, answered.value());
    }

    /**
     * Reads and decodes every key of {@code keys} in one bulk call of the store, as {@link #read} reads one; under
     * fail-open an unavailable tier makes every read {@link Found#UNAVAILABLE}.
     *
     * @return one read per key, in the order of {@code keys}
     */
    List<Read<V>> readAll(List<String> keys) {
        long maxBytes = (long) maxValueBytes + ENVELOPE_HEADER_BYTES;
        List<Read<V>> reads = new ArrayList<>(keys.size());
        if (!(guard.call("getAll", () -> store.lookupAll(keys, maxBytes))
                instanceof TierResult.Answered<List<Lookup>> answered)) {
            keys.forEach(key -> reads.add(Read.unavailable())); // fail-open
            return reads;
        }
        List<Lookup> lookups = answered.value();
        if (lookups.size() != keys.size()) {
            throw new IllegalStateException("cache '" + cacheName + "': the store answered " + lookups.size()
                    + " reads for " + keys.size() + " keys");
        }
        for (int i = 0; i < keys.size(); i++) {
            reads.add(interpret(keys.get(i), requireNonNull(lookups.get(i), "lookup")));
        }
        return reads;
    }

    /** Returns the most bytes a read asks the store for: maxValueBytes and room for the envelope's header. */
    long maxReadBytes() {
        return (long) maxValueBytes + ENVELOPE_HEADER_BYTES;
    }

    /**
     * Makes a read of what a lookup of {@code key} found, read elsewhere (with at most {@link #maxReadBytes()}), as
     * {@link #read} makes one of its own lookup.
     */
    Read<V> interpret(String key, Lookup lookup) {
        if (lookup.isOversized()) {
            decodeFailed(
                    "cache '{}': a stored value has {} bytes, more than maxValueBytes {} allows; treating it as a"
                            + " miss and reloading it. Further decode failures are counted, not logged.",
                    cacheName,
                    lookup.length(),
                    maxValueBytes);
            return Read.miss(OptionalLong.of(lookup.lease()), lookup.isLocked());
        }
        Optional<byte[]> raw = lookup.value();
        if (raw.isEmpty()) {
            counters.miss();
            return Read.miss(OptionalLong.of(lookup.lease()), lookup.isLocked());
        }
        return decode(key, raw.get(), lookup.isLocked(), lookup.lease());
    }

    /** Returns the envelope of bytes this process encoded: when the value expires, when it was written. */
    Envelope envelopeOf(byte[] bytes) {
        return Envelope.parse(bytes, codec.id());
    }

    /**
     * Decodes the value of an expired envelope, to serve it stale: a fresh copy for each caller.
     *
     * @throws RuntimeException if the codec fails
     */
    V decodeExpired(Expired expired) {
        return requireNonNull(decodePayload(expired.envelope()), "decoded value");
    }

    /**
     * Encodes a cached null in an envelope that expires after {@code writeTtl}, the TTL the write gives the tier. Every
     * process that reads it returns {@code null} without loading until it expires.
     */
    byte[] encodeNull(long computeMillis, Duration writeTtl) {
        long now = clock.epochMillis();
        return Envelope.nullMarker(codec.id(), computeMillis, now + writeTtl.toMillis(), now)
                .toBytes();
    }

    /**
     * Decodes bytes this process encoded or already decoded once: a fresh copy for each caller, or null for a cached
     * null.
     */
    @Nullable
    V decodeFresh(byte[] bytes) {
        Envelope envelope = Envelope.parse(bytes, codec.id());
        return envelope.isNullMarker() ? null : decodePayload(envelope);
    }

    private Read<V> decode(String key, byte[] bytes, boolean locked, long seen) {
        try {
            if (bytes.length > (long) maxValueBytes + ENVELOPE_HEADER_BYTES) { // a store that ignored the limit
                throw new IllegalArgumentException(
                        "stored value of " + bytes.length + " bytes exceeds maxValueBytes " + maxValueBytes);
            }
            Envelope envelope = Envelope.parse(bytes, codec.id());
            if (clock.epochMillis() >= envelope.expiresAtMillis()) {
                // Still in the tier for a staleIfError grace (this process's or another's): a miss for everyone. Not
                // decoded now: only a failed reload needs the value, and a cached null is never served stale.
                counters.miss();
                return envelope.isNullMarker()
                        ? Read.miss(OptionalLong.of(seen), locked)
                        : Read.expired(new Expired(envelope, bytes), seen, locked);
            }
            // A null marker is honoured whatever this process's cacheNulls: the process that wrote it cached a null.
            V value = envelope.isNullMarker() ? null : requireNonNull(decodePayload(envelope), "decoded value");
            Stored<V> stored = new Stored<>(value, envelope, bytes);
            counters.hit();
            return Read.hit(stored, seen);
        } catch (Envelope.ForeignEnvelopeException e) {
            undecodable(e, "leaving it to the process that wrote it and loading without writing");
            return Read.foreign(locked, seen);
        } catch (RuntimeException e) {
            undecodable(e, "deleting it unless rewritten meanwhile, and reloading it");
            OptionalLong lease = guard.call("delete", () -> store.deleteIfUnchanged(key, bytes))
                    .orElse(OptionalLong.empty());
            // Without the delete's lease the read still saw the fence it found: a load after it is ordered, not bare.
            return lease.isPresent()
                    ? Read.miss(lease, locked)
                    : Read.<V>miss(OptionalLong.of(seen), locked).withoutLease();
        }
    }

    /**
     * Decodes the value in {@code envelope}, decompressing it first if it is compressed, to at most maxValueBytes (so
     * a compression bomb is a decode failure, not an OutOfMemoryError).
     *
     * @throws Envelope.ForeignEnvelopeException if the payload is compressed and this cache's codec does not compress
     */
    private V decodePayload(Envelope envelope) {
        if (!envelope.isCompressed()) {
            return codec.decode(envelope.payload());
        }
        if (!(codec instanceof CompressingCodec<V> compressing)) {
            // Written by a process with compression on: its to read, not this one's to delete.
            throw new Envelope.ForeignEnvelopeException(
                    "value compressed by codec '" + envelope.codecId() + "', which this process does not compress");
        }
        return codec.decode(compressing.decompress(envelope.payload(), maxValueBytes));
    }

    private void undecodable(RuntimeException e, String action) {
        decodeFailed(
                "cache '{}': a stored value could not be decoded ({}); treating it as a miss, {}. Further decode"
                        + " failures are counted, not logged.",
                cacheName,
                e.toString(),
                action);
    }

    /** Counts a decode failure and logs the first one, so that a bad deploy cannot flood the log. */
    private void decodeFailed(String format, Object... arguments) {
        counters.decodeFailure();
        if (decodeFailureLogged.compareAndSet(false, true)) {
            log.warn(format, arguments);
        }
    }
}
