package io.drasi.source.postgres;

import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** Builds the JDBC connection settings from the config (one place) and turns driver errors into fixes. */
final class Connections {

    private Connections() {
    }

    static ConnectionSettings settings(String sourceId, PostgresSourceConfig config) {
        return ConnectionSettings.builder()
                .host(config.host())
                .port(config.port())
                .database(config.database())
                .user(config.user())
                .password(config.password())
                .sslMode(ConnectionSettings.SslMode.valueOf(config.sslMode().name()))
                .sslRootCert(config.sslRootCert().map(Object::toString).orElse(null))
                .applicationName("drasi-source-postgres:" + sourceId)
                .driverProperties(() -> {
                    java.util.Properties p = new java.util.Properties();
                    p.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
                    p.setProperty("tcpKeepAlive", "true");
                    return p;
                })
                .build();
    }

    static Connection open(ConnectionSettings settings) {
        try {
            return settings.openConnection();
        } catch (SQLException e) {
            throw describe(e, settings);
        }
    }

    /** Translates a driver failure into an error that names the server and the fix (never the password). */
    static ConnectionFailedException describe(SQLException e, ConnectionSettings s) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = s.describe();
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        String fix;
        if (state.equals("28P01") || msg.toLowerCase(Locale.ROOT).contains("password authentication failed")) {
            fix = "password authentication failed for user " + s.user() + ": check the password (and pg_hba.conf)";
        } else if (state.equals("28000")) {
            fix = "login refused (" + msg + "): add a pg_hba.conf entry for this user/host/database, or fix ssl_mode";
        } else if (state.equals("3D000")) {
            fix = "database " + s.database() + " does not exist: create it or fix 'database'";
        } else if (state.startsWith("08")) {
            fix = "cannot reach PostgreSQL (" + msg + "): check host and port, that the server runs and accepts TCP"
                    + " connections (listen_addresses), and firewalls";
        } else {
            fix = msg;
        }
        return new ConnectionFailedException("connecting to " + where + " failed: " + fix, e);
    }
}
