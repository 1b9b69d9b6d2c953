package dev.cachet.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs at most one load per key at a time; callers that arrive while a load is in flight wait for it and share its
 * outcome. Unlike Caffeine's {@code get(key, fn)}, the load runs outside any map lock, so a loader may read other keys
 * of the same cache (recursive memoisation) without "Recursive update" failures; a loader that asks for its own key
 * on the same thread is a true cycle and fails at once.
 *
 * <p>Thread-safe. A flight is discarded when its key is written or invalidated meanwhile ({@link #write}): the load
 * then still answers its waiters but does not store its result.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class SingleFlight<K, V> {

    /** What the cache does around a load: the steps that touch its storage and its copies. */
    public interface Participant<K, V> {
        /** Returns the value stored for {@code key} without touching statistics, or null. */
        @Nullable
        V lookupQuietly(K key);

        /** Prepares a loaded value for storing (a defensive copy); may throw, which fails the load. */
        V prepare(V loaded);

        /** Stores a prepared value; called only while the flight is still current. */
        void store(K key, V prepared);

        /** Returns what a waiting caller receives for a prepared value (its own copy). */
        V share(V prepared);

        /** Returns the time a load starts, for {@link #loadEnded}. */
        default long loadStarted() {
            return 0;
        }

        /** Records how a load that started at {@code start} ended. */
        default void loadEnded(long start, boolean succeeded) {}
    }

    /**
     * The flights each thread is running, outermost first, across every cache: a load that fails ends the flights it
     * nested that could not end themselves (see {@link #endFlightsFrom}).
     */
    private static final ThreadLocal<List<Flight<?>>> LOADS_ON_THIS_THREAD = ThreadLocal.withInitial(ArrayList::new);

    private final String cacheName;
    private final BiFunction<String, Throwable, RuntimeException> checkedFailure;
    private final ConcurrentHashMap<K, Flight<V>> flights = new ConcurrentHashMap<>();

    /**
     * Creates a single-flight group for one cache.
     *
     * @param cacheName used in error messages
     * @param checkedFailure wraps a checked exception thrown by a loader (given a message naming the cache and the
     *     key, and the exception); the cache decides the type, so that this package needs nothing from {@code
     *     dev.cachet}
     */
    public SingleFlight(String cacheName, BiFunction<String, Throwable, RuntimeException> checkedFailure) {
        this.cacheName = cacheName;
        this.checkedFailure = checkedFailure;
    }

    /**
     * Loads {@code key} or joins the load in flight. The caller that runs the loader gets the loader's own object;
     * waiting callers get {@link Participant#share shared} copies of the stored value.
     */
    public @Nullable V load(K key, Function<? super K, ? extends @Nullable V> loader, Participant<K, V> participant) {
        Flight<V> mine = new Flight<>(Thread.currentThread(), flights, key, false);
        Flight<V> current;
        while ((current = flights.putIfAbsent(key, mine)) != null) {
            if (!current.isWrite) {
                return await(key, current, participant);
            }
            awaitWrite(key, current);
        }
        List<Flight<?>> onThisThread = LOADS_ON_THIS_THREAD.get();
        int depth = onThisThread.size();
        onThisThread.add(mine);
        Throwable failure = null;
        try {
            return run(key, loader, participant, mine);
        } catch (Throwable t) {
            failure = t;
            throw propagate(key, t);
        } finally {
            endFlightsFrom(onThisThread, depth, failure);
        }
    }

    private @Nullable V run(
            K key, Function<? super K, ? extends @Nullable V> loader, Participant<K, V> participant, Flight<V> mine) {
        // A flight that ended between the caller's miss and our registration has stored its value already.
        V present = participant.lookupQuietly(key);
        if (present != null) {
            flights.remove(key, mine);
            mine.complete(present);
            return participant.share(present);
        }
        // Timing is done here, not in a wrapping lambda: every frame counts when a memoised function recurses.
        long start = participant.loadStarted();
        V loaded;
        try {
            loaded = loader.apply(key);
        } catch (Throwable t) {
            participant.loadEnded(start, false);
            throw t;
        }
        participant.loadEnded(start, true);
        V prepared = loaded == null ? null : participant.prepare(loaded);
        if (prepared != null) {
            // Storing may throw too (a weigher's bad weight): the flight then ends in endFlightsFrom like any failure.
            flights.computeIfPresent(key, (k, flight) -> {
                if (flight != mine) {
                    return flight;
                }
                participant.store(k, prepared);
                return null;
            });
        } else {
            flights.remove(key, mine);
        }
        mine.complete(prepared);
        return loaded;
    }

    /**
     * Ends the flights this thread registered from {@code depth} on: its own, and any deeper one (a nested load of
     * this or another cache) that could not end itself, because the {@link StackOverflowError} that unwound it struck
     * again in its own clean-up. Each unfinished one fails with {@code failure} and leaves its map, so that its waiters
     * wake up and the next call loads again: a flight must never be left registered and incomplete. If this clean-up
     * overflows too, the flights stay on the list for an enclosing load's clean-up, which has more stack.
     */
    private static void endFlightsFrom(List<Flight<?>> onThisThread, int depth, @Nullable Throwable failure) {
        for (int i = onThisThread.size() - 1; i >= depth; i--) {
            Flight<?> flight = onThisThread.get(i);
            if (!flight.isDone()) {
                flight.completeExceptionally(
                        failure != null ? failure : new IllegalStateException("a nested load was abandoned"));
            }
            flight.leaveGroup();
            onThisThread.remove(i);
        }
    }

    /**
     * Reloads {@code key}, whose stored value is still there (a refresh), as a flight of its own: unless a load or a
     * write of the key is in flight, in which case it returns false at once. Callers that miss meanwhile (the value
     * expired) join it; it stores its result only if no write of the key came since ({@link #write}), so a refresh
     * never undoes a put or an invalidation. A {@code null} result stores nothing. Returns true if it ran.
     *
     * @throws RuntimeException what the loader threw (a checked exception wrapped), after the flight ended
     */
    public boolean refresh(K key, Function<? super K, ? extends @Nullable V> loader, Participant<K, V> participant) {
        Flight<V> mine = new Flight<>(Thread.currentThread(), flights, key, false);
        if (flights.putIfAbsent(key, mine) != null) {
            return false;
        }
        List<Flight<?>> onThisThread = LOADS_ON_THIS_THREAD.get();
        int depth = onThisThread.size();
        onThisThread.add(mine);
        Throwable failure = null;
        try {
            long start = participant.loadStarted();
            V loaded;
            try {
                loaded = loader.apply(key);
            } catch (Throwable t) {
                participant.loadEnded(start, false);
                throw t;
            }
            participant.loadEnded(start, true);
            V prepared = loaded == null ? null : participant.prepare(loaded);
            if (prepared != null) {
                flights.computeIfPresent(key, (k, flight) -> {
                    if (flight != mine) {
                        return flight;
                    }
                    participant.store(k, prepared);
                    return null;
                });
            } else {
                flights.remove(key, mine);
            }
            mine.complete(prepared);
            return true;
        } catch (Throwable t) {
            failure = t;
            throw propagate(key, t);
        } finally {
            endFlightsFrom(onThisThread, depth, failure);
        }
    }

    /**
     * Runs {@code write} (a put or an invalidation of {@code key}'s stored value) as one step with respect to the loads
     * of {@code key}: a load that registered before it will not store its result (its waiters still get it), and a
     * load that starts while it runs waits for it and then finds the written state. So once the write has returned,
     * no load that began before it can store over it.
     */
    public void write(K key, Runnable write) {
        // Discarding first and writing afterwards, with nothing in between, let a load register in the gap, miss, and
        // store over the write after it had returned (issue 10, violation 2). The marker closes the gap without
        // running the write (a weigher, a listener: user code) under the map's lock.
        Flight<V> marker = new Flight<>(Thread.currentThread(), flights, key, true);
        flights.put(key, marker);
        try {
            write.run();
        } finally {
            marker.leaveGroup();
            marker.complete(null);
        }
    }

    /**
     * Runs {@code write}, a put or an invalidation of every key of {@code keys} (a bulk call to a remote tier), as one
     * step with respect to the loads of each key, as {@link #write} does for one key.
     */
    public void writeAll(Collection<? extends K> keys, Runnable write) {
        List<Flight<V>> markers = new ArrayList<>(keys.size());
        for (K key : keys) {
            Flight<V> marker = new Flight<>(Thread.currentThread(), flights, key, true);
            flights.put(key, marker);
            markers.add(marker);
        }
        try {
            write.run();
        } finally {
            for (Flight<V> marker : markers) {
                marker.leaveGroup();
                marker.complete(null);
            }
        }
    }

    /**
     * Makes the flight of {@code key}, if any, forget to store its result; its waiters still get it. A write that
     * follows should use {@link #write} instead, which leaves no gap between the two.
     */
    public void discard(K key) {
        flights.remove(key);
    }

    /** {@link #discard Discards} every load in flight; writes in progress keep their place (see {@link #write}). */
    public void discardAll() {
        // Removing an entry takes its slot's lock, under which a load stores: a load that registered before this call
        // has stored or will not store once it returns.
        flights.values().removeIf(flight -> !flight.isWrite);
    }

    /** Returns the number of loads in flight; zero when the cache is quiescent. */
    public int inFlight() {
        return flights.size();
    }

    /** Waits for a write of {@code key} to end; the load then starts over and finds what it wrote. */
    private void awaitWrite(K key, Flight<V> write) {
        if (write.owner == Thread.currentThread()) {
            throw new IllegalStateException("recursive load: cache '" + cacheName + "' is writing key " + key
                    + " on this thread; a weigher or listener must not load the key being written");
        }
        write.join();
    }

    private @Nullable V await(K key, Flight<V> flight, Participant<K, V> participant) {
        if (flight.owner == Thread.currentThread()) {
            throw new IllegalStateException("recursive load: cache '" + cacheName + "' is already loading key " + key
                    + " on this thread; a loader must not ask for the key it is loading");
        }
        V shared;
        try {
            shared = flight.join();
        } catch (CompletionException e) {
            throw propagate(key, e.getCause());
        }
        return shared == null ? null : participant.share(shared);
    }

    private RuntimeException propagate(K key, Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return checkedFailure.apply("loader of cache '" + cacheName + "' failed for key " + key, t);
    }

    /**
     * A load in flight, or a write in progress ({@link #write}); remembers its thread to tell a cycle from a wait, and
     * its group to leave it when it ends.
     */
    private static final class Flight<V> extends CompletableFuture<V> {
        final Thread owner;
        final boolean isWrite;
        private final ConcurrentHashMap<?, ?> group;
        private final Object key;

        Flight(Thread owner, ConcurrentHashMap<?, ?> group, Object key, boolean write) {
            this.owner = owner;
            this.group = group;
            this.key = key;
            this.isWrite = write;
        }

        /** Leaves the group's map, unless a discard already removed it or another flight took its place. */
        void leaveGroup() {
            group.remove(key, this);
        }
    }
}
