package io.drasi.source.postgres.engine;

import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.jdbc.JdbcConnection;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.postgresql.core.VisibleBufferedInputStream;

/**
 * Waits until the replication connection's socket has a byte to read, without consuming it (internal).
 *
 * <p>pgjdbc offers no public way to wait for replication data with a bound: its {@code readPending()} returns at
 * once and its {@code read()} blocks without one. This class reaches the connection's {@link PGStream} (the
 * protected field {@code QueryExecutorBase.pgStream}) and peeks at it with a socket timeout, as pgjdbc's own
 * {@code hasMessagePending()} does with 1 ms. The peek fills pgjdbc's input buffer and consumes nothing, so the
 * next {@code readPending()} reads the message as usual; it works the same on TLS sockets.
 *
 * <p>Thread-safety: only the streaming thread reads from a replication connection (Debezium's keep-alive thread
 * and the offset commit only write status updates, under pgjdbc's lock, and never touch the input side or the
 * socket timeout), so {@link #awaitReadable} is called from that one thread and needs no lock.
 */
final class ReplicationSocket implements WaitingReplicationConnection.SocketWait {

    /** Set to {@code false} to switch the wait off (falls back to polling, logs one WARN per source). */
    static final String SWITCH = "drasi.pg.engine.socketWait";

    private static final Object PG_STREAM = field(QueryExecutorBase.class, "pgStream");
    private static final Object PG_INPUT = field(PGStream.class, "pgInput");

    private final PGStream stream;
    private final VisibleBufferedInputStream input; // pgjdbc's buffered input of the stream; null if unreachable

    private ReplicationSocket(PGStream stream, VisibleBufferedInputStream input) {
        this.stream = stream;
        this.input = input;
    }

    /** @return the accessible field, or the Throwable that prevented reaching it */
    private static Object field(Class<?> owner, String name) {
        try {
            return CheapEventSummary.field(owner, name);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return e;
        }
    }

    /**
     * @param connection Debezium's replication connection, streaming
     * @return the socket of that connection
     * @throws Unreachable why the socket cannot be used (switched off, pgjdbc internals not as expected)
     */
    static ReplicationSocket of(ReplicationConnection connection) throws Unreachable {
        if ("false".equalsIgnoreCase(System.getProperty(SWITCH, "true").trim())) {
            throw new Unreachable("switched off by -D" + SWITCH + "=false");
        }
        if (!(PG_STREAM instanceof Field field)) {
            throw new Unreachable("pgjdbc's QueryExecutorBase.pgStream is not accessible: " + PG_STREAM);
        }
        if (!(connection instanceof JdbcConnection jdbc)) {
            throw new Unreachable(
                    "the replication connection is a " + connection.getClass().getName() + ", not a JDBC connection");
        }
        try {
            Object executor = jdbc.connection().unwrap(BaseConnection.class).getQueryExecutor();
            if (!(executor instanceof QueryExecutorBase)) {
                throw new Unreachable(
                        "pgjdbc's query executor is a " + executor.getClass().getName());
            }
            PGStream stream = (PGStream) field.get(executor);
            VisibleBufferedInputStream input =
                    PG_INPUT instanceof Field f && f.get(stream) instanceof VisibleBufferedInputStream in
                            ? in
                            : null; // without it every wait goes through the socket timeout: slower, same result
            return new ReplicationSocket(stream, input);
        } catch (SQLException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new Unreachable("cannot reach the replication socket: " + e);
        }
    }

    /**
     * Waits until a byte can be read (or is already buffered), at most {@code timeoutMs}. Returns early on a
     * closed or broken connection: the caller's next read reports that the way Debezium expects.
     *
     * @param timeoutMs the bound, > 0
     * @return false when the bound passed with nothing to read; true when a byte can be read, or the connection is
     *     closed or broken (the next read tells which)
     */
    @Override
    public boolean awaitReadable(int timeoutMs) {
        try {
            // While a backlog drains a message is nearly always there already: pgjdbc's buffer, else the socket's
            // (one FIONREAD), answers without the three timeout calls below (issue 19)
            if (input != null && input.available() > 0) {
                return true;
            }
            // peekChar() returns at once when a byte is already buffered and otherwise blocks in one socket read;
            // unlike hasMessagePending() it costs no 1 ms timeout and no exception per message under load
            int previous = stream.getNetworkTimeout();
            stream.setNetworkTimeout(timeoutMs);
            try {
                stream.peekChar();
                return true;
            } catch (SocketTimeoutException e) {
                return false; // nothing within the bound: the caller's loop runs its heartbeat, probe and stop checks
            } finally {
                stream.setNetworkTimeout(previous);
            }
        } catch (IOException e) {
            return true; // closed or broken: the next read fails with pgjdbc's own exception
        }
    }

    /** Why the socket cannot be waited on. */
    static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message, null, false, false);
        }
    }
}
