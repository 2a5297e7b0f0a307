package io.drasi.source.postgres.engine;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Internal: not an API. Lets a requested stop find Debezium's polling thread at a safe point before the engine is
 * closed, so that a clean stop is quiet and its last position complete.
 *
 * <p>Why: Debezium's PostgreSQL task flushes the acknowledged LSN to the server at the start of its next
 * {@code poll()}, and the engine's {@code close()} interrupts the polling thread. An interrupt that lands inside that
 * flush is logged at WARN ("LSN flush operation ... was interrupted") and the flush is lost (the task's own stop then
 * flushes the offsets again). Before closing, the source therefore calls {@link #stopAndAwaitParked}: the polling
 * thread, at its next safe point ({@link WakeOnDataPostgresTask#doPoll}: after any such flush, before the next
 * poll), parks until the close interrupts it; a wait for data there is woken at once.
 *
 * <p>The source and the task meet through an engine property ({@link #PROPERTY}) naming this barrier, because
 * Debezium instantiates the task itself.
 *
 * <p>Thread-safety: safe for use by the source's stopping thread and the engine's polling thread.
 */
public final class StopBarrier {

    /** Engine property carrying the key of the source's barrier to its task. */
    public static final String PROPERTY = "drasi.stop.barrier";

    private static final ConcurrentMap<String, StopBarrier> REGISTRY = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();
    private boolean stopping; // guarded by this
    private boolean polled; // guarded by this: the task polled at least once, so it reaches a safe point
    private final CountDownLatch firstPoll = new CountDownLatch(1);
    private int parked; // guarded by this
    private Runnable waker = () -> {}; // guarded by this

    private StopBarrier() {}

    /** @return a new barrier, findable by its {@link #key()} until {@link #unregister()} */
    public static StopBarrier register() {
        StopBarrier b = new StopBarrier();
        REGISTRY.put(b.key, b);
        return b;
    }

    /** @return the barrier of that key, or null (an engine not started by the source) */
    static StopBarrier find(String key) {
        return key == null ? null : REGISTRY.get(key);
    }

    /** @return the value for {@link #PROPERTY} */
    public String key() {
        return key;
    }

    /** Forgets this barrier (the engine ended). */
    public void unregister() {
        REGISTRY.remove(key, this);
    }

    /** The task: how to end its wait for data at once (called again after a task restart). */
    synchronized void onStop(Runnable wake) {
        waker = wake;
        if (stopping) {
            wake.run();
        }
    }

    /**
     * The polling thread at a safe point: returns at once unless a stop was requested; then waits until interrupted
     * (by the engine's close).
     *
     * @throws InterruptedException when the engine's close interrupts the polling thread
     */
    void parkIfStopping() throws InterruptedException {
        synchronized (this) {
            if (!polled) {
                polled = true;
                firstPoll.countDown();
            }
            if (!stopping) {
                return;
            }
            parked++;
            notifyAll();
            try {
                while (true) {
                    wait();
                }
            } finally {
                parked--;
            }
        }
    }

    /**
     * Waits until the task's polling thread has polled once. From then on the engine's polling task is running, so
     * closing the engine cannot drop it from the executor before it ran (Debezium announces polling before it
     * submits the polling task; a close in that window leaves the engine thread waiting for a task that never
     * runs), and Debezium's own state is {@code POLLING_TASKS}, where a close is accepted and quiet.
     *
     * @return true once the task has polled; false when {@code timeout} passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitFirstPoll(Duration timeout) throws InterruptedException {
        return firstPoll.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Requests the stop and waits (up to {@code timeout}) until the polling thread is parked at a safe point or
     * {@code elsewhereSafe} says it waits safely elsewhere (e.g. in the batch handler's refusal). Returns at once when
     * the task never polled (it is starting or restarting: no flush is pending).
     *
     * @return true when the polling thread is at a safe point
     */
    public boolean stopAndAwaitParked(Duration timeout, BooleanSupplier elsewhereSafe) throws InterruptedException {
        Runnable wake;
        synchronized (this) {
            stopping = true;
            wake = waker;
        }
        wake.run();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (polled && parked == 0 && !elsewhereSafe.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, Math.min(20, left / 1_000_000))); // elsewhereSafe is polled, not signalled
            }
            return true;
        }
    }
}
