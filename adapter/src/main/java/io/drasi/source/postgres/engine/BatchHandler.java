package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.core.DrasiPostgresException;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    /** The thread inside the sink right now, if any (a close() from inside the sink must not wait for itself). */
    private volatile Thread delivering;

    private final Lsn resumeLsn;
    private final Runnable onDelivery;
    private final HeldElements held;
    private Map<TableId, Lsn> snapshotted = Map.of();

    /**
     * @param resumeLsn  the slot's confirmed position when streaming started: stands in for the previous
     *                   commit LSN Debezium does not know for the first transaction after a start without
     *                   stored offsets, so positions keep increasing across restarts
     * @param onDelivery called before each delivery (the source marks itself RUNNING)
     */
    public BatchHandler(ChangeMapper mapper, ChangeSink sink, ToastFiller toastFiller, GeneratedColumnFiller generatedFiller,
                 StatsCounter stats, Lsn resumeLsn, Runnable onDelivery) {
        this(mapper, sink, toastFiller, generatedFiller, stats, resumeLsn, onDelivery, null);
    }

    /**
     * @param held the element ids the consumer holds, updated after each acknowledged batch before its records are
     *             marked processed (so never behind the offsets); null when not kept ({@code on_slot_loss: fail})
     */
    public BatchHandler(ChangeMapper mapper, ChangeSink sink, ToastFiller toastFiller, GeneratedColumnFiller generatedFiller,
                 StatsCounter stats, Lsn resumeLsn, Runnable onDelivery, HeldElements held) {
        this.held = held;
        this.generatedFiller = generatedFiller;
        this.resumeLsn = resumeLsn;
        this.onDelivery = onDelivery;
        this.mapper = mapper;
        this.sink = sink;
        this.toastFiller = toastFiller;
        this.stats = stats;
    }

    /**
     * Called by close() before it closes the engine: no new batch starts, and this waits (up to
     * {@code timeout}) until the batch in flight, its acknowledgement and offset flush are done. Debezium's
     * close interrupts the polling thread; landing in our idle gate instead of in its LSN flush keeps a
     * requested stop quiet and the acknowledged position complete.
     *
     * @return true when no batch is in flight any more
     */
    /**
     * Drops the streamed changes of each given table whose LSN is at or below the table's point: those tables were
     * bootstrapped alone from a snapshot taken with their writes blocked
     * ({@code SnapshotSlot.exportWithWritesBlocked}), which holds exactly their changes below that point. Call before
     * the engine starts.
     *
     * @param points table → the snapshot's consistent point
     */
    public void dropSnapshotted(Map<TableId, Lsn> points) {
        this.snapshotted = Map.copyOf(points);
    }

    /** No new batch starts from now on (the batch in flight, if any, finishes); does not wait. */
    public void refuseNewBatches() {
        synchronized (gate) {
            stopping = true;
        }
    }

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
            return true;
        }
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        synchronized (gate) {
            while (stopping) {
                gate.wait(); // the engine is being closed: its interrupt ends this; nothing of the batch is acknowledged
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

    private void deliver(List<RecordChangeEvent<SourceRecord>> records,
                         DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<PositionedChange> out = new ArrayList<>(records.size());
        List<TableId> tableOfChange = new ArrayList<>(records.size());
        long commits = 0;
        Lsn commitLsn = null;
        List<long[]> committed = new ArrayList<>(2);
        Instant lastCommitTime = null;
        for (RecordChangeEvent<SourceRecord> event : records) {
            SourceRecord record = event.record();
            MappedRecord mapped = mapper.map(record);
            switch (mapped.kind()) {
                case TX_END -> {
                    commits++;
                    if (mapped.commitLsn() != null) {
                        commitLsn = Lsn.of(mapped.commitLsn());
                        committed.add(new long[] {mapped.txId() == null ? 0L : mapped.txId(), mapped.commitLsn()});
                    }
                }
                case DATA, TRUNCATE -> {
                    Struct source = ((Struct) record.value()).getStruct("source");
                    Lsn lsn = mapped.lsn() == null ? Lsn.INVALID : Lsn.of(mapped.lsn());
                    Lsn previousCommit = previousCommitLsn(source.getString("sequence"));
                    if (!previousCommit.isValid()) {
                        previousCommit = resumeLsn;
                    }
                    long txId = mapped.txId() == null ? 0L : mapped.txId();
                    if (mapped.tsMs() != null) {
                        lastCommitTime = Instant.ofEpochMilli(mapped.tsMs());
                    }
                    Lsn snapshotPoint = snapshotted.get(mapped.table());
                    if (snapshotPoint != null && lsn.isValid() && !lsn.isAfter(snapshotPoint)) {
                        continue; // in the added table's snapshot already
                    }
                    for (SourceChange change : mapped.changes()) {
                        if (!mapped.unavailableProperties().isEmpty()) {
                            change = toastFiller.fill(mapped, change);
                        }
                        out.add(new PositionedChange(change, next(txId, previousCommit, lsn)));
                        tableOfChange.add(mapped.table());
                    }
                }
                default -> {
                    // tombstones, heartbeats, BEGIN: nothing to deliver
                }
            }
        }
        out = generatedFiller.fill(out, tableOfChange);
        if (!out.isEmpty() || !committed.isEmpty()) {
            onDelivery.run();
            delivering = Thread.currentThread();
            try {
                if (!out.isEmpty()) {
                    sink.accept(out);
                }
                for (long[] tx : committed) {
                    sink.onCommit(tx[0], Lsn.of(tx[1]));
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new SinkFailedException(e);
            } finally {
                delivering = null;
            }
        }
        if (held != null && !out.isEmpty()) {
            held.acknowledged(out); // before the offsets can move past these records
        }
        stats.acknowledged(out, commits, commitLsn, lastCommitTime); // the sink returned: acknowledged
        for (RecordChangeEvent<SourceRecord> event : records) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    /** @return true while {@code thread} is inside the sink */
    public boolean isDeliveringOn(Thread thread) {
        return delivering == thread;
    }

    private ChangePosition next(long txId, Lsn previousCommit, Lsn lsn) {
        long ordinal = 0;
        if (lastPosition != null && lastPosition.previousCommitLsn().equals(previousCommit) && lastPosition.lsn().equals(lsn)) {
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
            super("the ChangeSink refused a batch (" + cause + "); the batch was not acknowledged and will be"
                    + " delivered again by a restarted source", cause);
        }
    }
}
