package io.drasi.source.postgres.engine;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.bootstrap.HandoverFilter;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The engine's batch consumer: maps a Debezium batch to Drasi changes, hands them to the sink, and only
 * after the sink returned marks the records processed, so their offsets (and the slot's confirmed LSN)
 * advance only over acknowledged changes.
 *
 * <p>Threading: Debezium's async engine calls {@link #handleBatch} from its task pool (the thread polling
 * the connector's single task, {@code pool-N-thread-M}), one batch at a time and never concurrently — the
 * pool thread may differ between batches after a reconnect. The sink is therefore called by one thread at
 * a time. The stats it publishes are read from other threads.
 *
 * <p>Pipelined sinks ({@link ChangeSink#acceptAsync} returning a stage that is not yet complete): the batch is
 * acknowledged (stats, {@link ChangeSink#onCommit}, {@code markProcessed}, one {@code markBatchFinished} for all
 * batches done by then) on the {@code ackThreadName} thread once its stage completed, in delivery order, under
 * {@code ackLock}; Debezium's committer is therefore used by one thread at a time. The delivery thread goes on
 * mapping the next batch meanwhile and waits only when {@link ChangeSink#MAX_UNACKNOWLEDGED_BATCHES} are
 * unacknowledged. A completed stage (every synchronous sink) is acknowledged on the delivery thread before
 * {@link #handleBatch} returns, exactly as without pipelining.
 */
public final class BatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private final ChangeMapper mapper;
    private final ChangeSink sink;
    private final ToastFiller toastFiller;
    private final GeneratedColumnFiller generatedFiller;
    private final StatsCounter stats;

    private ChangePosition lastPosition;
    private final Object gate = new Object();
    private boolean stopping; // guarded by gate
    private boolean inBatch; // guarded by gate
    private int refusedWaiting; // guarded by gate: polling threads waiting in a refused handleBatch
    /** The thread inside the sink right now, if any (a close() from inside the sink must not wait for itself). */
    private volatile Thread delivering;
    /** The thread inside the sink's onCommit for a pipelined batch, if any (same reason). */
    private volatile Thread acknowledging;

    private final Lsn resumeLsn;
    private final Runnable onDelivery;
    private final String ackThreadName;
    private final HeldElements held;
    private Map<TableId, HandoverFilter> handovers = Map.of();

    private final Object ackLock = new Object();
    /** Batches handed to the sink and not acknowledged yet, in delivery order. Guarded by ackLock. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Why pipelined delivery stopped (a failed stage or acknowledgement); nothing is acknowledged after it. */
    private Throwable ackFailure; // guarded by ackLock

    private ExecutorService ackExecutor; // guarded by ackLock; created for the first pipelined batch

    /**
     * @param resumeLsn  the slot's confirmed position when streaming started: stands in for the previous
     *                   commit LSN Debezium does not know for the first transaction after a start without
     *                   stored offsets, so positions keep increasing across restarts
     * @param onDelivery called before each delivery (the source marks itself RUNNING)
     * @param ackThreadName name of the thread that acknowledges pipelined batches
     * @param held the element ids the consumer holds, updated after each acknowledged batch before its records are
     *             marked processed (so never behind the offsets); null when not kept ({@code on_slot_loss: fail})
     */
    public BatchHandler(
            ChangeMapper mapper,
            ChangeSink sink,
            ToastFiller toastFiller,
            GeneratedColumnFiller generatedFiller,
            StatsCounter stats,
            Lsn resumeLsn,
            Runnable onDelivery,
            String ackThreadName,
            HeldElements held) {
        this.held = held;
        this.ackThreadName = ackThreadName;
        this.generatedFiller = generatedFiller;
        this.resumeLsn = resumeLsn;
        this.onDelivery = onDelivery;
        this.mapper = mapper;
        this.sink = sink;
        this.toastFiller = toastFiller;
        this.stats = stats;
    }

    /**
     * Hands tables that were bootstrapped alone through a temporary slot's exported snapshot over to this stream:
     * a streamed change of such a table is dropped when its transaction is in that snapshot
     * ({@link HandoverFilter#belongsAfterSnapshot(long, Lsn)} false), exactly as a later bootstrap's host filters the
     * stream. Call before the engine starts.
     *
     * @param filters table → the hand-over filter of its snapshot
     */
    public void handOver(Map<TableId, HandoverFilter> filters) {
        this.handovers = Map.copyOf(filters);
    }

    /** No new batch starts from now on (the batch in flight, if any, finishes); does not wait. */
    public void refuseNewBatches() {
        synchronized (gate) {
            stopping = true;
        }
    }

    /**
     * Called by close() before it closes the engine: no new batch starts, and this waits (up to {@code timeout})
     * until the batch in flight and the acknowledgement of every pipelined batch are done, so the acknowledged
     * position is complete. (That the engine's close then does not interrupt Debezium's LSN flush is
     * {@link StopBarrier}'s part.)
     *
     * @return true when no batch is in flight or unacknowledged any more
     */
    public boolean quiesce(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (gate) {
            stopping = true;
            while (inBatch) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                gate.wait(Math.max(1, left / 1_000_000));
            }
        }
        synchronized (ackLock) { // pipelined batches still being written: their acknowledgement too
            while (!pending.isEmpty() && ackFailure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                ackLock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Ends the acknowledgement thread, if one was started (after {@link #quiesce}: nothing is left to acknowledge). */
    public void close() {
        synchronized (ackLock) {
            if (ackExecutor != null) {
                ackExecutor.shutdown();
            }
        }
    }

    @Override
    public void handleBatch(
            List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        synchronized (gate) {
            if (stopping) {
                refusedWaiting++;
                try {
                    while (stopping) {
                        gate.wait(); // the engine is being closed: its interrupt ends this; nothing is acknowledged
                    }
                } finally {
                    refusedWaiting--;
                }
            }
            inBatch = true;
        }
        try {
            deliver(records, committer);
        } finally {
            synchronized (gate) {
                inBatch = false;
                gate.notifyAll();
            }
        }
    }

    private void deliver(
            List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<SourceRecord> polled = PolledBatch.records(records);
        MappedBatch mapped = new MappedBatch(polled.size());
        for (SourceRecord record : polled) {
            add(record, mapped);
        }
        List<PositionedChange> out = generatedFiller.fill(mapped.out, mapped.tableOfChange);
        CompletableFuture<Void> written = null;
        if (!out.isEmpty() || !mapped.committed.isEmpty()) {
            onDelivery.run();
            delivering = Thread.currentThread();
            try {
                if (!out.isEmpty()) {
                    written = sink.acceptAsync(out).toCompletableFuture();
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new SinkFailedException(e);
            } finally {
                delivering = null;
            }
            if (written != null && written.isDone()) {
                Throwable refused = failureOf(written);
                if (refused != null) {
                    throw new SinkFailedException(refused);
                }
                written = null; // done: acknowledged below, on this thread
            }
        }
        Pending batch = new Pending(
                records, committer, out, mapped.commits, mapped.commitLsn, mapped.committed, mapped.lastCommitTime);
        synchronized (ackLock) {
            throwIfPipelineFailed();
            pending.add(batch);
            if (written == null) {
                batch.done = true;
                acknowledgeDone(); // acknowledged now, unless an earlier pipelined batch is still being written
            } else {
                if (ackExecutor == null) {
                    ackExecutor = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, ackThreadName);
                        t.setDaemon(true);
                        return t;
                    });
                }
                written.whenCompleteAsync((ok, error) -> written(batch, error), ackExecutor);
            }
            while (pending.size() >= ChangeSink.MAX_UNACKNOWLEDGED_BATCHES && ackFailure == null) {
                ackLock.wait(); // backpressure
            }
            throwIfPipelineFailed();
        }
    }

    /**
     * Maps one record of a batch into {@code batch}. A method of its own, not the body of {@link #deliver}'s loop: the
     * JIT then compiles the per-record work once, apart from the loop, instead of again in every compile of the loop
     * (on-stack replacement, and each recompile when the workload's mix of record kinds changes; issue 19).
     */
    private void add(SourceRecord record, MappedBatch batch) {
        MappedRecord mapped = mapper.map(record);
        switch (mapped.kind()) {
            case TX_END -> {
                batch.commits++;
                if (mapped.commitLsn() != null) {
                    batch.commitLsn = Lsn.of(mapped.commitLsn());
                    batch.committed.add(new long[] {mapped.txId() == null ? 0L : mapped.txId(), mapped.commitLsn()});
                }
            }
            case DATA, TRUNCATE -> addChanges(record, mapped, batch);
            default -> {
                // tombstones, heartbeats, BEGIN: nothing to deliver
            }
        }
    }

    private void addChanges(SourceRecord record, MappedRecord mapped, MappedBatch batch) {
        Struct source = ((Struct) record.value()).getStruct("source");
        Lsn lsn = mapped.lsn() == null ? Lsn.INVALID : Lsn.of(mapped.lsn());
        HandoverFilter handover = handovers.get(mapped.table());
        if (handover != null && mapped.txId() != null && !handover.belongsAfterSnapshot(mapped.txId(), lsn)) {
            return; // in the added table's snapshot already
        }
        Lsn previousCommit = previousCommitLsn(source.getString("sequence"));
        if (!previousCommit.isValid()) {
            previousCommit = resumeLsn;
        }
        long txId = mapped.txId() == null ? 0L : mapped.txId();
        if (mapped.tsMs() != null) {
            batch.lastCommitTime = Instant.ofEpochMilli(mapped.tsMs());
        }
        for (SourceChange change : mapped.changes()) {
            if (!mapped.unavailableProperties().isEmpty()) {
                change = toastFiller.fill(mapped, change);
            }
            batch.out.add(new PositionedChange(change, next(txId, previousCommit, lsn)));
            batch.tableOfChange.add(mapped.table());
        }
    }

    /** What the records of one batch map to, collected by {@link #add} (delivery thread only). */
    private static final class MappedBatch {
        final List<PositionedChange> out;
        final List<TableId> tableOfChange;
        final List<long[]> committed = new ArrayList<>(2);
        long commits;
        Lsn commitLsn;
        Instant lastCommitTime;

        MappedBatch(int records) {
            this.out = new ArrayList<>(records);
            this.tableOfChange = new ArrayList<>(records);
        }
    }

    /** One delivered batch until it is acknowledged. */
    private static final class Pending {
        final List<RecordChangeEvent<SourceRecord>> records;
        final DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer;
        final List<PositionedChange> out;
        final long commits;
        final Lsn commitLsn;
        final List<long[]> committed;
        final Instant lastCommitTime;
        boolean done; // guarded by ackLock

        Pending(
                List<RecordChangeEvent<SourceRecord>> records,
                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
                List<PositionedChange> out,
                long commits,
                Lsn commitLsn,
                List<long[]> committed,
                Instant lastCommitTime) {
            this.records = records;
            this.committer = committer;
            this.out = out;
            this.commits = commits;
            this.commitLsn = commitLsn;
            this.committed = committed;
            this.lastCommitTime = lastCommitTime;
        }
    }

    /** A pipelined batch's stage completed (on the acknowledgement thread). */
    private void written(Pending batch, Throwable error) {
        synchronized (ackLock) {
            try {
                if (ackFailure != null) {
                    return;
                }
                if (error != null) {
                    ackFailure =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    return;
                }
                batch.done = true;
                acknowledgeDone();
            } catch (Exception e) {
                ackFailure = e instanceof SinkFailedException && e.getCause() != null ? e.getCause() : e;
            } finally {
                ackLock.notifyAll();
            }
        }
    }

    /**
     * Acknowledges the finished batches at the head of {@link #pending}, in order: the sink's onCommit, the stats,
     * {@code markProcessed} of every record, then one {@code markBatchFinished} (the offset commit) for all of them.
     * Holds ackLock.
     */
    private void acknowledgeDone() throws InterruptedException {
        Pending last = null;
        while (!pending.isEmpty() && pending.peek().done) {
            Pending b = pending.poll();
            acknowledging = Thread.currentThread();
            try {
                for (long[] tx : b.committed) {
                    sink.onCommit(tx[0], Lsn.of(tx[1]));
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new SinkFailedException(e);
            } finally {
                acknowledging = null;
            }
            if (held != null && !b.out.isEmpty()) {
                held.acknowledged(b.out); // before the offsets can move past these records
            }
            stats.acknowledged(b.out, b.commits, b.commitLsn, b.lastCommitTime); // the sink is done: acknowledged
            for (RecordChangeEvent<SourceRecord> event : b.records) {
                b.committer.markProcessed(event);
            }
            last = b;
        }
        if (last != null) {
            last.committer.markBatchFinished();
        }
        ackLock.notifyAll();
    }

    /** Holds ackLock. */
    private void throwIfPipelineFailed() {
        if (ackFailure != null) {
            throw new SinkFailedException(ackFailure);
        }
    }

    private static Throwable failureOf(CompletableFuture<Void> done) throws InterruptedException {
        try {
            done.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    /** @return true while {@code thread} is inside the sink */
    /** @return true while the polling thread waits in a refused batch (a safe point for the engine's close) */
    public boolean isRefusedWaiting() {
        synchronized (gate) {
            return refusedWaiting > 0;
        }
    }

    public boolean isDeliveringOn(Thread thread) {
        return delivering == thread || acknowledging == thread;
    }

    private ChangePosition next(long txId, Lsn previousCommit, Lsn lsn) {
        long ordinal = 0;
        if (lastPosition != null
                && lastPosition.previousCommitLsn().equals(previousCommit)
                && lastPosition.lsn().equals(lsn)) {
            ordinal = lastPosition.ordinal() + 1;
        }
        lastPosition = new ChangePosition(txId, previousCommit, lsn, ordinal);
        return lastPosition;
    }

    /** Parses the first element of Debezium's {@code source.sequence}, {@code ["<prev commit lsn>","<lsn>"]}. */
    static Lsn previousCommitLsn(String sequence) {
        if (sequence == null) {
            return Lsn.INVALID;
        }
        int start = sequence.indexOf('[') + 1;
        int end = sequence.indexOf(',', start);
        if (start <= 0 || end < 0) {
            return Lsn.INVALID;
        }
        String first = sequence.substring(start, end).trim();
        if (first.startsWith("\"")) {
            first = first.substring(1, first.length() - 1);
        }
        return first.isEmpty() || "null".equals(first) ? Lsn.INVALID : Lsn.of(Long.parseLong(first));
    }

    /** The sink refused a batch; the engine stops without acknowledging it. */
    static final class SinkFailedException extends DrasiPostgresException {
        private static final long serialVersionUID = 1L;

        SinkFailedException(Throwable cause) {
            super(
                    "the ChangeSink refused a batch (" + cause + "); the batch was not acknowledged and will be"
                            + " delivered again by a restarted source",
                    cause);
        }
    }
}
