package io.drasi.source.postgres;

import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the engine's replication connection (Debezium's streaming metrics, attribute {@code Connected})
 * and drives RUNNING ⇄ RECONNECTING. Debezium retries a lost connection on its own and would create a
 * fresh slot if ours had been dropped — silently skipping every change in between — so whenever the
 * connection is down the monitor checks that the slot still exists and fails the source if it does not.
 */
final class ConnectionMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionMonitor.class);
    private static final long PERIOD_MS = 200;

    interface Listener {
        void connected();

        void disconnected();

        void slotLost(DrasiPostgresException error);
    }

    private final String sourceId;
    private final String slotName;
    private final ConnectionSettings connections;
    private final Listener listener;
    private final ScheduledExecutorService executor;
    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName pattern;
    private final java.util.function.Supplier<Lsn> highestProcessed;
    private Boolean lastConnected;
    private Connection slotConnection;
    private Integer lastActivePid;

    ConnectionMonitor(String sourceId, String topicPrefix, String slotName, ConnectionSettings connections,
                      java.util.function.Supplier<Lsn> highestProcessed, Listener listener) {
        this.highestProcessed = highestProcessed;
        this.sourceId = sourceId;
        this.slotName = slotName;
        this.connections = connections;
        this.listener = listener;
        try {
            this.pattern = new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,server="
                    + ObjectName.quote(topicPrefix).replace("\"", "") + ",*");
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drasi-pg-" + sourceId + "-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        executor.scheduleWithFixedDelay(this::tick, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            Boolean connected = connected();
            if (connected == null) {
                if (lastConnected == null) {
                    return; // engine not streaming yet
                }
                connected = Boolean.FALSE; // the streaming metrics disappear while Debezium restarts its task
            }
            if (!connected.equals(lastConnected)) {
                lastConnected = connected;
                if (connected) {
                    listener.connected();
                } else {
                    listener.disconnected();
                }
            }
            // Every tick, on one kept-open connection: Debezium reconnects a broken replication stream on its
            // own (its metrics do not even show it) and recreates a dropped slot within a second or two.
            checkSlot();
        } catch (RuntimeException e) {
            LOG.debug("source {}: monitor tick failed: {}", sourceId, e.toString());
        }
    }

    private Boolean connected() {
        Set<ObjectName> names = mbeans.queryNames(pattern, null);
        for (ObjectName n : names) {
            try {
                return (Boolean) mbeans.getAttribute(n, "Connected");
            } catch (Exception e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The slot must exist, be valid, and not be ahead of what this source processed: Debezium recreates a
     * dropped slot under the same name when it reconnects, and a recreated slot's confirmed position is
     * where it was created — past changes this source never saw.
     */
    private void checkSlot() {
        Lsn processed = highestProcessed.get();
        try {
            if (slotConnection == null || slotConnection.isClosed()) {
                slotConnection = connections.openConnection();
            }
        } catch (SQLException e) {
            return; // server unreachable: the engine is retrying; check again next tick
        }
        try (PreparedStatement ps = slotConnection.prepareStatement(
                "select wal_status, confirmed_flush_lsn::text, active_pid from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    listener.slotLost(dropped("was dropped while streaming"));
                } else if ("lost".equals(rs.getString(1))) {
                    listener.slotLost(new DrasiPostgresException("replication slot " + slotName + " was invalidated by"
                            + " PostgreSQL (required WAL was removed, e.g. max_slot_wal_keep_size exceeded): changes were"
                            + " lost. Drop the slot (SELECT pg_drop_replication_slot('" + slotName + "')), clear the"
                            + " offset store, and start again with a bootstrap."));
                } else {
                    Integer pid = (Integer) rs.getObject(3);
                    boolean newSession = pid != null && lastActivePid != null && !pid.equals(lastActivePid);
                    if (pid != null) {
                        lastActivePid = pid;
                    }
                    // Only judged when a new walsender took the slot over: a slot recreated by that reconnect
                    // starts where it was created, past what this source saw before the drop.
                    if (newSession && rs.getString(2) != null && processed.isValid()
                            && Lsn.parse(rs.getString(2)).isAfter(processed)) {
                        listener.slotLost(dropped("was dropped and recreated while streaming (its confirmed position "
                                + rs.getString(2) + " is past everything this source processed, " + processed + ")"));
                    }
                }
            }
        } catch (SQLException e) {
            closeSlotConnection(); // reopened next tick
        }
    }

    private void closeSlotConnection() {
        if (slotConnection != null) {
            try {
                slotConnection.close();
            } catch (SQLException e) {
                // already broken
            }
            slotConnection = null;
        }
    }

    private DrasiPostgresException dropped(String what) {
        return new DrasiPostgresException("replication slot " + slotName + " " + what + ": changes since the last"
                + " acknowledged position may be lost. Start again with a bootstrap (drop the slot and clear the offset"
                + " store first).");
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSlotConnection();
    }
}
