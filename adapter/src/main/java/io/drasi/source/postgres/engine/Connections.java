package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ConnectionFailedException;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** Builds the JDBC connection settings from the config (one place) and turns driver errors into fixes. */
public final class Connections {

    private Connections() {}

    /**
     * @param config the source's configuration; never null
     * @return a builder holding the config's server, database, credentials and TLS settings; the caller names the
     *     application (and adds driver properties) before building
     */
    public static ConnectionSettings.Builder builder(PostgresSourceConfig config) {
        return ConnectionSettings.builder()
                .host(config.host())
                .port(config.port())
                .database(config.database())
                .user(config.user())
                .password(config.password())
                .sslMode(config.sslMode())
                .sslRootCert(config.sslRootCert().map(Object::toString).orElse(null));
    }

    /**
     * @param sourceId the source's id, part of the application name shown in {@code pg_stat_activity}
     * @param config   the source's configuration; never null
     * @return the settings of the source's own connections (connect timeout, TCP keep-alive)
     */
    public static ConnectionSettings settings(String sourceId, PostgresSourceConfig config) {
        return builder(config)
                .applicationName("drasi-source-postgres:" + sourceId)
                .driverProperties(() -> {
                    java.util.Properties p = new java.util.Properties();
                    p.setProperty(
                            "connectTimeout",
                            Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
                    p.setProperty("tcpKeepAlive", "true");
                    return p;
                })
                .build();
    }

    public static Connection open(ConnectionSettings settings) {
        try {
            return settings.openConnection();
        } catch (SQLException e) {
            throw describe(e, settings);
        }
    }

    /** Translates a driver failure into an error that names the server and the fix (never the password). */
    public static ConnectionFailedException describe(SQLException e, ConnectionSettings s) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = s.describe();
        String msg = e.getMessage() == null
                ? e.toString()
                : e.getMessage().lines().findFirst().orElse("");
        String fix;
        if (state.equals("28P01") || msg.toLowerCase(Locale.ROOT).contains("password authentication failed")) {
            fix = "password authentication failed for user " + s.user() + ": check the password (and pg_hba.conf)";
        } else if (state.equals("28000")) {
            fix = "login refused (" + msg + "): add a pg_hba.conf entry for this user/host/database, or fix ssl_mode";
        } else if (tlsProblem(e, msg)) {
            fix = tlsFix(msg, s);
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

    /** True when the TLS handshake or the certificate check failed (pgjdbc reports these as 08xxx too). */
    private static boolean tlsProblem(SQLException e, String msg) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        String m = msg.toLowerCase(Locale.ROOT);
        return m.contains("ssl") || m.contains("hostnameverifier") || m.contains("certificate");
    }

    private static String tlsFix(String msg, ConnectionSettings s) {
        String mode = "ssl_mode " + s.sslMode().value();
        String m = msg.toLowerCase(Locale.ROOT);
        if (m.contains("hostnameverifier") || m.contains("hostname")) {
            return "the server's TLS certificate does not name host " + s.host() + " (" + msg + "; " + mode
                    + " checks the name): connect with a host name or IP address the certificate lists, or use"
                    + " ssl_mode verify-ca to check the certificate authority only";
        }
        if (m.contains("pkix") || m.contains("certification path") || m.contains("certificate")) {
            return "the server's TLS certificate was not accepted (" + msg + "; " + mode + "): set ssl_root_cert to"
                    + " the CA certificate (PEM) that signed the server certificate"
                    + (s.sslRootCert() == null ? "" : " (now " + s.sslRootCert() + ")");
        }
        return "TLS failed (" + msg + "; " + mode + "): check that the server has ssl = on, or change ssl_mode";
    }
}
