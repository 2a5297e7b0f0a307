package io.drasi.source.postgres;

import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.engine.Connections;
import io.drasi.source.postgres.engine.Preflight;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks whether a database is ready for a {@link PostgresReplicationSource} with a given configuration,
 * and reports every check, passed or failed, each failure with its fix. This is the same check logic a
 * source runs at start (there, failures become a {@link PreflightException}), plus informative checks:
 * free wal senders, slot lag, whether the publication exists or can be created. Nothing is changed in
 * the database.
 *
 * <p>Checks, in order: connection (server reachable), wal_level, server version, REPLICATION privilege,
 * free wal senders, per table (exists and has a key, SELECT privilege, REPLICA IDENTITY), free replication
 * slots (when the slot does not exist yet), the replication slot (active elsewhere? invalidated? lag in
 * bytes), the publication. When the server cannot be reached the list holds only the failed connection
 * check.
 *
 * <pre>{@code
 * for (SourceDiagnostics.Check c : SourceDiagnostics.run(config)) {
 *     System.out.println((c.ok() ? "✓ " : "✗ ") + c.name() + ": " + c.detail() + (c.ok() ? "" : " — fix: " + c.fix()));
 * }
 * }</pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class SourceDiagnostics {

    /**
     * One check.
     *
     * @param name   what was checked, e.g. {@code wal_level} or {@code table "public"."users"}; never null
     * @param ok     true when it passed
     * @param detail what was found; never null
     * @param fix    how to fix a failure; empty when {@code ok}; never null
     */
    public record Check(String name, boolean ok, String detail, String fix) {

        /** Validates non-null components. */
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(fix, "fix");
        }

        public static Check ok(String name, String detail) {
            return new Check(name, true, detail, "");
        }

        public static Check failed(String name, String detail, String fix) {
            return new Check(name, false, detail, fix);
        }

        /**
         * @return {@code detail: fix} for a failure (the wording of {@link PreflightException#problems()}), else the
         * detail
         */
        public String problem() {
            return ok ? detail : detail + ": " + fix;
        }
    }

    private SourceDiagnostics() {}

    /**
     * Connects with the configuration's settings and runs every check.
     *
     * @param config the configuration to check; never null
     * @return the checks in order; never empty
     * @throws DrasiPostgresException when a catalog query fails after the connection was made
     */
    public static List<Check> run(PostgresSourceConfig config) {
        Objects.requireNonNull(config, "config");
        ConnectionSettings settings = Connections.settings("check", config);
        String where = settings.describe();
        List<Check> checks = new ArrayList<>();
        Connection c;
        try {
            c = Connections.open(settings);
        } catch (ConnectionFailedException e) {
            checks.add(Check.failed("connection", "cannot connect to " + where, e.getMessage()));
            return checks;
        }
        try (c) {
            checks.add(Check.ok("connection", "connected to " + where));
            checks.addAll(run(c, config));
            return checks;
        } catch (SQLException e) {
            throw new DrasiPostgresException("checking " + where + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs every check except the connection check on an open connection to the configured database.
     *
     * @param connection an open connection; not closed here
     * @param config     the configuration to check; never null
     * @return the checks in order
     * @throws SQLException when a catalog query fails
     */
    public static List<Check> run(Connection connection, PostgresSourceConfig config) throws SQLException {
        return Preflight.inspect(connection, config, Preflight.Mode.DIAGNOSE).checks();
    }

    /**
     * @param checks checks from {@link #run}
     * @return true when every check passed
     */
    public static boolean allOk(List<Check> checks) {
        return checks.stream().allMatch(Check::ok);
    }
}
