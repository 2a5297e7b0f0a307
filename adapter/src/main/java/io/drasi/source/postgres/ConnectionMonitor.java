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
    private static final long PERIOD_MS = 100;

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
    private Boolean lastConnected;
    private long lastSlotCheckNanos;

    ConnectionMonitor(String sourceId, String topicPrefix, String slotName, ConnectionSettings connections, Listener listener) {
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
            long now = System.nanoTime();
            // While down: check often (Debezium's retry would recreate a dropped slot). While up: every 5 s.
            long interval = connected ? TimeUnit.SECONDS.toNanos(5) : TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
            if (now - lastSlotCheckNanos >= interval) {
                lastSlotCheckNanos = now;
                checkSlot();
            }
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

    private void checkSlot() {
        try (Connection c = connections.openConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select wal_status from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    listener.slotLost(new DrasiPostgresException("replication slot " + slotName + " was dropped while"
                            + " streaming: changes since the last acknowledged position may be lost. Start again with a"
                            + " bootstrap (the slot is recreated)."));
                } else if ("lost".equals(rs.getString(1))) {
                    listener.slotLost(new DrasiPostgresException("replication slot " + slotName + " was invalidated by"
                            + " PostgreSQL (required WAL was removed, e.g. max_slot_wal_keep_size exceeded): changes were"
                            + " lost. Drop the slot (SELECT pg_drop_replication_slot('" + slotName + "')), clear the"
                            + " offset store, and start again with a bootstrap."));
                }
            }
        } catch (SQLException e) {
            // server unreachable: the engine is retrying; check again next tick
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
