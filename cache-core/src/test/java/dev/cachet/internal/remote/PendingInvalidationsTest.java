package dev.cachet.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingInvalidationsTest {
    private final List<String> calls = new ArrayList<>();
    private final List<String> applied = new ArrayList<>();
    private final PendingInvalidations.Applied recorder = new PendingInvalidations.Applied() {
        @Override
        public void applied(String key) {
            applied.add(key);
        }

        @Override
        public void appliedAll() {
            applied.add("*");
        }
    };

    private PendingInvalidations.Target target(Runnable duringDelete) {
        return new PendingInvalidations.Target() {
            @Override
            public void delete(String key) {
                calls.add(key);
                duringDelete.run();
            }

            @Override
            public void deleteAll() {
                calls.add("*");
                duringDelete.run();
            }
        };
    }

    @Test
    void appliesEachKeyOnceAndEmpties() {
        PendingInvalidations pending = new PendingInvalidations(10);
        pending.add("a");
        pending.add("b");
        pending.add("a");
        assertThat(pending.size()).isEqualTo(2);

        assertThat(pending.replay(target(() -> {}), recorder)).isEqualTo(PendingInvalidations.Replay.CLEAR);

        assertThat(calls).containsExactlyInAnyOrder("a", "b");
        assertThat(applied).containsExactlyInAnyOrder("a", "b");
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void pastTheCapacityOneInvalidateAllReplacesTheKeys() {
        PendingInvalidations pending = new PendingInvalidations(2);
        pending.add("a");
        pending.add("b");
        pending.add("c");
        assertThat(pending.size()).isEqualTo(1);
        assertThat(pending).hasToString("PendingInvalidations[all]");

        pending.replay(target(() -> {}), recorder);

        assertThat(calls).containsExactly("*");
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void aKeyThatFailsAgainWhileItIsAppliedStaysPending() {
        PendingInvalidations pending = new PendingInvalidations(10);
        pending.add("a");

        PendingInvalidations.Replay replay = pending.replay(target(() -> pending.add("a")), recorder);

        assertThat(replay).isEqualTo(PendingInvalidations.Replay.PENDING);
        assertThat(pending.size()).isEqualTo(1);
    }

    @Test
    void aKeyThatFailsWhileAnInvalidateAllIsAppliedKeepsItPending() {
        PendingInvalidations pending = new PendingInvalidations(10);
        pending.addAll();

        pending.replay(target(() -> pending.add("a")), recorder);

        assertThat(pending.size())
                .as("the scan may have passed the key already")
                .isEqualTo(1);
        assertThat(pending).hasToString("PendingInvalidations[all]");
    }

    @Test
    void aFailureKeepsWhatWasNotApplied() {
        PendingInvalidations pending = new PendingInvalidations(10);
        pending.add("a");
        pending.add("b");
        PendingInvalidations.Target failing = new PendingInvalidations.Target() {
            @Override
            public void delete(String key) {
                throw new IllegalStateException("down");
            }

            @Override
            public void deleteAll() {
                throw new IllegalStateException("down");
            }
        };

        assertThatThrownBy(() -> pending.replay(failing, recorder)).hasMessage("down");

        assertThat(pending.size()).isEqualTo(2);
        assertThat(applied).isEmpty();
    }

    @Test
    void whileAnotherThreadReplaysTheReplayIsBusy() throws Exception {
        PendingInvalidations pending = new PendingInvalidations(10);
        pending.add("a");
        CountDownLatch deleting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<PendingInvalidations.Replay> first = other.submit(() -> pending.replay(
                    target(() -> {
                        deleting.countDown();
                        await(release);
                    }),
                    recorder));
            assertThat(deleting.await(5, TimeUnit.SECONDS)).isTrue();

            assertThat(pending.replay(target(() -> {}), recorder)).isEqualTo(PendingInvalidations.Replay.BUSY);

            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(PendingInvalidations.Replay.CLEAR);
        } finally {
            other.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void rejectsANonPositiveCapacity() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PendingInvalidations(0))
                .withMessage("capacity must be positive, was 0");
    }
}
