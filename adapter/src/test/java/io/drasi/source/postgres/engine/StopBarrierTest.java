package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StopBarrierTest {

    private final StopBarrier barrier = StopBarrier.register();

    @AfterEach
    void unregister() {
        barrier.unregister();
    }

    @Test
    void parkIfStopping_noStopRequested_returnsFalseAtOnce() throws Exception {
        assertThat(barrier.parkIfStopping()).isFalse();
        assertThat(barrier.awaitFirstPoll(Duration.ZERO)).isTrue();
    }

    @Test
    void awaitFirstPoll_beforeAnyPoll_timesOut() throws Exception {
        assertThat(barrier.awaitFirstPoll(Duration.ofMillis(30))).isFalse();
    }

    @Test
    void parkIfStopping_closeInterruptsThePollingThread_throwsInterrupted() throws Exception {
        barrier.parkIfStopping(); // polled once
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread poller = new Thread(() -> outcome.set(park()), "poller");
        poller.start();
        assertThat(barrier.stopAndAwaitParked(Duration.ofSeconds(5), () -> false))
                .as("parked at the safe point")
                .isTrue();
        poller.interrupt(); // what the engine's close does when it cancels the polling task
        poller.join(5_000);
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    }

    /**
     * Debezium's close can miss the polling task's future (added to its list after submission, unsynchronized): no
     * interrupt comes, and the engine's close waits for a task stop that needs the parked thread. Once the close has
     * begun, the parked poll ends by itself and returns nothing.
     */
    @Test
    void parkIfStopping_closeBegunButNoInterrupt_returnsTrueAfterTheGrace() throws Exception {
        barrier.parkIfStopping();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread poller = new Thread(() -> outcome.complete(park()), "poller");
        poller.start();
        assertThat(barrier.stopAndAwaitParked(Duration.ofSeconds(5), () -> false))
                .isTrue();
        Thread.sleep(StopBarrier.CLOSE_GRACE.toMillis() * 2);
        assertThat(outcome).as("no close yet: still parked").isNotDone();
        long begun = System.nanoTime();
        barrier.closing();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(Boolean.TRUE);
        assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThanOrEqualTo(StopBarrier.CLOSE_GRACE);
    }

    /** A polling thread: polls (passing the safe point) until a poll parks and ends. */
    private Object park() {
        try {
            while (!barrier.parkIfStopping()) {
                Thread.sleep(1);
            }
            return Boolean.TRUE;
        } catch (InterruptedException e) {
            return e;
        }
    }
}
