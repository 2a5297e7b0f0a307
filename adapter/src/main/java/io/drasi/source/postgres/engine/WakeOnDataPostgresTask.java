package io.drasi.source.postgres.engine;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.connector.postgresql.PostgresSchema;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: not an API, may change in any release. Debezium's PostgreSQL task, paced by data instead of a clock;
 * started by {@link WakeOnDataPostgresConnector}, which Debezium instantiates by class name (hence public).
 *
 * <p>Three overrides of {@link PostgresConnectorTask}, everything else is Debezium's:
 * <ul>
 * <li>{@link #buildReplicationConnection}: the replication stream's {@code readPending()} waits on the socket
 *     ({@link WaitingReplicationConnection}) instead of the streaming loop sleeping {@code poll.interval.ms};</li>
 * <li>{@link #doPoll()}: polls Debezium's queue only once the streaming thread has queued a transaction (waiting at
 *     most {@value #IDLE_WAIT_MS} ms), and while records flow at most once per busy linger
 *     ({@value #LINGER_PROPERTY}, the adapter's {@code poll_interval}) so they batch ({@link PollGate}). With
 *     {@code poll.interval.ms = 1}, Debezium's queue then returns about a millisecond after it is polled;</li>
 * <li>{@link #doStop()}: ends a wait at once.</li>
 * </ul>
 * With {@value PolledBatch#PROPERTY} (set for the adapter's own engine only), a poll's records reach the engine as
 * one {@link PolledBatch}: one task for the engine's record processing per poll instead of one per record.
 * With {@value CommitMarkers#PROPERTY} (likewise), the stream queues one END record after every COMMIT
 * ({@link CommitMarkers}) instead of Debezium's transaction metadata, which is then off.
 * After {@link #start}, the streaming metrics' per-event "last event" summary ({@link CheapEventSummary}) is replaced
 * by the event's table name: Debezium renders every event's key, value and offset as a detailed string for the
 * {@code LastEvent} JMX attribute on the decoding thread (a Jackson {@code ObjectMapper} per event, ~20 % of that
 * thread while a backlog drains, issue 19); counters and timestamps are Debezium's as before.
 *
 * <p>At a requested stop, {@link #doPoll()} parks at a safe point ({@link StopBarrier}) so that the engine's close
 * never interrupts an LSN flush.
 *
 * <p>Thread-safety: as {@link PostgresConnectorTask} (Debezium's threads only).
 */
public class WakeOnDataPostgresTask extends PostgresConnectorTask {

    /**
     * Engine property: the busy linger in ms (the adapter's {@code poll_interval}); default {@value
     * #DEFAULT_LINGER_MS}.
     */
    public static final String LINGER_PROPERTY = "drasi.busy.linger.ms";

    static final long DEFAULT_LINGER_MS = 10;
    /**
     * Longest wait of the polling thread for data after an empty poll: each end of it is an idle wake-up (issue 19).
     * Data, a failed read and a stop all end the wait at once, and an offset flush due after a batch happens at the
     * poll that follows the batch, so the bound only paces records queued without a read (none in practice).
     */
    static final long IDLE_WAIT_MS = 5000;
    /** Longest single wait on the replication socket; bounds how late the streaming loop sees a stop. */
    static final int SOCKET_WAIT_MS = 500;
    /**
     * While the stream is idle, how often the streaming thread returns to Debezium's loop (heartbeat, connection
     * probe, pgjdbc's status update): every pass costs an extra wake-up and the loop's own work (issue 19). A stop
     * through the gate (the source's close) ends the wait at the next slice; any other stop of the task (Debezium's
     * restart after a retriable error) waits for this at most. Below Debezium's heartbeat and status intervals (10 s).
     */
    static final long IDLE_READ_EVERY_MS = 2000;
    /** Longest life of the thread that drops queued records while the task stops (it ends when the task stopped). */
    static final Duration STOP_DRAIN_MAX = Duration.ofSeconds(30);
    /** How often that thread drops what was queued: a full queue (8192 records by default) takes longer to refill. */
    static final long STOP_DRAIN_EVERY_MS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(WakeOnDataPostgresTask.class);

    private final AtomicBoolean fallbackWarned = new AtomicBoolean();
    private volatile PollGate gate = new PollGate(IDLE_WAIT_MS, 0, 1);
    private volatile WaitingReplicationConnection.Waits waits = new WaitingReplicationConnection.Waits(
            CommonConnectorConfig.DEFAULT_MAX_BATCH_SIZE,
            SOCKET_WAIT_MS,
            IDLE_READ_EVERY_MS,
            DEFAULT_LINGER_MS,
            fallbackWarned);
    private volatile StopBarrier stopBarrier;
    private volatile CommitMarkers markers; // null: Debezium's transaction metadata ends the transactions
    private volatile boolean pollAsOneRecord;
    private volatile boolean stopped;
    private final AtomicBoolean stopDrainStarted = new AtomicBoolean();

    /** Debezium instantiates the task by its class. */
    public WakeOnDataPostgresTask() {}

    @Override
    public ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> start(Configuration config) {
        long lingerMs = Math.max(0, config.getLong(LINGER_PROPERTY, DEFAULT_LINGER_MS));
        int batchSize = Math.max(1, config.getInteger(CommonConnectorConfig.MAX_BATCH_SIZE));
        gate = new PollGate(IDLE_WAIT_MS, lingerMs, batchSize); // a restart starts afresh
        waits = new WaitingReplicationConnection.Waits(
                batchSize, SOCKET_WAIT_MS, IDLE_READ_EVERY_MS, lingerMs, fallbackWarned);
        pollAsOneRecord = config.getBoolean(PolledBatch.PROPERTY, false);
        stopped = false; // Debezium restarts a task (after a retriable error) by starting it again
        stopBarrier = StopBarrier.find(config.getString(StopBarrier.PROPERTY));
        CommitMarkers m = null;
        if (config.getBoolean(CommitMarkers.PROPERTY, false)) {
            PostgresConnectorConfig connectorConfig = new PostgresConnectorConfig(config);
            m = new CommitMarkers(
                    new PostgresPartition(connectorConfig.getLogicalName(), connectorConfig.databaseName())
                            .getSourcePartition(),
                    connectorConfig.getLogicalName() + ".transaction");
        }
        markers = m;
        if (stopBarrier != null) {
            PollGate g = gate;
            stopBarrier.onStop(() -> {
                g.close();
                drainUntilStopped();
            });
        }
        ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> coordinator = super.start(config);
        if (m != null) {
            m.ready(this, coordinator);
        }
        CheapEventSummary.install(coordinator);
        InlineLagMeasurement.install(coordinator);
        return coordinator;
    }

    @Override
    protected ReplicationConnection buildReplicationConnection(
            PostgresConnection jdbcConnection, PostgresSchema schema, PostgresConnectorConfig connectorConfig)
            throws SQLException {
        return new WaitingReplicationConnection(
                super.buildReplicationConnection(jdbcConnection, schema, connectorConfig), gate, waits, markers);
    }

    @Override
    public List<SourceRecord> doPoll() throws InterruptedException {
        PollGate g = gate;
        StopBarrier b = stopBarrier;
        if (b != null && b.parkIfStopping()) { // safe point: this poll's offset flush is done, the next is ahead
            return List.of();
        }
        g.beforePoll();
        if (b != null && b.parkIfStopping()) {
            return List.of();
        }
        List<SourceRecord> records = super.doPoll();
        g.afterPoll(records.size());
        return pollAsOneRecord ? PolledBatch.asOne(records) : records;
    }

    /** Debezium's check (used to reset its retry count after a productive poll), on the records a batch holds. */
    @Override
    protected boolean containsChangeDataMessages(List<SourceRecord> records) {
        return super.containsChangeDataMessages(PolledBatch.unwrap(records));
    }

    /** Polls Debezium's queue and drops what it returns (only after a stop request: {@link #drainUntilStopped}). */
    private void dropQueued() throws InterruptedException {
        int dropped = super.doPoll().size();
        if (dropped > 0) {
            LOG.debug("stopping: {} queued records not delivered (streamed again at the next start)", dropped);
        }
    }

    /**
     * Once the source requested the stop, drops what Debezium's decoding thread queues, until the task stops. The
     * source quiesces the batch handler before it requests the stop, and from then on the handler refuses every batch
     * (nothing polled later is acknowledged); so the dropped records were never acknowledged, their offsets never
     * written, and the next start streams them again. Why: Debezium stops the decoding thread only after the polling
     * task, and a decoding thread blocked on a full queue (a backlog behind a slow sink) stayed blocked until
     * Debezium's executor timeout (5 s), which then interrupted it: "Coordinator didn't stop in the expected time" at
     * WARN and "Producer failure" at ERROR.
     */
    private void drainUntilStopped() {
        if (!stopDrainStarted.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(
                () -> {
                    long deadline = System.nanoTime() + STOP_DRAIN_MAX.toNanos();
                    try {
                        while (!stopped && System.nanoTime() < deadline) {
                            dropQueued();
                            Thread.sleep(STOP_DRAIN_EVERY_MS);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        LOG.debug("stopping: dropping queued records ended: {}", e.toString());
                    }
                },
                "drasi-pg-stop-drain");
        t.setDaemon(true);
        t.start();
    }

    @Override
    protected void doStop() {
        stopped = true; // after Debezium stopped the decoding thread: the stop drain ends
        gate.close();
        super.doStop();
    }
}
