package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.FailureReason;
import io.drasi.source.postgres.SourceFailedException;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the engine's replication connection (Debezium's streaming metrics, attribute {@code Connected})
 * and drives RUNNING ⇄ RECONNECTING. Debezium retries a lost connection on its own and would create a
 * fresh slot if ours had been dropped — silently skipping every change in between — so whenever the
 * connection is down the monitor checks that the slot still exists and fails the source if it does not.
 */
public final class ConnectionMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionMonitor.class);
    /** Ticks while the stream is not (yet, or no longer) connected: RUNNING is reached within a second. */
    private static final long PERIOD_MS = 1000;
    /**
     * Ticks while connected: each tick is a wake-up, a JMX read and a query (issue 19: idle cost). A loss of the
     * connection is seen at once without a tick (Debezium unregisters its streaming metrics), and a dropped or
     * invalidated slot within this period.
     */
    static final long CONNECTED_PERIOD_MS = 5000;

    public interface Listener {
        void connected();

        void disconnected();

        void slotLost(SourceFailedException error);
    }

    private final String sourceId;
    private final String slotName;
    private final String publicationName;
    private final ConnectionSettings connections;
    private final Listener listener;
    private final ScheduledExecutorService executor;
    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName pattern;
    private final boolean withSlotStats;
    private Boolean lastConnected;
    private volatile ScheduledFuture<?> nextTick; // written on the executor thread (and by start())
    private Connection slotConnection;
    private long maxDecodedBytes;
    private String lastServerStart;

    public ConnectionMonitor(
            String sourceId,
            String topicPrefix,
            String slotName,
            String publicationName,
            ConnectionSettings connections,
            int serverVersionNum,
            Listener listener) {
        this.withSlotStats = serverVersionNum >= 140000;
        this.sourceId = sourceId;
        this.slotName = slotName;
        this.publicationName = publicationName;
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

    public void start() {
        schedule(PERIOD_MS);
        try {
            mbeans.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, unregistered, unregisteredFilter, null);
        } catch (javax.management.InstanceNotFoundException e) {
            LOG.debug("source {}: no MBean server delegate: {}", sourceId, e.toString());
        }
    }

    /**
     * Debezium unregisters its streaming metrics when its task stops, also to restart after a lost connection, which
     * may be over before the next tick: seen here at once, the loss is not missed (RECONNECTING, then RUNNING at the
     * next tick, and the reconnect is counted).
     */
    private final NotificationListener unregistered = this::onUnregistered;

    private final NotificationFilter unregisteredFilter = this::isOurStreamingMetrics;

    private void onUnregistered(Notification notification, Object handback) {
        try {
            executor.execute(this::lost);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private boolean isOurStreamingMetrics(Notification n) {
        return n instanceof MBeanServerNotification m
                && MBeanServerNotification.UNREGISTRATION_NOTIFICATION.equals(m.getType())
                && pattern.apply(m.getMBeanName());
    }

    private void lost() {
        if (Boolean.TRUE.equals(lastConnected)) {
            lastConnected = Boolean.FALSE;
            listener.disconnected();
            schedule(PERIOD_MS); // watch the reconnect at the short period, not at the end of a connected one
        }
    }

    /** Replaces the next tick (executor thread, or before the first tick). */
    private void schedule(long delayMs) {
        ScheduledFuture<?> previous = nextTick;
        if (previous != null) {
            previous.cancel(false);
        }
        try {
            nextTick = executor.schedule(this::tickAndReschedule, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void tickAndReschedule() {
        tick();
        schedule(Boolean.TRUE.equals(lastConnected) ? CONNECTED_PERIOD_MS : PERIOD_MS);
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
     * The slot and publication must exist and the slot be valid. A dropped slot is usually seen directly;
     * if Debezium recreated it under the same name between two ticks, the slot's decoding statistics
     * ({@code pg_stat_replication_slots.total_bytes}, PostgreSQL 14+) start again from zero, which a
     * continuing slot never does.
     */
    private void checkSlot() {
        diagnose().ifPresent(listener::slotLost);
    }

    /**
     * Checks slot and publication once, now.
     *
     * @return the problem found, if any (nothing when the server cannot be reached)
     */
    public synchronized Optional<SourceFailedException> diagnose() {
        try {
            if (slotConnection == null || slotConnection.isClosed()) {
                slotConnection = connections.openConnection();
            }
        } catch (SQLException e) {
            return Optional.empty(); // server unreachable: the engine is retrying
        }
        String stats = withSlotStats
                ? "(select total_bytes from pg_stat_replication_slots st where st.slot_name = s.slot_name)"
                : "null::bigint";
        try (PreparedStatement ps = slotConnection.prepareStatement(
                "select (select wal_status from pg_replication_slots s where slot_name = ?), "
                        + "(select " + stats + " from pg_replication_slots s where slot_name = ?), "
                        + "exists (select 1 from pg_replication_slots where slot_name = ?), "
                        + "exists (select 1 from pg_publication where pubname = ?), "
                        + "pg_postmaster_start_time()::text")) {
            ps.setString(1, slotName);
            ps.setString(2, slotName);
            ps.setString(3, slotName);
            ps.setString(4, publicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(3)) {
                    return Optional.of(dropped("was dropped while streaming"));
                }
                if (!rs.getBoolean(4)) {
                    return Optional.of(new SourceFailedException(
                            FailureReason.PUBLICATION_MISSING,
                            "publication " + publicationName + " was dropped while"
                                    + " streaming: PostgreSQL cannot decode changes without it. Recreate it (CREATE "
                                    + "PUBLICATION "
                                    + publicationName
                                    + " FOR TABLE ...) and start the source again; changes committed meanwhile"
                                    + " are still in the slot.",
                            null));
                }
                if ("lost".equals(rs.getString(1))) {
                    return Optional.of(new SourceFailedException(
                            FailureReason.SLOT_INVALIDATED,
                            "replication slot " + slotName + " was invalidated by"
                                    + " PostgreSQL (required WAL was removed, e.g. max_slot_wal_keep_size exceeded): "
                                    + "changes were"
                                    + " lost. Drop the slot (SELECT pg_drop_replication_slot('" + slotName
                                    + "')), clear the"
                                    + " offset store, and start again with a bootstrap.",
                            null));
                }
                long bytes = rs.getLong(2);
                boolean noStats = rs.wasNull();
                String serverStart = rs.getString(5);
                if (!serverStart.equals(lastServerStart)) {
                    // statistics do not survive a crash restart: start comparing afresh
                    lastServerStart = serverStart;
                    maxDecodedBytes = 0;
                }
                if (!noStats) {
                    if (bytes < maxDecodedBytes) {
                        return Optional.of(dropped("was dropped and recreated while streaming (its decoding statistics"
                                + " restarted: " + bytes + " bytes decoded, " + maxDecodedBytes + " before)"));
                    }
                    maxDecodedBytes = bytes;
                }
                return Optional.empty();
            }
        } catch (SQLException e) {
            closeSlotConnection(); // reopened next time
            return Optional.empty();
        }
    }

    private synchronized void closeSlotConnection() {
        if (slotConnection != null) {
            try {
                slotConnection.close();
            } catch (SQLException e) {
                // already broken
            }
            slotConnection = null;
        }
    }

    private SourceFailedException dropped(String what) {
        return new SourceFailedException(
                FailureReason.SLOT_MISSING,
                "replication slot " + slotName + " " + what + ": changes since the last"
                        + " acknowledged position may be lost. Start again with a bootstrap (drop the slot and clear "
                        + "the offset"
                        + " store first).",
                null);
    }

    @Override
    public void close() {
        try {
            mbeans.removeNotificationListener(
                    MBeanServerDelegate.DELEGATE_NAME, unregistered, unregisteredFilter, null);
        } catch (javax.management.InstanceNotFoundException | javax.management.ListenerNotFoundException e) {
            // never added
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSlotConnection();
    }
}
