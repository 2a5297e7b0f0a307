package io.drasi.source.postgres.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Paces the engine's polling thread by data instead of by a clock (internal; issue 19).
 *
 * <p>The streaming thread calls {@link #dataRead()} when a read of the replication stream queued a whole
 * transaction (or a message outside one, or a batch's worth of a large transaction): its records are in Debezium's
 * queue by then. The polling thread brackets each poll of the queue
 * with {@link #beforePoll()} and {@link #afterPoll(int)}:
 * <ul>
 * <li>after an empty poll it waits until data was read since that poll started, at most {@code idleWaitMs}
 *     (so an idle source wakes about once per {@code idleWaitMs}, and a heartbeat record that was queued
 *     without a read still leaves within that bound); once a read failed, at most {@value #FAILING_WAIT_MS} ms;</li>
 * <li>after {@code busyAfter} non-empty polls in a row that did not fill a batch, it pauses {@code lingerMs}
 *     so that a steady trickle is delivered in batches rather than record by record;</li>
 * <li>otherwise it polls at once.</li>
 * </ul>
 * No wake-up is lost: the count of reads is taken before the poll, so data read while the poll ran ends the
 * next wait at once. Before {@link #activate()} (no wrapped replication stream started yet, e.g. while Debezium
 * starts or snapshots) the gate never waits.
 *
 * <p>Thread-safety: {@link #dataRead()}, {@link #activate()} and {@link #close()} may be called from any thread;
 * {@link #beforePoll()} and {@link #afterPoll(int)} from the one polling thread.
 */
final class PollGate {

    /** What the polling thread does before its next poll. */
    enum Step {
        /** Poll the queue now. */
        POLL,
        /** The last poll was empty: wait for data (bounded). */
        AWAIT_DATA,
        /** Busy: pause the linger so that records batch. */
        LINGER
    }

    /** Longest wait for data once a read failed (see {@link #readFailed()}). */
    static final long FAILING_WAIT_MS = 10;

    private final long idleWaitMs;
    private final long lingerMs;
    private final int busyAfter;
    private final int fullBatch;

    private final AtomicLong reads = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean waiting;
    private volatile boolean active;
    private volatile boolean closed;
    private volatile boolean failing;

    // polling thread only
    private long seen;
    private boolean lastEmpty;
    private int nonEmptyInARow;
    private int lastSize;

    /**
     * @param idleWaitMs longest wait for data after an empty poll, > 0
     * @param lingerMs   pause before a poll when busy; 0 disables it
     * @param busyAfter  non-empty polls in a row that count as busy, >= 1
     * @param fullBatch  a poll of this many records (the batch size) is not lingered after
     */
    PollGate(long idleWaitMs, long lingerMs, int busyAfter, int fullBatch) {
        if (idleWaitMs <= 0 || lingerMs < 0 || busyAfter < 1 || fullBatch < 1) {
            throw new IllegalArgumentException("idleWaitMs=" + idleWaitMs + " lingerMs=" + lingerMs
                    + " busyAfter=" + busyAfter + " fullBatch=" + fullBatch);
        }
        this.idleWaitMs = idleWaitMs;
        this.lingerMs = lingerMs;
        this.busyAfter = busyAfter;
        this.fullBatch = fullBatch;
    }

    /** Streaming thread: records are queued (see the class comment). Cheap when nobody waits. */
    void dataRead() {
        reads.incrementAndGet();
        if (waiting) {
            signalAll();
        }
    }

    /**
     * Streaming thread: a read failed. Debezium hands the failure to the polling thread through its queue only after
     * the read returned, so from now on the gate waits at most {@value #FAILING_WAIT_MS} ms: the failure surfaces
     * at once instead of after {@code idleWaitMs}. A restarted task gets a new gate.
     */
    void readFailed() {
        failing = true;
        signalAll();
    }

    /** @return how many reads delivered something so far */
    long reads() {
        return reads.get();
    }

    /** A wrapped replication stream started: from now on data reads are signalled, so the gate may wait. */
    void activate() {
        active = true;
    }

    /** Ends any wait now and makes later waits return at once (the task stops). */
    void close() {
        closed = true;
        signalAll();
    }

    /** @return what {@link #beforePoll()} does next; pure, for tests and logging */
    Step next() {
        if (!active || closed) {
            return Step.POLL;
        }
        if (lastEmpty) {
            return Step.AWAIT_DATA;
        }
        if (lingerMs > 0 && nonEmptyInARow >= busyAfter && lastSize < fullBatch) {
            return Step.LINGER;
        }
        return Step.POLL;
    }

    /**
     * Polling thread, before it polls the queue: waits as {@link #next()} says.
     *
     * @return the step taken
     * @throws InterruptedException when the engine interrupts the polling thread (it stops)
     */
    Step beforePoll() throws InterruptedException {
        Step step = next();
        if (step == Step.AWAIT_DATA) {
            awaitReadSince(seen, waitBoundMs());
        } else if (step == Step.LINGER) {
            awaitClosed(lingerMs);
        }
        seen = reads.get();
        return step;
    }

    /**
     * Polling thread, after the poll returned.
     *
     * @param size how many records the poll returned
     */
    void afterPoll(int size) {
        lastEmpty = size == 0;
        lastSize = size;
        nonEmptyInARow = size == 0 ? 0 : nonEmptyInARow + 1;
    }

    /** @return the bound of the next wait for data: {@code idleWaitMs}, or short once a read failed */
    long waitBoundMs() {
        return failing ? Math.min(FAILING_WAIT_MS, idleWaitMs) : idleWaitMs;
    }

    private void awaitReadSince(long count, long timeoutMs) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean longWait = timeoutMs > FAILING_WAIT_MS; // a read failure ends it
        lock.lock();
        try {
            waiting = true;
            while (reads.get() == count && !closed && !(longWait && failing) && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            waiting = false;
            lock.unlock();
        }
    }

    private void awaitClosed(long timeoutMs) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (!closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    private void signalAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
