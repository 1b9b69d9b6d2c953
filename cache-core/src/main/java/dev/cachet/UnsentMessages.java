package dev.cachet;

import dev.cachet.spi.InvalidationChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the invalidation messages a near cache could not send were about, to send again once a message goes through:
 * until then other processes may still hold the copies those messages would have dropped. Bounded: past {@value
 * #MAX_KEYS} keys, or once a message about every key was lost, what is owed is one message that drops every key.
 * Thread-safe; a key owed while another thread sends again may go twice, which only drops a copy twice.
 */
final class UnsentMessages {
    static final int MAX_KEYS = 10_000;

    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean all = new AtomicBoolean();

    /** Owes a message about {@code encodedKeys}. */
    void owe(Collection<String> encodedKeys) {
        if (all.get()) {
            return;
        }
        if (keys.size() + encodedKeys.size() > MAX_KEYS) {
            oweAll();
        } else {
            keys.addAll(encodedKeys);
        }
    }

    /** Owes a message that drops every key, which stands for every key owed. */
    void oweAll() {
        all.set(true);
        keys.clear();
    }

    /** Owes nothing any more: every other process has dropped its copies by other means. */
    void forgive() {
        all.set(false);
        keys.clear();
    }

    boolean isEmpty() {
        return !all.get() && keys.isEmpty();
    }

    /**
     * Sends what is owed through {@code channel}: one message about every key, or one message per batch of the keys.
     * What could not be sent is owed again.
     *
     * @return how many keys the message was about, or -1 for every key
     * @throws CacheUnavailableException if the channel could not send it
     */
    int sendAgain(InvalidationChannel channel) {
        if (all.get() && all.compareAndSet(true, false)) {
            keys.clear();
            try {
                channel.publishAll();
            } catch (CacheUnavailableException e) {
                oweAll();
                throw e;
            }
            return -1;
        }
        List<String> owed = new ArrayList<>();
        for (Iterator<String> it = keys.iterator(); it.hasNext(); ) {
            owed.add(it.next());
            it.remove();
        }
        if (!owed.isEmpty()) {
            try {
                channel.publishEach(owed);
            } catch (CacheUnavailableException e) {
                owe(owed);
                throw e;
            }
        }
        return owed.size();
    }
}
