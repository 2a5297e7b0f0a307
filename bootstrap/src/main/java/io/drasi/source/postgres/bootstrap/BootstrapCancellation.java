package io.drasi.source.postgres.bootstrap;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops running bootstraps from another thread: {@link #cancel()} marks the token cancelled and cancels
 * the statement each registered connection is running ({@code PGConnection.cancelQuery}, i.e. the
 * server's cancel request), so a long {@code COPY} or a slot creation that waits for running
 * transactions ends within milliseconds; the bootstrap then throws {@link BootstrapCancelledException}.
 * A cancelled token stays cancelled: every later bootstrap given it fails at once.
 *
 * <p>Pass one to {@link BootstrapProvider.Builder#cancellation} and
 * {@link SnapshotSlot#createPermanent(ConnectionFactory, String, BootstrapCancellation)}.
 *
 * <p>Thread-safety: every method is safe from any thread, also concurrently and from inside a
 * {@link BootstrapSink}.
 */
public final class BootstrapCancellation {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapCancellation.class);

    /** A token that is never cancelled. */
    static final BootstrapCancellation NONE = new BootstrapCancellation();

    private final Set<Connection> running = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    /** Cancels every bootstrap that uses this token, now and later. Idempotent; returns at once. */
    public void cancel() {
        if (this == NONE) {
            return;
        }
        cancelled = true;
        for (Connection c : running) {
            cancelStatement(c);
        }
    }

    /** @return true once {@link #cancel()} was called */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * @param what what is being cancelled, for the message
     * @throws BootstrapCancelledException when cancelled
     */
    void check(String what) {
        if (cancelled) {
            throw new BootstrapCancelledException(what);
        }
    }

    /**
     * Registers a connection whose statements {@link #cancel()} cancels, until the returned handle is closed.
     * A connection registered after the cancel is cancelled at once.
     */
    Registration register(Connection c) {
        running.add(c);
        if (cancelled) {
            cancelStatement(c);
        }
        return () -> running.remove(c);
    }

    /** Unregisters a connection; never throws. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static void cancelStatement(Connection c) {
        try {
            c.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("cancelling the running statement failed (the connection is probably closed): {}", e.toString());
        }
    }
}
