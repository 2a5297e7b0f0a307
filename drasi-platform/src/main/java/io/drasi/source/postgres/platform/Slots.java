package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.PostgresSourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The two replication-slot questions the reactivator asks itself over a plain JDBC connection: does the
 * configured slot exist (else a stored position belongs to an older slot), and drop it on deprovision.
 *
 * <p>Thread-safety: stateless.
 */
final class Slots {

    private Slots() {
    }

    /** @return true when the configured slot exists in the configured database */
    static boolean exists(PostgresSourceConfig config) throws SQLException {
        try (Connection c = open(config); PreparedStatement ps = c.prepareStatement(
                "select 1 from pg_replication_slots where slot_name = ? and database = current_database()")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Moves the slot's {@code confirmed_flush_lsn} forward to {@code target} (never backwards), so that
     * PostgreSQL redelivers exactly the transactions committed after it. The slot must be inactive.
     *
     * @return the slot's confirmed_flush_lsn before the call, or empty when the slot does not exist
     */
    static java.util.Optional<io.drasi.source.postgres.core.Lsn> advanceTo(PostgresSourceConfig config,
                                                                      io.drasi.source.postgres.core.Lsn target) throws SQLException {
        try (Connection c = open(config)) {
            io.drasi.source.postgres.core.Lsn confirmed;
            try (PreparedStatement ps = c.prepareStatement("select confirmed_flush_lsn::text from pg_replication_slots"
                    + " where slot_name = ? and database = current_database()")) {
                ps.setString(1, config.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return java.util.Optional.empty();
                    }
                    confirmed = rs.getString(1) == null ? io.drasi.source.postgres.core.Lsn.INVALID
                            : io.drasi.source.postgres.core.Lsn.parse(rs.getString(1));
                }
            }
            if (target.isAfter(confirmed)) {
                for (int attempt = 1; ; attempt++) {
                    try (PreparedStatement ps = c.prepareStatement("select pg_replication_slot_advance(?, ?::pg_lsn)")) {
                        ps.setString(1, config.slotName());
                        ps.setString(2, target.toString());
                        ps.execute();
                        break;
                    } catch (SQLException e) {
                        if (!"55006".equals(e.getSQLState()) || attempt >= 50) { // a previous walsender still exiting
                            throw e;
                        }
                        sleep();
                    }
                }
            }
            return java.util.Optional.of(confirmed);
        }
    }

    /**
     * Drops the slot and the publication when they exist; waits up to 10 s for a walsender that is still
     * exiting to release the slot.
     *
     * @return true when the slot existed and was dropped
     */
    static boolean drop(PostgresSourceConfig config) throws SQLException {
        try (Connection c = open(config)) {
            boolean dropped = false;
            for (int attempt = 1; ; attempt++) {
                try (PreparedStatement ps = c.prepareStatement("select pg_drop_replication_slot(slot_name) from"
                        + " pg_replication_slots where slot_name = ? and database = current_database()")) {
                    ps.setString(1, config.slotName());
                    try (ResultSet rs = ps.executeQuery()) {
                        dropped = rs.next();
                    }
                    break;
                } catch (SQLException e) {
                    // 55006 object_in_use: our walsender is still exiting after the stream was stopped
                    if (!"55006".equals(e.getSQLState()) || attempt >= 50) {
                        throw e;
                    }
                    sleep();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("drop publication if exists "
                    + quote(config.publicationName()))) {
                ps.execute();
            }
            return dropped;
        }
    }

    private static void sleep() throws SQLException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the slot to become inactive", e);
        }
    }

    private static Connection open(PostgresSourceConfig config) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        p.setProperty("password", config.password());
        p.setProperty("sslmode", config.sslMode().value());
        config.sslRootCert().ifPresent(f -> p.setProperty("sslrootcert", f.toString()));
        p.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        p.setProperty("ApplicationName", "drasi-pg-platform");
        return DriverManager.getConnection("jdbc:postgresql://" + hostPort(config) + "/"
                + java.net.URLEncoder.encode(config.database(), java.nio.charset.StandardCharsets.UTF_8), p);
    }

    private static String hostPort(PostgresSourceConfig config) {
        String host = config.host().contains(":") && !config.host().startsWith("[") ? "[" + config.host() + "]"
                : config.host();
        return host + ":" + config.port();
    }

    private static String quote(String ident) {
        return io.drasi.source.postgres.model.TableId.quote(ident);
    }
}
