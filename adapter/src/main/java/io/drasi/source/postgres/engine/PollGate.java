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
 * queue by then. The polling thread brackets each poll of the queue with {@link #beforePoll()} and
 * {@link #afterPoll(int)}. Before a poll it
 * <ul>
 * <li>polls at once when the last poll filled a batch (a backlog is drained at full speed);</li>
 * <li>when the last poll delivered records less than {@code lingerMs} ago (a steady stream), first waits until
 *     {@code lingerMs} have passed since that poll began: at most one batch per {@code lingerMs} under load, so
 *     records are delivered in batches (each batch costs a poll, an offset commit and a sink call);</li>
 * <li>then waits until data was read since the last poll began, at most {@code idleWaitMs} (an idle source wakes
 *     once per {@code idleWaitMs}; a heartbeat record queued without a read still leaves within that bound),
 *     or at most {@value #FAILING_WAIT_MS} ms once a read failed (Debezium's failure surfaces at once).</li>
 * </ul>
 * So a change after a quiet spell is polled the moment its transaction is queued, and no poll comes back empty
 * while data flows. Debezium's queue, polled with {@code poll.interval.ms = 1}, then only adds about a
 * millisecond. No wake-up is lost: the count of reads is taken when a poll begins, so data read while it ran ends
 * the next wait at once. Before {@link #activate()} (no wrapped replication stream started yet, e.g. while
 * Debezium starts) the gate never waits.
 *
 * <p>Thread-safety: {@link #dataRead()}, {@link #readFailed()}, {@link #activate()} and {@link #close()} may be
 * called from any thread; {@link #beforePoll()} and {@link #afterPoll(int)} from the one polling thread.
 */
final class PollGate {

    /** What the polling thread does before its next poll. */
    enum Step {
        /** Poll the queue now. */
        POLL,
        /** Wait for data (bounded), then poll. */
        AWAIT_DATA,
        /** Busy: let the linger pass since the last poll began, then wait for data as {@link #AWAIT_DATA}. */
        LINGER
    }

    /** Longest wait for data once a read failed (see {@link #readFailed()}). */
    static final long FAILING_WAIT_MS = 10;

    private final long idleWaitMs;
    private final long lingerNanos;
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
    private long lastPollStart;
    private int lastSize;

    /**
     * @param idleWaitMs longest wait for data, > 0
     * @param lingerMs   least time between the starts of two polls while records flow; 0 disables it
     * @param fullBatch  the batch size: after a poll of this many records the next poll is at once
     */
    PollGate(long idleWaitMs, long lingerMs, int fullBatch) {
        if (idleWaitMs <= 0 || lingerMs < 0 || fullBatch < 1) {
            throw new IllegalArgumentException(
                    "idleWaitMs=" + idleWaitMs + " lingerMs=" + lingerMs + " fullBatch=" + fullBatch);
        }
        this.idleWaitMs = idleWaitMs;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
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

    /** @return how many times records were signalled so far */
    long reads() {
        return reads.get();
    }

    /** A wrapped replication stream started: from now on queued data is signalled, so the gate may wait. */
    void activate() {
        active = true;
    }

    /** @return true once {@link #close()} was called: the task stops */
    boolean isClosed() {
        return closed;
    }

    /** Ends any wait now and makes later waits return at once (the task stops). */
    void close() {
        closed = true;
        signalAll();
    }

    /**
     * @param nowNanos {@link System#nanoTime()}
     * @return what {@link #beforePoll()} does next; pure, for tests
     */
    Step next(long nowNanos) {
        if (!active || closed || lastSize >= fullBatch) {
            return Step.POLL;
        }
        if (lastSize > 0 && lingerNanos > 0 && nowNanos - lastPollStart < lingerNanos) {
            return Step.LINGER;
        }
        return Step.AWAIT_DATA;
    }

    /** @return the bound of a wait for data: {@code idleWaitMs}, or short once a read failed */
    long waitBoundMs() {
        return failing ? Math.min(FAILING_WAIT_MS, idleWaitMs) : idleWaitMs;
    }

    /**
     * Polling thread, before it polls the queue: waits as {@link #next(long)} says.
     *
     * @return the step taken
     * @throws InterruptedException when the engine interrupts the polling thread (it stops)
     */
    Step beforePoll() throws InterruptedException {
        long now = System.nanoTime();
        Step step = next(now);
        if (step == Step.LINGER) {
            awaitClosed(lastPollStart + lingerNanos - now);
        }
        if (step != Step.POLL) {
            awaitReadSince(seen, waitBoundMs());
        }
        seen = reads.get();
        lastPollStart = System.nanoTime();
        return step;
    }

    /**
     * Polling thread, after the poll returned.
     *
     * @param size how many records the poll returned
     */
    void afterPoll(int size) {
        lastSize = size;
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

    private void awaitClosed(long nanos) throws InterruptedException {
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
