package dev.cachet.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one read of a {@link RemoteStore} key found, in one atomic step: the stored bytes (or only their length, when
 * over the limit the reader set), whether a loader holds the key's lock, and the key's <em>lease</em>.
 *
 * <p>The lease is the key's fence counter at the moment of the read (memcache's lease token, NSDI 2013). Every {@link
 * RemoteStore#put put}, {@link RemoteStore#delete delete}, {@link RemoteStore#tryLock lock} and successful {@link
 * RemoteStore#putIfUnchanged leased write} of the key changes the fence in the same atomic step as its effect, so a
 * lease still equal to the fence proves that none of them happened since the read. A value loaded after a miss is
 * written with {@link RemoteStore#putIfUnchanged} and that lease: a load that began before a write or an invalidation
 * returned can then never undo it. Leases are opaque: compare them only for equality; {@code 0} is the lease of a key
 * that has no fence yet, unless the store hands out another one for it ({@link RemoteStore#lookupAll}).
 *
 * <p>Immutable and thread-safe; the bytes are not copied, and must not be changed.
 */
public final class Lookup {
    private final byte @Nullable [] value;
    private final long length;
    private final long lease;
    private final boolean locked;

    private Lookup(byte @Nullable [] value, long length, long lease, boolean locked) {
        this.value = value;
        this.length = length;
        this.lease = lease;
        this.locked = locked;
    }

    /**
     * Returns a read that found {@code value}.
     *
     * @param lease the key's lease when the value was read
     * @param locked whether a loader held the key's lock
     * @throws NullPointerException if {@code value} is null
     */
    public static Lookup hit(byte[] value, long lease, boolean locked) {
        requireNonNull(value, "value");
        return new Lookup(value, value.length, lease, locked);
    }

    /**
     * Returns a read that found no value.
     *
     * @param lease the key's lease, which lets the reader fill the key with {@link RemoteStore#putIfUnchanged}
     * @param locked whether a loader held the key's lock
     */
    public static Lookup miss(long lease, boolean locked) {
        return new Lookup(null, -1, lease, locked);
    }

    /**
     * Returns a read that found a value of {@code length} bytes, more than the reader asked for, and did not read it.
     *
     * @param lease the key's lease, which lets the reader replace the value with {@link RemoteStore#putIfUnchanged}
     * @param locked whether a loader held the key's lock
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public static Lookup oversized(long length, long lease, boolean locked) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, was " + length);
        }
        return new Lookup(null, length, lease, locked);
    }

    /** Returns the bytes read, or empty when no value was stored or it was {@link #isOversized() too long}. */
    public Optional<byte[]> value() {
        return Optional.ofNullable(value);
    }

    /** Returns true if a value was stored but not read, because it was longer than the reader's limit. */
    public boolean isOversized() {
        return value == null && length >= 0;
    }

    /** Returns the stored value's length in bytes, or -1 when no value was stored. */
    public long length() {
        return length;
    }

    /** Returns the key's lease at the moment of the read; see the class description. */
    public long lease() {
        return lease;
    }

    /** Returns true if a loader held the key's lock ({@link RemoteStore#tryLock}) at the moment of the read. */
    public boolean isLocked() {
        return locked;
    }

    @Override
    public String toString() {
        String found = value != null ? length + " bytes" : isOversized() ? "oversized, " + length + " bytes" : "miss";
        return "Lookup[" + found + ", lease=" + lease + (locked ? ", locked" : "") + ']';
    }
}
