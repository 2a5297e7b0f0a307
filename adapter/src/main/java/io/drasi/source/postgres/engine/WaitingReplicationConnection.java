package io.drasi.source.postgres.engine;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.spi.SlotCreationResult;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's replication connection with one difference: the streams it starts wait on the socket (internal).
 *
 * <p>Debezium's streaming loop calls {@code readPending()} and, after five empty reads, sleeps
 * {@code poll.interval.ms}: the interval is both the idle wake-up rate and the added latency. The wrapped stream's
 * {@code readPending()} first waits up to {@code socketWaitMs} for the socket to become readable
 * ({@link ReplicationSocket}), so an idle stream wakes a few times a second and data is read the moment it
 * arrives. Every read that delivered something, or failed, is signalled to the {@link PollGate}. When the socket
 * cannot be reached, the stream logs one WARN per source and instead pauses {@code fallbackPauseMs} after each
 * empty read: Debezium's stock polling at the configured {@code poll_interval}.
 *
 * <p>Thread-safety: as Debezium's; the stream is used by the streaming thread, {@code flushLsn} and keep-alive
 * by others exactly as before.
 */
final class WaitingReplicationConnection implements ReplicationConnection {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingReplicationConnection.class);

    private final ReplicationConnection delegate;
    private final PollGate gate;
    private final int socketWaitMs;
    private final long fallbackPauseMs;
    private final AtomicBoolean fallbackWarned;

    /**
     * @param delegate        Debezium's connection
     * @param gate            told about every read that delivered something
     * @param socketWaitMs    longest wait on the socket per read, > 0
     * @param fallbackPauseMs pause after an empty read when the socket cannot be waited on, >= 1
     * @param fallbackWarned  shared by the connections of one task, so the fallback is logged once
     */
    WaitingReplicationConnection(ReplicationConnection delegate, PollGate gate, int socketWaitMs, long fallbackPauseMs,
                                 AtomicBoolean fallbackWarned) {
        this.delegate = delegate;
        this.gate = gate;
        this.socketWaitMs = socketWaitMs;
        this.fallbackPauseMs = Math.max(1, fallbackPauseMs);
        this.fallbackWarned = fallbackWarned;
    }

    private ReplicationStream wrap(ReplicationStream stream) {
        ReplicationSocket socket;
        try {
            socket = ReplicationSocket.of(delegate);
        } catch (ReplicationSocket.Unreachable e) {
            socket = null;
            if (fallbackWarned.compareAndSet(false, true)) {
                LOG.warn("cannot wait on the replication socket ({}); polling it every {} ms instead (poll_interval),"
                        + " which costs more CPU while idle", e.getMessage(), fallbackPauseMs);
            }
        }
        gate.activate();
        return new WaitingStream(stream, socket, socketWaitMs, fallbackPauseMs, gate);
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

    /** A {@link ReplicationStream} whose {@code readPending()} waits for data (see the enclosing class). */
    static final class WaitingStream implements ReplicationStream {
        private final ReplicationStream delegate;
        private final ReplicationSocket socket; // null: fall back to pausing after empty reads
        private final int socketWaitMs;
        private final long fallbackPauseMs;
        private final PollGate gate;

        WaitingStream(ReplicationStream delegate, ReplicationSocket socket, int socketWaitMs, long fallbackPauseMs,
                      PollGate gate) {
            this.delegate = delegate;
            this.socket = socket;
            this.socketWaitMs = socketWaitMs;
            this.fallbackPauseMs = fallbackPauseMs;
            this.gate = gate;
        }

        /** @return true when this stream waits on the socket, false when it polls (the fallback) */
        boolean waitsOnSocket() {
            return socket != null;
        }

        @Override
        public boolean readPending(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            if (socket != null) {
                socket.awaitReadable(socketWaitMs);
            }
            boolean read;
            try {
                read = delegate.readPending(processor);
            } catch (SQLException | InterruptedException | RuntimeException | Error e) {
                gate.readFailed(); // the polling thread sees the producer's failure now, not after its wait
                throw e;
            }
            if (read) {
                gate.dataRead();
            } else if (socket == null) {
                Thread.sleep(fallbackPauseMs);
            }
            return read;
        }

        @Override
        public void read(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            try {
                delegate.read(processor);
            } catch (SQLException | InterruptedException | RuntimeException | Error e) {
                gate.readFailed();
                throw e;
            }
            gate.dataRead();
        }

        @Override
        public void flushLsn(Lsn lsn) throws SQLException {
            delegate.flushLsn(lsn);
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
