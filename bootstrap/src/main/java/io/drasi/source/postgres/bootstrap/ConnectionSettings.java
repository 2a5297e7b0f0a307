package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.core.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * Connection parameters as a small immutable value, and a {@link ConnectionFactory} over pgjdbc.
 *
 * <p>Property precedence (lowest first): the {@link Builder#driverProperties(Supplier) extra pgjdbc
 * properties} supplied by the caller (the adapter passes only allow-listed keys), then user, password
 * and TLS settings from this object, then — for replication connections — the fixed replication
 * properties. The password never appears in {@link #toString()}, {@link #describe()} or messages.
 *
 * <p>Thread-safety: immutable; {@link #openConnection()} may be called concurrently (the supplier must
 * then be thread-safe too). Nullability: every component is non-null except {@link #sslRootCert()}. Equality
 * compares the components (the supplier by identity).
 *
 * @param host             host name or address
 * @param port             TCP port, 1-65535
 * @param database         database name
 * @param user             role name
 * @param password         password, empty for none; a secret: never log it
 * @param sslMode          TLS mode
 * @param sslRootCert      path of the root certificate for verify-ca/verify-full, or null for pgjdbc's default
 * @param applicationName  pgjdbc ApplicationName shown in pg_stat_activity
 * @param driverProperties supplies extra pgjdbc properties, see {@link Builder#driverProperties(Supplier)}
 */
public record ConnectionSettings(
        String host,
        int port,
        String database,
        String user,
        String password,
        SslMode sslMode,
        String sslRootCert,
        String applicationName,
        Supplier<Properties> driverProperties)
        implements ConnectionFactory {

    private static final Driver DRIVER = new Driver();

    /**
     * Validates; prefer {@link #builder()}.
     *
     * @throws IllegalArgumentException when a field is missing or invalid
     */
    public ConnectionSettings {
        requireText(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        requireText(database, "database");
        requireText(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(sslMode, "sslMode");
        requireText(applicationName, "applicationName");
        Objects.requireNonNull(driverProperties, "driverProperties");
    }

    private static void requireText(String v, String name) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    /** @return a builder with defaults: port 5432, password "", sslMode PREFER, no extra properties */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the JDBC URL (no credentials) */
    public String jdbcUrl() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Properties properties(boolean replication) {
        Properties p = new Properties();
        Properties extra = driverProperties.get();
        if (extra != null) {
            p.putAll(extra);
        }
        PGProperty.USER.set(p, user);
        PGProperty.PASSWORD.set(p, password);
        PGProperty.SSL_MODE.set(p, sslMode.value());
        if (sslRootCert != null) {
            PGProperty.SSL_ROOT_CERT.set(p, sslRootCert);
        }
        if (PGProperty.APPLICATION_NAME.getOrDefault(p) == null
                || PGProperty.APPLICATION_NAME.getOrDefault(p).equals(PGProperty.APPLICATION_NAME.getDefaultValue())) {
            PGProperty.APPLICATION_NAME.set(p, applicationName);
        }
        if (replication) {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        }
        return p;
    }

    @Override
    public Connection openConnection() throws SQLException {
        return open(false);
    }

    @Override
    public Connection openReplicationConnection() throws SQLException {
        return open(true);
    }

    private Connection open(boolean replication) throws SQLException {
        Connection c = DRIVER.connect(jdbcUrl(), properties(replication));
        if (c == null) {
            throw new SQLException("pgjdbc did not accept the URL " + jdbcUrl());
        }
        return c;
    }

    @Override
    public String describe() {
        return user + "@" + jdbcUrl().substring("jdbc:postgresql://".length());
    }

    @Override
    public String toString() {
        return "ConnectionSettings[" + describe() + ", password=" + (password.isEmpty() ? "<empty>" : "****")
                + ", sslMode=" + sslMode.name().toLowerCase(Locale.ROOT) + "]";
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private String host = "localhost";
        private int port = 5432;
        private String database;
        private String user;
        private String password = "";
        private SslMode sslMode = SslMode.PREFER;
        private String sslRootCert;
        private String applicationName = "drasi-source-postgres-bootstrap";
        private Supplier<Properties> driverProperties = Properties::new;

        private Builder() {}

        /** @param host host name or address; @return this */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** @param port TCP port; @return this */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** @param database database name; @return this */
        public Builder database(String database) {
            this.database = database;
            return this;
        }

        /** @param user role name; @return this */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** @param password password, empty for none; @return this */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** @param sslMode TLS mode; @return this */
        public Builder sslMode(SslMode sslMode) {
            this.sslMode = sslMode;
            return this;
        }

        /** @param sslRootCert root certificate path, or null; @return this */
        public Builder sslRootCert(String sslRootCert) {
            this.sslRootCert = sslRootCert;
            return this;
        }

        /** @param applicationName pgjdbc ApplicationName shown in pg_stat_activity; @return this */
        public Builder applicationName(String applicationName) {
            this.applicationName = applicationName;
            return this;
        }

        /**
         * @param driverProperties supplies extra pgjdbc properties (already allow-listed by the caller),
         *                         called once per connection; overridden by this object's settings
         * @return this
         */
        public Builder driverProperties(Supplier<Properties> driverProperties) {
            this.driverProperties = driverProperties;
            return this;
        }

        /** @return the settings; @throws IllegalArgumentException when a field is missing or invalid */
        public ConnectionSettings build() {
            return new ConnectionSettings(
                    host, port, database, user, password, sslMode, sslRootCert, applicationName, driverProperties);
        }
    }
}
