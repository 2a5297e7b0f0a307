package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.core.Lsn;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logical {@code pgoutput} replication slot created together with an exported snapshot: the
 * snapshot ({@link #snapshotName()}) sees exactly the transactions committed before the slot's
 * {@link #consistentPoint()}, and the slot streams exactly the transactions committed after it
 * (commit end LSN greater than the consistent point). See the Drasi contract, section 5.
 *
 * <p>The replication connection that created the slot is kept open and idle: the exported snapshot
 * exists only as long as it is. Import the snapshot ({@code SET TRANSACTION SNAPSHOT}) — e.g. with
 * {@link BootstrapProvider#bootstrap(SnapshotSlot, java.util.Set, BootstrapSink)} — before
 * {@link #close()}. Once every reading transaction has imported it, closing early is allowed.
 *
 * <p>Two uses:
 * <ol>
 * <li>First start: {@link #createPermanent} with the configured slot name; read the snapshot; close
 *     this object; start the streaming engine on that slot (Debezium {@code snapshot.mode=no_data}).
 *     The permanent slot survives {@link #close()}.</li>
 * <li>A later bootstrap while streaming runs: {@link #createTemporary}; read the snapshot; close. The
 *     temporary slot disappears with its connection; keep {@link #consistentPoint()} to filter the
 *     stream with {@link HandoverFilter}.</li>
 * </ol>
 *
 * <p>Creating a slot waits until every transaction running at that moment has finished, so a
 * long-running transaction on the server delays it.
 *
 * <p>Thread-safety: accessors are safe from any thread; {@link #close()} is idempotent and thread-safe.
 * Nullability: no accessor returns null.
 */
public final class SnapshotSlot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSlot.class);
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Connection replicationConnection;
    private final String slotName;
    private final boolean temporary;
    private final String snapshotName;
    private final Lsn consistentPoint;
    private final long createdAtMs;
    private final String server;
    private volatile boolean closed;

    private SnapshotSlot(
            Connection replicationConnection,
            String slotName,
            boolean temporary,
            String snapshotName,
            Lsn consistentPoint,
            long createdAtMs,
            String server) {
        this.replicationConnection = replicationConnection;
        this.slotName = slotName;
        this.temporary = temporary;
        this.snapshotName = snapshotName;
        this.consistentPoint = consistentPoint;
        this.createdAtMs = createdAtMs;
        this.server = server;
    }

    /**
     * Creates a permanent logical slot (plugin {@code pgoutput}) with an exported snapshot.
     *
     * @param connections opens the replication connection; never null
     * @param slotName    the slot to create, {@code [a-z0-9_]{1,63}}; it must not exist yet
     * @return the open slot
     * @throws BootstrapException when the slot exists, the server is not configured for logical
     *                            decoding, the role lacks REPLICATION, or the connection fails
     */
    public static SnapshotSlot createPermanent(ConnectionFactory connections, String slotName) {
        return create(connections, slotName, false, BootstrapCancellation.NONE);
    }

    /**
     * Like {@link #createPermanent(ConnectionFactory, String)}, cancellable: {@code cancellation} ends a
     * creation that waits for running transactions at once (nothing is left behind).
     *
     * @param connections  opens the replication connection; never null
     * @param slotName     the slot to create, {@code [a-z0-9_]{1,63}}; it must not exist yet
     * @param cancellation cancels the creation; never null
     * @return the open slot
     * @throws BootstrapCancelledException when cancelled
     * @throws BootstrapException          as {@link #createPermanent(ConnectionFactory, String)}
     */
    public static SnapshotSlot createPermanent(
            ConnectionFactory connections, String slotName, BootstrapCancellation cancellation) {
        return create(connections, slotName, false, Objects.requireNonNull(cancellation, "cancellation"));
    }

    /**
     * Creates a TEMPORARY logical slot (plugin {@code pgoutput}) with an exported snapshot, named
     * {@code drasi_bootstrap_<random>}. It is dropped by the server when {@link #close()} closes its
     * connection (or when the connection breaks).
     *
     * @param connections opens the replication connection; never null
     * @return the open slot
     * @throws BootstrapException as {@link #createPermanent}
     */
    public static SnapshotSlot createTemporary(ConnectionFactory connections) {
        return createTemporary(connections, BootstrapCancellation.NONE);
    }

    static SnapshotSlot createTemporary(ConnectionFactory connections, BootstrapCancellation cancellation) {
        return create(connections, "drasi_bootstrap_" + HexFormat.of().formatHex(randomBytes(8)), true, cancellation);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static SnapshotSlot create(
            ConnectionFactory connections, String slotName, boolean temporary, BootstrapCancellation cancellation) {
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(slotName, "slotName");
        if (!SLOT_NAME.matcher(slotName).matches()) {
            throw new BootstrapException("invalid replication slot name '" + slotName
                    + "': use 1 to 63 characters from lower-case letters, digits and underscore");
        }
        String where = connections.describe();
        cancellation.check("creating slot " + slotName);
        Connection c;
        try {
            c = connections.openReplicationConnection();
        } catch (SQLException e) {
            throw new BootstrapException(
                    "cannot open a replication connection to " + where + ": " + e.getMessage() + hint(e, slotName), e);
        }
        try (BootstrapCancellation.Registration r = cancellation.register(c)) {
            long createdAtMs = serverClockMs(c);
            PGConnection pg = c.unwrap(PGConnection.class);
            var builder = pg.getReplicationAPI()
                    .createReplicationSlot()
                    .logical()
                    .withSlotName(slotName)
                    .withOutputPlugin("pgoutput");
            if (temporary) {
                builder = builder.withTemporaryOption();
            }
            ReplicationSlotInfo info = builder.make();
            if (info.getSnapshotName() == null || info.getSnapshotName().isEmpty()) {
                throw new BootstrapException("the server created slot " + slotName + " on " + where
                        + " without exporting a snapshot; PostgreSQL 10 or later is required");
            }
            Lsn point = Lsn.of(info.getConsistentPoint().asLong());
            LOG.info(
                    "created {} replication slot {} on {}: consistent point {}, exported snapshot {}",
                    temporary ? "temporary" : "permanent",
                    slotName,
                    where,
                    point,
                    info.getSnapshotName());
            return new SnapshotSlot(c, slotName, temporary, info.getSnapshotName(), point, createdAtMs, where);
        } catch (SQLException e) {
            closeQuietly(c);
            cancellation.check("creating slot " + slotName);
            throw new BootstrapException(
                    "cannot create " + (temporary ? "temporary " : "") + "replication slot " + slotName + " on " + where
                            + ": " + e.getMessage() + hint(e, slotName),
                    e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** The server's clock just before the slot is created: a lower bound of every later commit time. */
    private static long serverClockMs(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::int8")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String hint(SQLException e, String slotName) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if ("42710".equals(state) || msg.contains("already exists")) {
            return ". Fix: the slot is left from an earlier run or used by another source; choose another slot"
                    + " name, or drop it (only if nothing else uses it) with SELECT pg_drop_replication_slot('"
                    + slotName + "')";
        }
        if (msg.contains("wal_level")) {
            return ". Fix: set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical)"
                    + " and restart PostgreSQL";
        }
        if ("42501".equals(state)
                || msg.contains("permission denied")
                || msg.contains("must be superuser")
                || msg.contains("replication") && msg.contains("role")) {
            return ". Fix: give the role the REPLICATION attribute (ALTER ROLE <user> REPLICATION)";
        }
        if ("53400".equals(state) || msg.contains("all replication slots are in use")) {
            return ". Fix: drop unused slots (see pg_replication_slots) or raise max_replication_slots and restart";
        }
        if (msg.contains("pg_hba.conf")) {
            return ". Fix: allow this role to connect to the database in pg_hba.conf";
        }
        return "";
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already failing
        }
    }

    /** @return the slot's name */
    public String slotName() {
        return slotName;
    }

    /** @return true for a temporary slot (dropped when this object is closed) */
    public boolean temporary() {
        return temporary;
    }

    /**
     * @return the exported snapshot's name, for {@code SET TRANSACTION SNAPSHOT}; valid only until
     *         {@link #close()} (or until the replication connection runs anything else)
     */
    public String snapshotName() {
        return snapshotName;
    }

    /**
     * @return the slot's consistent point: the snapshot sees exactly the transactions whose commit end
     *         LSN is at or below it; the slot streams exactly those whose commit end LSN is above it
     */
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    /**
     * @return the server's clock (ms since the epoch) read on the replication connection just before the
     *         slot was created: no transaction streamed from the slot committed earlier. The bootstrap
     *         uses it as {@code effective_from} of snapshot rows
     */
    public long createdAtMs() {
        return createdAtMs;
    }

    /** @return true until {@link #close()} */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the replication connection: the exported snapshot ends (transactions that imported it keep
     * their view), a temporary slot is dropped, a permanent slot stays for the streaming engine.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            replicationConnection.close();
        } catch (SQLException e) {
            LOG.warn("closing the replication connection of slot {} failed: {}", slotName, e.getMessage());
        }
        LOG.debug("released snapshot {} of slot {} on {}", snapshotName, slotName, server);
    }

    @Override
    public String toString() {
        return "SnapshotSlot[" + slotName + (temporary ? " (temporary)" : "") + " at " + consistentPoint + ", snapshot "
                + snapshotName + (closed ? ", closed" : "") + "]";
    }
}
