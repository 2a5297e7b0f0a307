package io.drasi.source.postgres.engine;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.connector.postgresql.connection.ReplicationMessage.Operation;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.spi.SlotCreationResult;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's replication connection with one difference: the streams it starts wait on the socket (internal).
 *
 * <p>Debezium's streaming loop calls {@code readPending()} and, after five empty reads, sleeps
 * {@code poll.interval.ms}: the interval is both the idle wake-up rate and the added latency. The wrapped stream's
 * {@code readPending()} first waits up to {@code socketWaitMs} for the socket to become readable
 * ({@link ReplicationSocket}), in slices of {@code socketWaitMs}, so data is read the moment it arrives; an idle
 * stream wakes once per slice and returns to Debezium's loop only every {@code idleReadEveryMs}, or at once when the
 * gate closes (the task stops). The {@link PollGate} is told when a transaction is queued, and when a read
 * failed. When the socket cannot be reached, the stream logs one WARN per source and instead pauses
 * {@code fallbackPauseMs} after each empty read: Debezium's stock polling at the configured {@code poll_interval}.
 *
 * <p>Thread-safety: as Debezium's; the stream is used by the streaming thread, {@code flushLsn} and keep-alive
 * by others exactly as before.
 */
final class WaitingReplicationConnection implements ReplicationConnection {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingReplicationConnection.class);

    private final ReplicationConnection delegate;
    private final PollGate gate;
    private final Waits waits;
    private final CommitMarkers markers; // null: Debezium's transaction metadata ends the transactions

    /** Waits until the replication socket has a byte to read: {@link ReplicationSocket}, or a test's fake. */
    interface SocketWait {
        /**
         * @param timeoutMs the bound, > 0
         * @return false when the bound passed with nothing to read
         */
        boolean awaitReadable(int timeoutMs);
    }

    /**
     * How the streams of one task wait and signal.
     *
     * @param signalEvery     inside a large transaction, tell the gate after this many messages (the batch size)
     * @param socketWaitMs    longest single wait on the socket, > 0: bounds how soon a closed gate (the task stops)
     *                        is noticed
     * @param idleReadEveryMs while nothing arrives, how long {@code readPending()} keeps waiting before it returns to
     *                        Debezium's loop (its heartbeat, connection probe and stop check) and calls pgjdbc's
     *                        read (its periodic status update); a closed gate ends the wait at once
     * @param fallbackPauseMs pause after an empty read when the socket cannot be waited on, >= 1
     * @param fallbackWarned  shared by the connections of one task, so the fallback is logged once
     */
    record Waits(
            int signalEvery,
            int socketWaitMs,
            long idleReadEveryMs,
            long fallbackPauseMs,
            AtomicBoolean fallbackWarned) {
        /** Raises {@code signalEvery} and {@code fallbackPauseMs} to at least 1. */
        Waits {
            signalEvery = Math.max(1, signalEvery);
            fallbackPauseMs = Math.max(1, fallbackPauseMs);
        }
    }

    /**
     * @param delegate Debezium's connection
     * @param gate     told when a transaction (or a non-transactional message) is queued, or a read failed
     * @param waits    the task's waiting and signalling settings
     * @param markers  queues a marker after every processed COMMIT; null for none
     */
    WaitingReplicationConnection(ReplicationConnection delegate, PollGate gate, Waits waits, CommitMarkers markers) {
        this.delegate = delegate;
        this.gate = gate;
        this.waits = waits;
        this.markers = markers;
    }

    private ReplicationStream wrap(ReplicationStream stream) {
        SocketWait socket;
        try {
            socket = ReplicationSocket.of(delegate);
        } catch (ReplicationSocket.Unreachable e) {
            socket = null;
            if (waits.fallbackWarned().compareAndSet(false, true)) {
                LOG.warn(
                        "cannot wait on the replication socket ({}); polling it every {} ms instead (poll_interval),"
                                + " which costs more CPU while idle",
                        e.getMessage(),
                        waits.fallbackPauseMs());
            }
        }
        gate.activate();
        return new WaitingStream(stream, socket);
    }

    @Override
    public ReplicationStream startStreaming(WalPositionLocator walPosition) throws SQLException, InterruptedException {
        return wrap(delegate.startStreaming(walPosition));
    }

    @Override
    public ReplicationStream startStreaming(Lsn offset, WalPositionLocator walPosition)
            throws SQLException, InterruptedException {
        return wrap(delegate.startStreaming(offset, walPosition));
    }

    @Override
    public Optional<SlotCreationResult> createReplicationSlot() throws SQLException {
        return delegate.createReplicationSlot();
    }

    @Override
    public void initConnection() throws SQLException, InterruptedException {
        delegate.initConnection();
    }

    @Override
    public boolean isConnected() throws SQLException {
        return delegate.isConnected();
    }

    @Override
    public void reconnect() throws SQLException {
        delegate.reconnect();
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }

    /**
     * A {@link ReplicationStream} whose {@code readPending()} waits for data (see the enclosing class). It tells the
     * gate when a whole transaction is queued (its COMMIT, or a message outside any transaction such as the
     * heartbeat), not at every message: PostgreSQL sends a committed transaction's messages back to back, and waking
     * the polling thread at its BEGIN would deliver it in two batches (two offset commits, more latency).
     */
    final class WaitingStream implements ReplicationStream {
        private final ReplicationStream delegate;
        private final SocketWait socket; // null: fall back to pausing after empty reads
        private final Boundaries boundaries = new Boundaries(markers);
        private long lastIdlePass = System.nanoTime();

        /** Waits and signals with the enclosing connection's gate and settings. */
        WaitingStream(ReplicationStream delegate, SocketWait socket) {
            this.delegate = delegate;
            this.socket = socket;
        }

        /** @return true when this stream waits on the socket, false when it polls (the fallback) */
        boolean waitsOnSocket() {
            return socket != null;
        }

        @Override
        public boolean readPending(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            if (socket != null && !awaitData()) {
                return false; // the task stops: Debezium's loop checks that next
            }
            boolean read;
            try {
                read = delegate.readPending(boundaries.around(processor));
            } catch (SQLException | InterruptedException | RuntimeException | Error e) {
                gate.readFailed(); // the polling thread sees the producer's failure now, not after its wait
                throw e;
            }
            if (read) {
                signalIfBoundary();
            } else if (socket == null) {
                Thread.sleep(waits.fallbackPauseMs());
            }
            return read;
        }

        /**
         * Waits in {@code socketWaitMs} slices until data arrives, the gate closes, or {@code idleReadEveryMs} passed
         * since the last idle pass to pgjdbc's read. Each slice that ends empty costs one wake-up; returning to
         * Debezium's loop costs its heartbeat, probe, offset and commit checks plus pgjdbc's read, which peeks again
         * with a 1 ms timeout: a second wake-up. So an idle stream returns only every {@code idleReadEveryMs}.
         *
         * @return false when the gate closed with nothing to read; true when pgjdbc's read should run
         */
        private boolean awaitData() {
            while (!socket.awaitReadable(waits.socketWaitMs())) {
                if (gate.isClosed()) {
                    return false;
                }
                long now = System.nanoTime();
                if (now - lastIdlePass >= TimeUnit.MILLISECONDS.toNanos(waits.idleReadEveryMs())) {
                    lastIdlePass = now;
                    return true;
                }
            }
            return true;
        }

        @Override
        public void read(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            try {
                delegate.read(boundaries.around(processor));
            } catch (SQLException | InterruptedException | RuntimeException | Error e) {
                gate.readFailed();
                throw e;
            }
            signalIfBoundary();
        }

        private void signalIfBoundary() {
            if (boundaries.ended || boundaries.pending >= waits.signalEvery()) {
                boundaries.ended = false;
                boundaries.pending = 0;
                gate.dataRead();
            }
        }

        @Override
        public void flushLsn(Lsn lsn) throws SQLException {
            delegate.flushLsn(lsn);
        }

        /**
         * Watches the messages of a read: did one end a transaction, how many are not signalled yet; and queues the
         * commit marker behind every COMMIT Debezium processed ({@link CommitMarkers}).
         */
        private static final class Boundaries implements ReplicationMessageProcessor {
            private final CommitMarkers markers; // null: none
            private ReplicationMessageProcessor target;
            boolean ended;
            int pending;

            Boundaries(CommitMarkers markers) {
                this.markers = markers;
            }

            ReplicationMessageProcessor around(ReplicationMessageProcessor processor) {
                this.target = processor;
                return this;
            }

            @Override
            public void process(ReplicationMessage message) throws SQLException, InterruptedException {
                if (markers != null && message != null && message.getOperation() == Operation.COMMIT) {
                    Lsn before = markers.commitLsnBefore();
                    target.process(message);
                    markers.afterCommit(message, before);
                } else {
                    target.process(message);
                }
                if (endsUnit(message)) {
                    ended = true;
                } else {
                    pending++;
                }
            }

            /** @return true for a COMMIT and for anything outside a transaction (heartbeat message, no-op) */
            static boolean endsUnit(ReplicationMessage message) {
                if (message == null || message.getOperation() == null) {
                    return true;
                }
                return switch (message.getOperation()) {
                    case BEGIN, INSERT, UPDATE, DELETE, TRUNCATE, ORIGIN -> false;
                    case MESSAGE -> !message.isTransactionalMessage();
                    default -> true;
                };
            }
        }

        @Override
        public Lsn lastReceivedLsn() {
            return delegate.lastReceivedLsn();
        }

        @Override
        public Lsn startLsn() {
            return delegate.startLsn();
        }

        @Override
        public void startKeepAlive(ExecutorService service) {
            delegate.startKeepAlive(service);
        }

        @Override
        public void stopKeepAlive() {
            delegate.stopKeepAlive();
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
