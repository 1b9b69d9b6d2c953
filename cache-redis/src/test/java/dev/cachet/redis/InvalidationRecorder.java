package dev.cachet.redis;

import static org.assertj.core.api.Assertions.fail;

import dev.cachet.spi.InvalidationListener;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what an invalidation channel delivers, as {@code key <key>}, {@code all} and {@code lost}, in order. */
class InvalidationRecorder implements InvalidationListener {
    static final Duration WAIT = Duration.ofSeconds(5);

    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final AtomicInteger lost = new AtomicInteger();

    @Override
    public void onInvalidate(String key) {
        events.add("key " + key);
    }

    @Override
    public void onInvalidateAll() {
        events.add("all");
    }

    @Override
    public void onMessagesLost() {
        lost.incrementAndGet();
        events.add("lost");
    }

    /** Returns the next event, waiting up to five seconds. */
    String next() {
        try {
            String event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("No invalidation within " + WAIT);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted waiting for an invalidation", e);
        }
    }
}
