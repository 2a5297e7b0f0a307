package io.drasi.source.postgres.engine;

import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.DataChangeEvent;
import io.debezium.pipeline.spi.OffsetContext;
import io.drasi.source.postgres.mapping.ChangeMapper;
import java.lang.reflect.Field;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Internal: ends every transaction in the record stream without Debezium's transaction metadata (issue 19).
 *
 * <p>With {@code provide.transaction.metadata=true} Debezium builds, on its decoding thread, a BEGIN and an END record
 * for every transaction and a transaction block for every change (each with a {@code String.format}): ~14 % of that
 * thread while a backlog drains, and the slowest thread sets the pace. The adapter needs only the END: its commit LSN
 * and transaction id ({@code ChangeSink.onCommit}, the handover of a later bootstrap, the statistics). So the metadata
 * is off and, right after Debezium processed a COMMIT, the replication stream ({@link WaitingReplicationConnection})
 * asks this class to queue one record in the layout of Debezium's END ({@link ChangeMapper#transactionEnd}), on the
 * decoding thread and so behind the transaction's changes. Its partition and offset are Debezium's own at that point
 * (the offset context right after the COMMIT, as Debezium's END record had), so acknowledging it commits the same
 * position as before.
 *
 * <p>A COMMIT that Debezium reads without processing (the search for the resume position after a restart, which
 * leaves the offset context alone) gets no marker: a marker is queued only when the COMMIT moved the offset context's
 * commit LSN.
 *
 * <p>The queue is a private field of Debezium's task, read reflectively; {@link #supported()} checks that it exists,
 * and where it does not (another Debezium version) the engine keeps Debezium's transaction metadata
 * ({@link DebeziumProperties}).
 *
 * <p>Thread-safety: {@link #ready} on the engine's task thread, everything else on Debezium's decoding thread.
 */
final class CommitMarkers {

    /** Engine property: {@code true} makes the task emit commit markers (set by {@link DebeziumProperties} only). */
    static final String PROPERTY = "drasi.commit.markers";

    /** How long the decoding thread waits for the task's start to finish before its first marker. */
    private static final long READY_WAIT_SECONDS = 60;

    /** Where markers come from and go: Debezium's offset context and queue (a test gives its own). */
    interface Target {
        /** @return the streaming source's offset context (the one Debezium updates while it processes messages) */
        PostgresOffsetContext offsetContext() throws InterruptedException;

        /** Queues {@code marker} behind the records queued so far. */
        void enqueue(SourceRecord marker) throws InterruptedException;
    }

    private final Map<String, String> partition;
    private final String topic;
    private final Target target;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile ChangeEventSourceCoordinator<?, ?> coordinator;
    private volatile ChangeEventQueue<DataChangeEvent> queue;

    /**
     * Markers into the task's queue, with the offset context of its streaming source, from {@link #ready} on.
     *
     * @param partition Debezium's source partition of the connector ({@code PostgresPartition.getSourcePartition()})
     * @param topic     the markers' topic
     */
    CommitMarkers(Map<String, String> partition, String topic) {
        this.partition = Map.copyOf(partition);
        this.topic = topic;
        this.target = new Target() {
            @Override
            public PostgresOffsetContext offsetContext() throws InterruptedException {
                return taskOffsetContext();
            }

            @Override
            public void enqueue(SourceRecord marker) throws InterruptedException {
                queue.enqueue(new DataChangeEvent(marker));
            }
        };
    }

    /** Markers into {@code target} (tests). */
    CommitMarkers(Map<String, String> partition, String topic, Target target) {
        this.partition = Map.copyOf(partition);
        this.topic = topic;
        this.target = target;
        started.countDown();
    }

    /** @return true when this Debezium version lets the task queue markers (its queue field is where expected) */
    static boolean supported() {
        try {
            return queueField().getType() == ChangeEventQueue.class;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static Field queueField() throws NoSuchFieldException {
        return CheapEventSummary.field(PostgresConnectorTask.class, "queue");
    }

    /**
     * Called once the task started: from now on markers can be queued.
     *
     * @throws IllegalStateException when the task's queue cannot be read (not {@link #supported()})
     */
    @SuppressWarnings("unchecked")
    void ready(PostgresConnectorTask task, ChangeEventSourceCoordinator<?, ?> coordinator) {
        try {
            this.queue = (ChangeEventQueue<DataChangeEvent>) queueField().get(task);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach Debezium's change event queue: " + e, e);
        }
        this.coordinator = coordinator;
        started.countDown();
    }

    /**
     * Before a COMMIT message is processed.
     *
     * @return the offset context's commit LSN now (null when none yet)
     */
    Lsn commitLsnBefore() throws InterruptedException {
        return target.offsetContext().lastCommitLsn();
    }

    /**
     * After a COMMIT message was given to Debezium: queues its marker if Debezium processed it.
     *
     * @param commit the COMMIT message
     * @param before {@link #commitLsnBefore()}, taken before the message was processed
     */
    void afterCommit(ReplicationMessage commit, Lsn before) throws InterruptedException {
        PostgresOffsetContext context = target.offsetContext();
        Lsn now = context.lastCommitLsn();
        if (now == null || now.equals(before)) {
            return; // read, not processed (the resume search): no transaction ended in the stream
        }
        Instant commitTime = commit.getCommitTime();
        SourceRecord marker = ChangeMapper.transactionEnd(
                partition,
                context.getOffset(),
                topic,
                commit.getTransactionId().orElse(0L),
                commitTime == null ? 0L : commitTime.toEpochMilli());
        target.enqueue(marker);
    }

    private PostgresOffsetContext taskOffsetContext() throws InterruptedException {
        ChangeEventSourceCoordinator<?, ?> c = coordinator;
        if (c == null) {
            if (!started.await(READY_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new ConnectException("the engine's task did not finish starting within " + READY_WAIT_SECONDS
                        + " s; no commit marker can be queued");
            }
            c = coordinator;
        }
        OffsetContext context = c.getStreamingSource()
                .orElseThrow(() -> new ConnectException("streaming has not started; no commit marker can be queued"))
                .getOffsetContext();
        return (PostgresOffsetContext) context;
    }
}
