package dev.cachet.redis;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * One message of a {@link RedisInvalidationChannel}, and its format on the wire: UTF-8 text,
 *
 * <pre>
 * 1:&lt;origin&gt;:k:&lt;escaped key&gt;                                  the key changed
 * 1:&lt;origin&gt;:b:&lt;count&gt;:{&lt;length&gt;:&lt;escaped key&gt;}           each of count keys changed (a batch)
 * 1:&lt;origin&gt;:a                                                every key changed
 * </pre>
 *
 * <p>{@code 1} is the format's version; {@code <origin>} is the sender's id, 32 hex digits drawn at random once per
 * {@link RedisTier} ({@link #newOriginId()}); the key, never the value, is escaped as in {@link
 * KeyLayout#escape(String)} (so that a key with an unpaired surrogate survives UTF-8 exactly) and may contain colons,
 * as it runs to the end; in a batch each escaped key follows its length in chars, so keys may contain anything.
 *
 * <p>A batch ({@code b}, sent by {@code publishEach}) is the newest type. A process that predates it fails to parse it
 * and, as for every unreadable message, drops every key of its near tier: more evictions, never a missed one.
 *
 * <p><b>Acknowledgement requests.</b> A message of an acknowledged write carries its acknowledgement id after the
 * origin: {@code 1:<origin>+<id>:k:<key>} (and so on for each type), {@code <id>} a positive decimal number unique
 * in the sending process. A receiver that applied it answers on the sender's acknowledgement channel ({@link
 * #ackChannel}) with its own receiver id and the id; several ids for the same sender may go as one answer, {@code
 * <receiver>:<id>{,<id>}} ({@link #encodeAnswer}). The receiver id, 32 hex digits drawn at random once per subscription,
 * lets the sender count each receiver once, however many copies of a message reached it. A process that predates
 * acknowledgements reads {@code <origin>+<id>} as a foreign origin and applies the message as usual, but does not
 * answer; one that answers without a receiver id is not understood. The sender's wait for either runs out.
 *
 * <p><b>Ahead messages.</b> A message sent before the write it announces ({@code publishAhead}) ends its origin with
 * {@code ~}: {@code 1:<origin>~:k:<key>}. A receiver drops the key without counting the message; a process that
 * predates ahead messages reads a foreign origin and drops the key as for any message.
 *
 * @param origin the sender's origin id
 * @param keys the keys that changed, or empty for every key
 * @param ackId the acknowledgement id the sender waits for, or 0 if it waits for none
 * @param ahead whether the message announces a write still to come
 */
record InvalidationMessage(String origin, List<String> keys, long ackId, boolean ahead) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final String VERSION = "1";
    private static final char KEY_TYPE = 'k';
    private static final char ALL_TYPE = 'a';
    private static final char BATCH_TYPE = 'b';

    private static final char ACK_SEPARATOR = '+';
    private static final char AHEAD_MARK = '~';

    InvalidationMessage {
        requireNonNull(origin, "origin");
        keys = List.copyOf(keys);
    }

    /** A message no acknowledgement is asked for. */
    InvalidationMessage(String origin, List<String> keys) {
        this(origin, keys, 0, false);
    }

    /** A message of a write that has been done. */
    InvalidationMessage(String origin, List<String> keys, long ackId) {
        this(origin, keys, ackId, false);
    }

    /** Returns the sender field of a message from {@code origin} that announces a write still to come. */
    static String aheadSender(String origin) {
        return origin + AHEAD_MARK;
    }

    /** Returns whether the sender waits for an acknowledgement of this message. */
    boolean wantsAck() {
        return ackId > 0;
    }

    /**
     * Returns the channel on which {@code origin} hears acknowledgements of its messages on {@code channel}: {@code
     * <channel>:acks:<origin>}.
     */
    static String ackChannel(String channel, String origin) {
        return channel + ":acks:" + origin;
    }

    /** Returns the sender field of a message from {@code origin} that asks for acknowledgement {@code ackId}. */
    static String sender(String origin, long ackId) {
        if (ackId <= 0) {
            throw new IllegalArgumentException("ackId must be positive, was " + ackId);
        }
        return origin + ACK_SEPARATOR + ackId;
    }

    /** An answer: the receiver that applied the messages, and their acknowledgement ids. */
    record Answer(String receiver, List<Long> ids) {
        Answer {
            requireNonNull(receiver, "receiver");
            ids = List.copyOf(ids);
        }
    }

    /** Returns the answer of {@code receiver}, which applied the messages {@code ids}, encoded. */
    static String encodeAnswer(String receiver, Collection<Long> ids) {
        StringBuilder out = new StringBuilder(receiver.length() + 1 + ids.size() * 8).append(receiver);
        char separator = ':';
        for (long id : ids) {
            out.append(separator).append(id);
            separator = ',';
        }
        return out.toString();
    }

    /**
     * Parses an answer.
     *
     * @throws IllegalArgumentException if it is not a receiver id followed by a list of positive ids
     */
    static Answer decodeAnswer(String message) {
        int separator = message.indexOf(':');
        if (separator <= 0) {
            throw new IllegalArgumentException("no receiver id");
        }
        return new Answer(message.substring(0, separator), decodeIds(message.substring(separator + 1)));
    }

    /**
     * Parses a list of acknowledgement ids.
     *
     * @throws IllegalArgumentException if it is not a list of positive ids
     */
    private static List<Long> decodeIds(String message) {
        List<Long> ids = new ArrayList<>();
        int at = 0;
        while (at <= message.length()) {
            int end = message.indexOf(',', at);
            if (end < 0) {
                end = message.length();
            }
            if (end == at || end - at > 18) {
                throw new IllegalArgumentException("bad acknowledgement id at index " + at);
            }
            long id = 0;
            for (int i = at; i < end; i++) {
                char c = message.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("bad acknowledgement id at index " + at);
                }
                id = id * 10 + (c - '0');
            }
            ids.add(id);
            at = end + 1;
        }
        return ids;
    }

    /** Returns true if the message says that every key changed. */
    boolean isAll() {
        return keys.isEmpty();
    }

    /** Returns a new random origin id: 32 hex digits. */
    static String newOriginId() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return HEX.formatHex(random);
    }

    /** Returns the message from {@code origin} that {@code key} changed, encoded. */
    static String encodeKey(String origin, String key) {
        return VERSION + ':' + origin + ':' + KEY_TYPE + ':' + KeyLayout.escape(key);
    }

    /**
     * Returns the message from {@code origin} that each of {@code keys} changed, encoded as one batch.
     *
     * @throws IllegalArgumentException if {@code keys} is empty
     */
    static String encodeBatch(String origin, Collection<String> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one key");
        }
        StringBuilder message = new StringBuilder(VERSION.length() + origin.length() + 16 + keys.size() * 16);
        message.append(VERSION)
                .append(':')
                .append(origin)
                .append(':')
                .append(BATCH_TYPE)
                .append(':')
                .append(keys.size())
                .append(':');
        for (String key : keys) {
            String escaped = KeyLayout.escape(key);
            message.append(escaped.length()).append(':').append(escaped);
        }
        return message.toString();
    }

    /** Returns the message from {@code origin} that every key changed, encoded. */
    static String encodeAll(String origin) {
        return VERSION + ':' + origin + ':' + ALL_TYPE;
    }

    /**
     * Parses a message.
     *
     * @throws IllegalArgumentException if it is not in this format
     */
    static InvalidationMessage decode(String message) {
        int versionEnd = message.indexOf(':');
        if (versionEnd < 0 || !message.substring(0, versionEnd).equals(VERSION)) {
            throw new IllegalArgumentException("not version " + VERSION);
        }
        int originEnd = message.indexOf(':', versionEnd + 1);
        if (originEnd <= versionEnd + 1 || originEnd + 1 >= message.length()) {
            throw new IllegalArgumentException("no origin and type");
        }
        String sender = message.substring(versionEnd + 1, originEnd);
        long ackId = 0;
        boolean ahead = false;
        int separator = sender.indexOf(ACK_SEPARATOR);
        if (sender.length() > 1 && sender.indexOf(AHEAD_MARK) == sender.length() - 1) {
            ahead = true;
            sender = sender.substring(0, sender.length() - 1);
        } else if (separator >= 0) {
            ackId = parseAckId(sender, separator + 1);
            sender = sender.substring(0, separator);
        }
        char type = message.charAt(originEnd + 1);
        int rest = originEnd + 2;
        if (type == ALL_TYPE && rest == message.length()) {
            return new InvalidationMessage(sender, List.of(), ackId, ahead);
        }
        if (type == KEY_TYPE && rest < message.length() && message.charAt(rest) == ':') {
            return new InvalidationMessage(sender, List.of(unescape(message.substring(rest + 1))), ackId, ahead);
        }
        if (type == BATCH_TYPE && rest < message.length() && message.charAt(rest) == ':') {
            return new InvalidationMessage(sender, decodeBatch(message, rest + 1), ackId, ahead);
        }
        throw new IllegalArgumentException("unknown type");
    }

    /** Parses {@code <count>:{<length>:<escaped key>}} from {@code from} to the end of {@code message}. */
    private static List<String> decodeBatch(String message, int from) {
        int at = from;
        int countEnd = message.indexOf(':', at);
        int count = parseCount(message, at, countEnd, "key count");
        if (count == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        at = countEnd + 1;
        List<String> keys = new ArrayList<>(Math.min(count, 10_000));
        for (int i = 0; i < count; i++) {
            int lengthEnd = message.indexOf(':', at);
            int length = parseCount(message, at, lengthEnd, "key length");
            at = lengthEnd + 1;
            if (length > message.length() - at) {
                throw new IllegalArgumentException("batch key " + i + " runs past the end");
            }
            keys.add(unescape(message.substring(at, at + length)));
            at += length;
        }
        if (at != message.length()) {
            throw new IllegalArgumentException("text after the batch's last key");
        }
        return keys;
    }

    private static long parseAckId(String sender, int from) {
        List<Long> ids = decodeIds(sender.substring(from));
        if (ids.size() != 1 || ids.get(0) <= 0 || from == 1) {
            throw new IllegalArgumentException("bad acknowledgement id");
        }
        return ids.get(0);
    }

    private static int parseCount(String message, int from, int end, String what) {
        if (end <= from || end - from > 9) {
            throw new IllegalArgumentException("no " + what);
        }
        for (int i = from; i < end; i++) {
            if (message.charAt(i) < '0' || message.charAt(i) > '9') {
                throw new IllegalArgumentException("bad " + what);
            }
        }
        return Integer.parseInt(message, from, end, 10);
    }

    /**
     * Reverses {@link KeyLayout#escape(String)}.
     *
     * @throws IllegalArgumentException if {@code text} has a {@code %} that escaping cannot have written
     */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                out.append(c);
            } else if (text.startsWith("25", i + 1)) {
                out.append('%');
                i += 2;
            } else if (text.startsWith("7B", i + 1)) {
                out.append('{');
                i += 2;
            } else if (text.startsWith("7D", i + 1)) {
                out.append('}');
                i += 2;
            } else if (text.startsWith("u", i + 1) && i + 6 <= text.length() && isHex(text, i + 2, i + 6)) {
                out.append((char) HexFormat.fromHexDigits(text, i + 2, i + 6));
                i += 5;
            } else {
                throw new IllegalArgumentException("bad escape at index " + i + " of the key");
            }
        }
        return out.toString();
    }

    private static boolean isHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
