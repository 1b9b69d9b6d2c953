package dev.cachet.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * A time limit for each jqwik property of a class, which jqwik lacks (Jupiter's {@code @Timeout} does not reach its
 * engine): when a property (all its tries) runs longer, its thread is interrupted and the property fails, naming the
 * limit. The tries run on jqwik's own thread, so code that ignores interrupts runs to its end first: keep blocking
 * calls bounded (a Redis client's socket timeout) so that a hang becomes a failure.
 *
 * <pre>{@code
 * @PropertyTimeout(seconds = 60)
 * class KeyProperties {
 *     @Property(tries = 500)
 *     void roundTrips(@ForAll String key) { ... }
 * }
 * }</pre>
 *
 * <p>Needs {@code net.jqwik:jqwik} on the test class path (an optional dependency of this module).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@AddLifecycleHook(PropertyTimeout.Hook.class)
public @interface PropertyTimeout {
    /** The most seconds one property (all its tries) may take. */
    int seconds();

    /** Interrupts a property that outlives the limit of its class's {@link PropertyTimeout}. */
    /** The hook {@link PropertyTimeout} installs; jqwik creates it. */
    final class Hook implements AroundPropertyHook {
        /** Creates the hook; jqwik calls this. */
        public Hook() {}

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            int seconds = context.findAnnotationsInContainer(PropertyTimeout.class).stream()
                    .findFirst()
                    .map(PropertyTimeout::seconds)
                    .orElseThrow(() -> new IllegalStateException("no @PropertyTimeout on " + context.label()));
            Thread runner = Thread.currentThread();
            // Guards the two flags, so that the alarm never interrupts the thread once the property has returned.
            Object lock = new Object();
            boolean[] state = new boolean[2]; // [0]: the property returned; [1]: the alarm interrupted it
            ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "property-timeout");
                thread.setDaemon(true);
                return thread;
            });
            ScheduledFuture<?> alarm = watchdog.schedule(
                    () -> {
                        synchronized (lock) {
                            if (!state[0]) {
                                state[1] = true;
                                runner.interrupt();
                            }
                        }
                    },
                    seconds,
                    TimeUnit.SECONDS);
            try {
                PropertyExecutionResult result = property.execute();
                synchronized (lock) {
                    state[0] = true;
                }
                if (!state[1]) {
                    return result;
                }
                Thread.interrupted(); // the alarm's interrupt, not the property's
                return result.mapToFailed(new AssertionError(
                        context.label() + " took longer than " + seconds + " s",
                        result.throwable().orElse(null)));
            } finally {
                alarm.cancel(false);
                watchdog.shutdownNow();
            }
        }
    }
}
