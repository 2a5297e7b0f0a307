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
    /** Counted down when the task polls the first time: from then on it reaches a safe point. */
    private final CountDownLatch firstPoll = new CountDownLatch(1);

    private long closingSince; // guarded by this: System.nanoTime() when the source began closing the engine, or 0
    /** How long a parked polling thread waits for the engine's interrupt once the close has begun. */
    static final Duration CLOSE_GRACE = Duration.ofMillis(200);

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
     * The polling thread at a safe point: returns false at once unless a stop was requested; then waits until the
     * engine's close interrupts it (it cancels the polling task). Debezium adds the polling task's future to the
     * list its close cancels only after submitting it, without synchronization: a close that comes right after the
     * first poll can miss it, and then no interrupt ever comes while the engine's close waits for the task's stop,
     * which needs this very thread (the engine's task pool has one thread per task). So once the source has begun
     * to close the engine ({@link #closing()}), the wait also ends on its own after {@link #CLOSE_GRACE}: by then the
     * engine is stopping, and its polling loop ends when this poll returns nothing.
     *
     * @return true when the poll must return nothing: the stop was requested and the close has begun
     * @throws InterruptedException when the engine's close interrupts the polling thread
     */
    boolean parkIfStopping() throws InterruptedException {
        synchronized (this) {
            firstPoll.countDown();
            if (!stopping) {
                return false;
            }
            parked++;
            notifyAll();
            try {
                while (closingSince == 0 || System.nanoTime() - closingSince < CLOSE_GRACE.toNanos()) {
                    wait(closingSince == 0 ? 0 : 20);
                }
                return true;
            } finally {
                parked--;
            }
        }
    }

    /** The source is about to close the engine (after {@link #stopAndAwaitParked}); see {@link #parkIfStopping}. */
    public void closing() {
        synchronized (this) {
            if (closingSince == 0) {
                closingSince = System.nanoTime() | 1; // never 0
            }
            notifyAll();
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
            while (firstPoll.getCount() == 0 && parked == 0 && !elsewhereSafe.getAsBoolean()) {
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
