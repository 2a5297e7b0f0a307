package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.core.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * The one place that speaks SQL about a logical replication slot of the connected database: create, look up,
 * advance and drop — for the library and the platform reactivator alike.
 *
 * <p>Dropping or advancing a slot whose walsender is still exiting fails with SQLState 55006 (object in use);
 * those calls retry for a bounded time, because that is what follows every stop of a stream.
 *
 * <p>Thread-safety: stateless; each call uses the caller's connection. Not API.
 */
public final class ReplicationSlots {

    /** SQLState object_in_use: the slot's previous walsender has not exited yet. */
    private static final String OBJECT_IN_USE = "55006";

    private static final int IN_USE_ATTEMPTS = 250;
    private static final long IN_USE_PAUSE_MS = 20;

    private ReplicationSlots() {}

    /**
     * @param c    a connection to the slot's database; never null
     * @param slot the slot name; never null
     * @return the slot's {@code confirmed_flush_lsn} ({@link Lsn#INVALID} when it has none yet), or empty when
     *         the database has no such slot
     * @throws SQLException as the driver reports it
     */
    public static Optional<Lsn> confirmedFlush(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select confirmed_flush_lsn::text from pg_replication_slots"
                + " where slot_name = ? and database = current_database()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(rs.getString(1) == null ? Lsn.INVALID : Lsn.parse(rs.getString(1)));
            }
        }
    }

    /**
     * @param c    a connection to the slot's database; never null
     * @param slot the slot name; never null
     * @return true when the slot exists and PostgreSQL invalidated it ({@code wal_status = 'lost'})
     * @throws SQLException as the driver reports it
     */
    public static boolean invalidated(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from pg_replication_slots"
                + " where slot_name = ? and database = current_database() and wal_status = 'lost'")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Creates a permanent pgoutput slot.
     *
     * @throws SQLException as the driver reports it (42710 when it exists already)
     */
    public static void create(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }

    /**
     * Drops the slot when it exists, waiting (about 5 s at most) for a walsender that is still exiting.
     *
     * @return true when the slot existed and was dropped
     * @throws SQLException as the driver reports it, or when interrupted while waiting
     */
    public static boolean drop(Connection c, String slot) throws SQLException {
        return whenFree(() -> {
            try (PreparedStatement ps = c.prepareStatement("select pg_drop_replication_slot(slot_name) from"
                    + " pg_replication_slots where slot_name = ? and database = current_database()")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Moves the slot's confirmed position forward to {@code target} (never backwards), so that PostgreSQL
     * redelivers exactly the transactions committed after it. Waits for an exiting walsender like
     * {@link #drop}.
     *
     * @return the slot's confirmed position before the call, or empty when the slot does not exist
     * @throws SQLException as the driver reports it, or when interrupted while waiting
     */
    public static Optional<Lsn> advance(Connection c, String slot, Lsn target) throws SQLException {
        Optional<Lsn> confirmed = confirmedFlush(c, slot);
        if (confirmed.isPresent() && target.isAfter(confirmed.get())) {
            whenFree(() -> {
                try (PreparedStatement ps = c.prepareStatement("select pg_replication_slot_advance(?, ?::pg_lsn)")) {
                    ps.setString(1, slot);
                    ps.setString(2, target.toString());
                    ps.execute();
                    return true;
                }
            });
        }
        return confirmed;
    }

    /**
     * Waits until no session has the slot active: the walsender of a connection that was just closed exits
     * asynchronously. Polls every 20 ms (as {@link #drop} retries).
     *
     * @param max          longest wait
     * @param whileActive  told the active pid once, when the first look finds the slot active; never null
     * @return the pid still holding the slot after {@code max}, or empty once it is free (or does not exist, or the
     *     thread was interrupted: the interrupt is kept)
     * @throws SQLException as the driver reports it
     */
    public static OptionalInt awaitInactive(Connection c, String slot, Duration max, IntConsumer whileActive)
            throws SQLException {
        long deadline = System.nanoTime() + max.toNanos();
        boolean told = false;
        try (PreparedStatement ps =
                c.prepareStatement("select active_pid from pg_replication_slots where slot_name = ? and active")) {
            ps.setString(1, slot);
            while (true) {
                int pid;
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return OptionalInt.empty();
                    }
                    pid = rs.getInt(1);
                }
                if (!told) {
                    whileActive.accept(pid);
                    told = true;
                }
                if (System.nanoTime() >= deadline) {
                    return OptionalInt.of(pid);
                }
                try {
                    Thread.sleep(IN_USE_PAUSE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return OptionalInt.empty();
                }
            }
        }
    }

    /**
     * Who holds a slot, for an error message an operator can act on: the session's application name, client
     * address and how long it has been connected.
     *
     * @param c   a connection to the slot's server; never null
     * @param pid the slot's {@code active_pid}
     * @return e.g. {@code pid 4711: application "Debezium Streaming", client 10.0.0.7, connected 52 s ago, state
     *     active}; just {@code pid 4711} when the session is gone or not visible to this user
     */
    public static String describeHolder(Connection c, int pid) {
        try (PreparedStatement ps = c.prepareStatement("select application_name, coalesce(host(client_addr), 'local'),"
                + " extract(epoch from now() - backend_start)::bigint, state, backend_type"
                + " from pg_stat_activity where pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "pid " + pid;
                }
                return "pid " + pid + ": " + rs.getString(5) + ", application \"" + rs.getString(1) + "\", client "
                        + rs.getString(2) + ", connected " + rs.getLong(3) + " s ago, state " + rs.getString(4);
            }
        } catch (SQLException e) {
            return "pid " + pid;
        }
    }

    private interface SlotCall {
        boolean run() throws SQLException;
    }

    private static boolean whenFree(SlotCall call) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (SQLException e) {
                if (!OBJECT_IN_USE.equals(e.getSQLState()) || attempt >= IN_USE_ATTEMPTS) {
                    throw e;
                }
            }
            try {
                Thread.sleep(IN_USE_PAUSE_MS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the replication slot's walsender to exit", ie);
            }
        }
    }
}
