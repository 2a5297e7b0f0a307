package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.engine.PollGate.Step;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The gate's decisions are checked without clocks; the blocking paths only with waits that end by a signal long
 * before their (generous) bound, so a loaded machine cannot make them fail.
 */
class PollGateTest {

    private static final long LONG = TimeUnit.MINUTES.toMillis(10);

    private static final long MS = 1_000_000L;

    @Test
    void next_beforeActivation_alwaysPolls() {
        PollGate gate = new PollGate(LONG, 10, 100);
        gate.afterPoll(0);
        assertThat(gate.next(System.nanoTime())).isEqualTo(Step.POLL);
    }

    @Test
    void next_afterEmptyOrPartialPoll_awaitsData_afterFullBatch_pollsAtOnce() throws InterruptedException {
        PollGate gate = active(0);
        assertNext(gate, System.nanoTime(), Step.AWAIT_DATA, "first poll");
        gate.afterPoll(0);
        assertThat(gate.next(System.nanoTime())).isEqualTo(Step.AWAIT_DATA);
        gate.afterPoll(5);
        assertNext(gate, System.nanoTime(), Step.AWAIT_DATA, "no empty poll while data flows");
        gate.afterPoll(100);
        assertNext(gate, System.nanoTime(), Step.POLL, "a full batch: a backlog, poll at once");
    }

    @Test
    void next_recordsWithinTheLinger_linger_otherwiseAwaitData() throws InterruptedException {
        PollGate gate = active(10);
        gate.dataRead();
        gate.beforePoll(); // data already signalled: no wait; the poll begins now
        long began = System.nanoTime();
        gate.afterPoll(3);
        assertNext(gate, began + 2 * MS, Step.LINGER, "records, 2 ms after the poll began");
        assertNext(gate, began + 60 * MS, Step.AWAIT_DATA, "records, but the linger has passed");
        gate.afterPoll(0);
        assertNext(gate, began + 2 * MS, Step.AWAIT_DATA, "an empty poll: the next change goes at once");
        gate.afterPoll(100);
        assertNext(gate, began + 2 * MS, Step.POLL, "a full batch is not lingered after");
    }

    @Test
    void next_lingerZero_neverLingers() throws InterruptedException {
        PollGate gate = active(0);
        gate.dataRead();
        gate.beforePoll();
        gate.afterPoll(1);
        assertThat(gate.next(System.nanoTime())).isEqualTo(Step.AWAIT_DATA);
    }

    @Test
    void next_closed_pollsWithoutWaiting() throws InterruptedException {
        PollGate gate = active(10);
        gate.afterPoll(0);
        gate.close();
        assertThat(gate.next(System.nanoTime())).isEqualTo(Step.POLL);
        assertThat(gate.beforePoll()).isEqualTo(Step.POLL);
    }

    @Test
    void beforePoll_dataReadWhilePolling_returnsWithoutWaiting() throws InterruptedException {
        PollGate gate = active(10);
        gate.dataRead();
        gate.beforePoll(); // takes the read count
        gate.dataRead(); // the streaming thread queued data while the poll ran...
        gate.afterPoll(0); // ...but the poll had come back empty just before
        long t0 = System.nanoTime();
        assertThat(gate.beforePoll()).isEqualTo(Step.AWAIT_DATA);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                .as("no lost wake-up")
                .isLessThan(LONG / 2);
    }

    @Test
    void beforePoll_waitingForData_wokenByRead() throws Exception {
        assertWokenBy(afterEmptyPoll(), PollGate::dataRead);
    }

    @Test
    void beforePoll_waitingForData_wokenByClose() throws Exception {
        assertWokenBy(afterEmptyPoll(), PollGate::close);
    }

    @Test
    void beforePoll_waitingForData_wokenByReadFailure_laterWaitsShort() throws Exception {
        PollGate gate = afterEmptyPoll();
        assertThat(gate.waitBoundMs()).isEqualTo(LONG);
        assertWokenBy(gate, PollGate::readFailed);
        assertThat(gate.waitBoundMs()).isEqualTo(PollGate.FAILING_WAIT_MS);
    }

    /** A {@code beforePoll} waiting for data on another thread returns {@code AWAIT_DATA} once {@code wake} ran. */
    private static void assertWokenBy(PollGate gate, Consumer<PollGate> wake) throws Exception {
        CompletableFuture<Step> waiter = waitingBeforePoll(gate);
        wake.accept(gate);
        assertThat(waiter.get(1, TimeUnit.MINUTES)).isEqualTo(Step.AWAIT_DATA);
    }

    @Test
    void beforePoll_interrupted_throwsInterruptedException() throws Exception {
        PollGate gate = afterEmptyPoll();
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
        assertThatThrownBy(() -> new PollGate(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollGate(1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollGate(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertNext(PollGate gate, long nowNanos, Step expected, String why)
            throws InterruptedException {
        assertThat(gate.next(nowNanos)).as(why).isEqualTo(expected);
    }

    private static PollGate active(long lingerMs) {
        PollGate gate = new PollGate(LONG, lingerMs, 100);
        gate.activate();
        return gate;
    }

    /** @return an active gate whose last poll came back empty: the next {@code beforePoll} waits for data */
    private static PollGate afterEmptyPoll() throws InterruptedException {
        PollGate gate = active(10);
        gate.dataRead();
        gate.beforePoll();
        gate.afterPoll(0);
        return gate;
    }

    /**
     * Calls {@code beforePoll} on another thread and gives it time to block; if it has not blocked yet, a wake-up
     * still counts (no lost wake-up).
     */
    private static CompletableFuture<Step> waitingBeforePoll(PollGate gate) throws InterruptedException {
        CompletableFuture<Step> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.beforePoll();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        return waiter;
    }
}
