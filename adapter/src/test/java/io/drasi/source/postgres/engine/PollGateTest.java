package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.engine.PollGate.Step;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gate's decisions are checked without clocks; the blocking paths only with waits that end by a signal long
 * before their (generous) bound, so a loaded machine cannot make them fail.
 */
class PollGateTest {

    private static final long LONG = TimeUnit.MINUTES.toMillis(10);

    @Test
    void next_beforeActivation_alwaysPolls() {
        PollGate gate = new PollGate(LONG, 10, 3, 100);
        gate.afterPoll(0);
        assertThat(gate.next()).isEqualTo(Step.POLL);
    }

    @Test
    void next_afterEmptyPoll_awaitsData() {
        PollGate gate = active(10);
        gate.afterPoll(5);
        assertThat(gate.next()).isEqualTo(Step.POLL);
        gate.afterPoll(0);
        assertThat(gate.next()).isEqualTo(Step.AWAIT_DATA);
    }

    @Test
    void next_busyAfterThreePartialPolls_lingersUntilEmptyOrFull() {
        PollGate gate = active(10);
        gate.afterPoll(1);
        gate.afterPoll(1);
        assertThat(gate.next()).as("two in a row").isEqualTo(Step.POLL);
        gate.afterPoll(1);
        assertThat(gate.next()).as("three in a row").isEqualTo(Step.LINGER);
        gate.afterPoll(100);
        assertThat(gate.next()).as("a full batch: more is waiting, poll at once").isEqualTo(Step.POLL);
        gate.afterPoll(0);
        gate.afterPoll(1);
        gate.afterPoll(1);
        assertThat(gate.next()).as("the count restarts after an empty poll").isEqualTo(Step.POLL);
    }

    @Test
    void next_lingerZero_neverLingers() {
        PollGate gate = active(0);
        for (int i = 0; i < 10; i++) {
            gate.afterPoll(1);
        }
        assertThat(gate.next()).isEqualTo(Step.POLL);
    }

    @Test
    void next_closed_pollsWithoutWaiting() throws InterruptedException {
        PollGate gate = active(10);
        gate.afterPoll(0);
        gate.close();
        assertThat(gate.next()).isEqualTo(Step.POLL);
        assertThat(gate.beforePoll()).isEqualTo(Step.POLL);
    }

    @Test
    void beforePoll_dataReadWhilePolling_returnsWithoutWaiting() throws InterruptedException {
        PollGate gate = active(10);
        gate.beforePoll();  // takes the read count
        gate.dataRead();    // the streaming thread read while the poll ran...
        gate.afterPoll(0);  // ...but the poll had come back empty just before
        long t0 = System.nanoTime();
        assertThat(gate.beforePoll()).isEqualTo(Step.AWAIT_DATA);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("no lost wake-up").isLessThan(LONG / 2);
    }

    @Test
    void beforePoll_waitingForData_wokenByRead() throws Exception {
        PollGate gate = active(10);
        gate.beforePoll();
        gate.afterPoll(0);
        CompletableFuture<Step> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.beforePoll();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitWaiting(waiter);
        gate.dataRead();
        assertThat(waiter.get(1, TimeUnit.MINUTES)).isEqualTo(Step.AWAIT_DATA);
    }

    @Test
    void beforePoll_waitingForData_wokenByClose() throws Exception {
        PollGate gate = active(10);
        gate.beforePoll();
        gate.afterPoll(0);
        CompletableFuture<Step> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.beforePoll();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitWaiting(waiter);
        gate.close();
        assertThat(waiter.get(1, TimeUnit.MINUTES)).isEqualTo(Step.AWAIT_DATA);
    }

    @Test
    void beforePoll_waitingForData_wokenByReadFailure_laterWaitsShort() throws Exception {
        PollGate gate = active(10);
        gate.beforePoll();
        gate.afterPoll(0);
        assertThat(gate.waitBoundMs()).isEqualTo(LONG);
        CompletableFuture<Step> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.beforePoll();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitWaiting(waiter);
        gate.readFailed();
        assertThat(waiter.get(1, TimeUnit.MINUTES)).isEqualTo(Step.AWAIT_DATA);
        assertThat(gate.waitBoundMs()).isEqualTo(PollGate.FAILING_WAIT_MS);
    }

    @Test
    void beforePoll_interrupted_throwsInterruptedException() throws Exception {
        PollGate gate = active(10);
        gate.beforePoll();
        gate.afterPoll(0);
        CountDownLatch interrupted = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                gate.beforePoll();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        t.start();
        t.interrupt();
        assertThat(interrupted.await(1, TimeUnit.MINUTES)).isTrue();
        t.join();
    }

    @Test
    void constructor_invalidBounds_refused() {
        assertThatThrownBy(() -> new PollGate(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollGate(1, -1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollGate(1, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static PollGate active(long lingerMs) {
        PollGate gate = new PollGate(LONG, lingerMs, 3, 100);
        gate.activate();
        return gate;
    }

    /** Gives the waiter time to block; if it has not yet, the wake-up still counts (no lost wake-up). */
    private static void awaitWaiting(CompletableFuture<?> waiter) throws InterruptedException {
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
    }
}
