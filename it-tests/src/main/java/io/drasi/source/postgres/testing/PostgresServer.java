package io.drasi.source.postgres.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running PostgreSQL server with {@code wal_level=logical}, obtained from {@link PostgresHarness}.
 * Gives connection details and the operations integration tests need: run SQL, create databases and
 * least-privilege roles, restart the server, terminate walsenders, read replication slots.
 *
 * <p>Thread-safety: safe for concurrent use; each call opens its own connection. Nullability: no
 * method returns null.
 */
public final class PostgresServer {

    /** How to shut the server down before starting it again. */
    public enum ShutdownMode {
        /** {@code pg_ctl -m fast}: clean shutdown, clients disconnected. */
        FAST,
        /** {@code pg_ctl -m immediate}: like a crash; recovery runs at start. */
        IMMEDIATE
    }

    /** One row of {@code pg_replication_slots}. */
    public record SlotInfo(
            String slotName,
            String plugin,
            String slotType,
            String database,
            boolean active,
            Integer activePid,
            String restartLsn,
            String confirmedFlushLsn,
            String walStatus,
            boolean temporary) {}

    private static final AtomicInteger DB_COUNTER = new AtomicInteger();

    private final Backend backend;
    private final String database;

    PostgresServer(Backend backend, String database) {
        this.backend = backend;
        this.database = database;
    }

    /** @return host name or address to connect to */
    public String host() {
        return backend.host();
    }

    /** @return TCP port */
    public int port() {
        return backend.port();
    }

    /** @return superuser name */
    public String user() {
        return backend.user();
    }

    /** @return superuser password (may be empty) */
    public String password() {
        return backend.password();
    }

    /** @return database this view connects to */
    public String database() {
        return database;
    }

    /** @return how this server was obtained, e.g. {@code local binaries /usr/lib/postgresql/15/bin} */
    public String origin() {
        return backend.describe();
    }

    /** @return true when the harness controls the server process and can restart it */
    public boolean canRestart() {
        return backend.canRestart();
    }

    /** @return a JDBC URL for {@link #database()} without credentials */
    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    /**
     * @param db database name
     * @return a JDBC URL for that database without credentials
     */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + db;
    }

    /**
     * @return the server's version, e.g. {@code 18.0} (from {@code show server_version}, distribution suffix dropped)
     */
    public String serverVersion() {
        return queryValue("show server_version").split(" ")[0];
    }

    /** @return the server's major version number, e.g. 15 */
    public int majorVersion() {
        return Integer.parseInt(queryValue("show server_version_num")) / 10000;
    }

    /**
     * Creates a fresh database on the same server and returns a view of the server bound to it, so
     * tests do not see each other's tables and publications.
     *
     * @param prefix readable prefix for the name, letters/digits/underscore
     * @return a view bound to the new database
     */
    public PostgresServer newDatabase(String prefix) {
        String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + DB_COUNTER.incrementAndGet()).toLowerCase();
        execute("CREATE DATABASE " + quoteIdent(name));
        return new PostgresServer(backend, name);
    }

    /**
     * Creates a fresh database as {@link #newDatabase(String)} does and runs a set-up script in it, e.g.
     * the tables of a test and their first rows.
     *
     * @param prefix   readable prefix for the name, letters/digits/underscore
     * @param setupSql SQL statements separated by {@code ;}, run as {@link #execute(String...)} runs a
     *     string: in order, in one transaction
     * @return a view bound to the new database
     */
    public PostgresServer newDatabase(String prefix, String setupSql) {
        PostgresServer db = newDatabase(prefix);
        db.execute(setupSql);
        return db;
    }

    /**
     * Opens a new connection as the superuser to {@link #database()}; the caller closes it.
     *
     * @return an open connection
     */
    public Connection connect() {
        return connect(user(), password());
    }

    /**
     * @param user     role name
     * @param password role password
     * @return an open connection to {@link #database()} as that role; the caller closes it
     */
    public Connection connect(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        try {
            return DriverManager.getConnection(jdbcUrl(), p);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot connect to " + jdbcUrl() + " as " + user + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs statements in autocommit mode, in order. A string may hold several statements separated by
     * {@code ;} (a script, e.g. a text block): pgjdbc sends them together and the server runs them in one
     * implicit transaction, so a failing one leaves none of them applied. Write a transaction per string:
     * {@code BEGIN}/{@code COMMIT} inside a script do not make a statement between two blocks a transaction
     * of its own (it joins the next block), and a statement that cannot run inside a transaction block
     * ({@code CREATE DATABASE}, {@code VACUUM}, {@code ALTER SYSTEM}) must be a string of its own.
     *
     * @param sql statements, or scripts of statements
     */
    public void execute(String... sql) {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs statements in one transaction.
     *
     * @param sql statements
     */
    public void executeInTransaction(String... sql) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String s : sql) {
                    st.execute(s);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("SQL transaction failed on " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param sql a query
     * @return all rows, each column name → JDBC value ({@code getObject}), in order
     */
    public List<Map<String, Object>> query(String sql) {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param sql a query returning one row with one column
     * @return that value as text (null when SQL NULL)
     */
    public String queryValue(String sql) {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("query returned no row: " + sql);
            }
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until no backend other than the asking one is connected to {@link #database()}. A
     * client's close is asynchronous on the server side (the backend notices the terminate or the
     * closed socket and then exits), so a check right after a close can see a backend that is
     * already on its way out; a connection a client really leaked stays for the whole wait.
     *
     * @param max how long to wait
     * @return the backends still connected at the end (pid, backend type, application name, state,
     *     query), empty when none
     * @throws InterruptedException when interrupted while waiting
     */
    public List<Map<String, Object>> awaitNoOtherBackends(java.time.Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        List<Map<String, Object>> left;
        while (!(left = query("SELECT pid, backend_type, application_name, state, left(query, 80) AS query"
                                + " FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND pid <> pg_backend_pid()"))
                        .isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return left;
    }

    /**
     * Creates a role with only LOGIN, REPLICATION and SELECT on the given tables of
     * {@link #database()} (plus USAGE on their schemas and CONNECT on the database). Replaces a role
     * of the same name.
     *
     * @param role     role name
     * @param password its password
     * @param tables   tables as {@code schema.table} or {@code table}, already quoted where needed
     */
    public void createReplicationRole(String role, String password, String... tables) {
        String r = quoteIdent(role);
        execute(
                "DROP ROLE IF EXISTS " + r + "",
                "CREATE ROLE " + r + " LOGIN REPLICATION PASSWORD " + quoteLiteral(password),
                "GRANT CONNECT ON DATABASE " + quoteIdent(database) + " TO " + r);
        for (String t : tables) {
            int dot = t.lastIndexOf('.');
            String schema = dot > 0 ? t.substring(0, dot) : "public";
            execute("GRANT USAGE ON SCHEMA " + schema + " TO " + r, "GRANT SELECT ON " + t + " TO " + r);
        }
    }

    /**
     * Restarts the server and waits until it accepts connections again.
     *
     * @param mode fast (clean) or immediate (crash-like)
     * @throws UnsupportedOperationException when the harness does not control the server process
     */
    public void restart(ShutdownMode mode) {
        backend.restart(mode);
    }

    /**
     * Terminates every walsender (replication connection) of this server.
     *
     * @return how many were terminated
     */
    public int terminateWalSenders() {
        return Integer.parseInt(queryValue(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity where backend_type = 'walsender'"));
    }

    /** @return every replication slot of the server */
    public List<SlotInfo> replicationSlots() {
        List<SlotInfo> out = new ArrayList<>();
        for (Map<String, Object> r : query("select slot_name, plugin, slot_type, database, active, active_pid, "
                + "restart_lsn::text, confirmed_flush_lsn::text, wal_status, temporary from pg_replication_slots")) {
            out.add(new SlotInfo(
                    (String) r.get("slot_name"),
                    (String) r.get("plugin"),
                    (String) r.get("slot_type"),
                    (String) r.get("database"),
                    (Boolean) r.get("active"),
                    (Integer) r.get("active_pid"),
                    (String) r.get("restart_lsn"),
                    (String) r.get("confirmed_flush_lsn"),
                    (String) r.get("wal_status"),
                    (Boolean) r.get("temporary")));
        }
        return out;
    }

    /**
     * Drops a replication slot if it exists, terminating the session that holds it first.
     *
     * @param slotName the slot
     */
    public void dropSlotIfExists(String slotName) {
        execute("select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = "
                + quoteLiteral(slotName) + " and active_pid is not null");
        for (int i = 0; i < 50; i++) {
            try {
                execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = "
                        + quoteLiteral(slotName));
                return;
            } catch (IllegalStateException e) {
                sleep(100); // slot still active while the walsender exits
            }
        }
        throw new IllegalStateException("could not drop replication slot " + slotName);
    }

    /**
     * @param ident an identifier
     * @return it double-quoted for SQL
     */
    public static String quoteIdent(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }

    /**
     * @param text a value
     * @return it single-quoted for SQL
     */
    public static String quoteLiteral(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + jdbcUrl() + " via " + origin() + "]";
    }
}
