package io.drasi.source.postgres;

import io.drasi.source.postgres.SourceDiagnostics.Check;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the database before the engine starts, so that a misconfiguration fails with every problem and
 * its fix at once instead of a Debezium stack trace: wal_level, REPLICATION privilege, each table exists
 * and is readable, has a key (primary key or configured key columns) and a replica identity that carries
 * the key on DELETE, the publication covers the tables (created when missing), and the slot is usable.
 *
 * <p>The checks themselves live in {@link #inspect}, which records one {@link Check} per aspect; both
 * {@link #run} (start of a source: failed checks become {@link PreflightException} problems) and the public
 * {@link SourceDiagnostics} (the CLI's {@code check}: every check is reported) use it.
 */
final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    /** A configured table as found in the catalog. */
    record ResolvedTable(TableName name, List<String> primaryKey, List<String> keyColumns, char replicaIdentity) {
    }

    /** What the preflight learned; the engine is configured from it. */
    record Result(List<ResolvedTable> tables, boolean slotExists, boolean publicationCreated, int serverVersionNum) {
    }

    /** Whether the checks serve a start (only what blocks it) or a full report (also informative checks). */
    enum Mode {
        /** {@link #run}: blocking checks only; a missing publication is created afterwards. */
        START,
        /** {@link SourceDiagnostics}: every check, including wal senders, slot lag, publication creatability. */
        DIAGNOSE
    }

    /** Everything {@link #inspect} found. */
    record Inspection(List<Check> checks, List<ResolvedTable> tables, boolean slotExists, int serverVersionNum) {

        List<String> problems() {
            return checks.stream().filter(c -> !c.ok()).map(Check::problem).toList();
        }
    }

    private Preflight() {
    }

    static Result run(Connection c, PostgresSourceConfig config) throws SQLException {
        Inspection found = inspect(c, config, Mode.START);
        List<String> problems = new ArrayList<>(found.problems());
        boolean created = false;
        if (problems.isEmpty()) {
            created = ensurePublication(c, config, found.tables(), problems);
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(problems, null);
        }
        return new Result(List.copyOf(found.tables()), found.slotExists(), created, found.serverVersionNum());
    }

    /**
     * Resolves the configured tables only (existence, privilege, key, replica identity), for a bootstrap
     * that does not stream.
     *
     * @throws PreflightException listing every problem
     */
    static List<ResolvedTable> resolveTables(Connection c, PostgresSourceConfig config) throws SQLException {
        List<Check> checks = new ArrayList<>();
        List<ResolvedTable> tables = resolveTables(c, config, checks);
        List<String> problems = checks.stream().filter(k -> !k.ok()).map(Check::problem).toList();
        if (!problems.isEmpty()) {
            throw new PreflightException(problems, null);
        }
        return tables;
    }

    /**
     * Runs every check on an open connection; changes nothing in the database.
     *
     * @param c      a connection to the configured database
     * @param config the configuration
     * @param mode   which checks to run
     * @return the checks in order (server, wal_level, version, privilege, tables, slot, publication)
     */
    static Inspection inspect(Connection c, PostgresSourceConfig config, Mode mode) throws SQLException {
        List<Check> checks = new ArrayList<>();
        int versionNum;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select current_setting('wal_level'), current_setting('server_version_num')::int, current_user,"
                        + " (select rolreplication or rolsuper from pg_roles where rolname = current_user),"
                        + " current_setting('server_version')")) {
            rs.next();
            String walLevel = rs.getString(1);
            versionNum = rs.getInt(2);
            String user = rs.getString(3);
            checks.add("logical".equals(walLevel)
                    ? Check.ok("wal_level", "wal_level is 'logical'")
                    : Check.failed("wal_level", "wal_level is '" + walLevel + "' but logical replication needs 'logical'",
                            "run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL"));
            checks.add(versionNum >= 100000
                    ? Check.ok("server version", "PostgreSQL " + rs.getString(5)
                            + (versionNum < 120000 ? " (12+ is the supported range)" : ""))
                    : Check.failed("server version", "PostgreSQL " + versionNum + " is too old",
                            "pgoutput needs PostgreSQL 10 or newer (12+ supported)"));
            checks.add(rs.getBoolean(4)
                    ? Check.ok("REPLICATION privilege", "role " + user + " may replicate")
                    : Check.failed("REPLICATION privilege", "role " + user + " lacks the REPLICATION attribute",
                            "run ALTER ROLE " + TableName.quote(user) + " REPLICATION; (as a superuser)"));
        }
        if (mode == Mode.DIAGNOSE) {
            checks.add(walSenders(c));
        }
        List<ResolvedTable> tables = resolveTables(c, config, checks);
        boolean slotExists = checkSlot(c, config, checks, mode);
        if (mode == Mode.DIAGNOSE) {
            checks.add(publication(c, config, tables));
        }
        return new Inspection(List.copyOf(checks), List.copyOf(tables), slotExists, versionNum);
    }

    private static Check walSenders(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select current_setting('max_wal_senders')::int,"
                        + " (select count(*) from pg_stat_activity where backend_type = 'walsender')::int")) {
            rs.next();
            int max = rs.getInt(1);
            int used = rs.getInt(2);
            return max - used > 0
                    ? Check.ok("free wal senders", (max - used) + " of max_wal_senders = " + max + " free")
                    : Check.failed("free wal senders", "all " + max + " wal senders are in use",
                            "stop an unused replication client, or raise max_wal_senders and restart PostgreSQL");
        }
    }

    private static List<ResolvedTable> resolveTables(Connection c, PostgresSourceConfig config, List<Check> checks)
            throws SQLException {
        Map<String, List<String>> configuredKeys = new LinkedHashMap<>();
        for (TableKeyConfig k : config.tableKeys()) {
            TableName n = TableName.parse(k.table());
            configuredKeys.put(n.schema() + "." + n.table(), k.keyColumns());
        }
        List<ResolvedTable> tables = new ArrayList<>();
        for (String t : config.tables()) {
            TableName name = TableName.parse(t);
            ResolvedTable rt = resolveTable(c, name, configuredKeys.get(name.schema() + "." + name.table()), checks);
            if (rt != null) {
                tables.add(rt);
            }
        }
        return tables;
    }

    private static ResolvedTable resolveTable(Connection c, TableName name, List<String> configuredKey,
                                              List<Check> checks) throws SQLException {
        String display = name.sql();
        String tableCheck = "table " + display;
        long oid;
        char identity;
        try (PreparedStatement ps = c.prepareStatement(
                "select c.oid, c.relreplident, c.relkind, has_table_privilege(c.oid, 'SELECT')"
                        + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " where n.nspname = ? and c.relname = ?")) {
            ps.setString(1, name.schema());
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    checks.add(Check.failed(tableCheck, "table " + display + " does not exist",
                            "create it, or remove it from 'tables'"
                                    + " (unqualified names mean schema public; write schema.table otherwise)"));
                    return null;
                }
                oid = rs.getLong(1);
                identity = rs.getString(2).charAt(0);
                String kind = rs.getString(3);
                if (!"r".equals(kind) && !"p".equals(kind)) {
                    checks.add(Check.failed(tableCheck, display + " is not a table (relkind " + kind + ")",
                            "only tables can be replicated"));
                    return null;
                }
                checks.add(rs.getBoolean(4)
                        ? Check.ok("SELECT on " + display, "this role may read " + display)
                        : Check.failed("SELECT on " + display, "no SELECT privilege on " + display,
                                "GRANT SELECT ON " + display + " TO <this role>;"));
            }
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select attname from pg_attribute where attrelid = ? and attnum > 0 and not attisdropped order by attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        List<String> pk = indexColumns(c, oid, "indisprimary");
        List<String> identityIndex = indexColumns(c, oid, "indisreplident");
        List<String> key;
        if (configuredKey != null) {
            List<String> unknown = configuredKey.stream().filter(k -> !columns.contains(k)).toList();
            if (!unknown.isEmpty()) {
                checks.add(Check.failed(tableCheck, "table_keys for " + display + " name columns that do not exist: "
                        + unknown, "use existing columns (columns are " + columns + ")"));
                return null;
            }
            key = configuredKey;
            checks.add(Check.ok(tableCheck, "exists; key " + key + " from table_keys"));
        } else if (!pk.isEmpty()) {
            key = pk;
            checks.add(Check.ok(tableCheck, "exists; key " + key + " from the primary key"));
        } else {
            checks.add(Check.failed(tableCheck, "table " + display + " has no primary key and no configured key, so its"
                    + " rows cannot be identified across updates and deletes", "add table_keys: [{table: " + name.table()
                    + ", key_columns: [...]}] to the config, or ALTER TABLE " + display + " ADD PRIMARY KEY (...)"));
            return null;
        }
        // On DELETE (and key-changing UPDATE) pgoutput sends only the replica identity's columns.
        Set<String> identityColumns = switch (identity) {
            case 'f' -> Set.copyOf(columns);
            case 'i' -> Set.copyOf(identityIndex);
            case 'd' -> Set.copyOf(pk);
            default -> Set.of();
        };
        String identityText = switch (identity) {
            case 'n' -> "NOTHING";
            case 'f' -> "FULL";
            case 'i' -> "USING INDEX (" + String.join(", ", identityIndex) + ")";
            default -> "DEFAULT (" + (pk.isEmpty() ? "no primary key" : "primary key " + pk) + ")";
        };
        String identityCheck = "REPLICA IDENTITY of " + display;
        if (!identityColumns.containsAll(key)) {
            checks.add(Check.failed(identityCheck, "table " + display + " has REPLICA IDENTITY " + identityText
                            + ", so DELETEs would not carry its key columns " + key,
                    "run ALTER TABLE " + display + " REPLICA IDENTITY FULL; (or USING INDEX on a unique index over "
                            + key + ")"));
        } else {
            checks.add(Check.ok(identityCheck, identityText + " carries the key " + key + " on DELETE"));
        }
        return new ResolvedTable(name, pk, List.copyOf(key), identity);
    }

    private static List<String> indexColumns(Connection c, long oid, String flag) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select a.attname from pg_index i cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)"
                        + " join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum"
                        + " where i.indrelid = ? and i." + flag + " order by k.ord")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }

    private static boolean checkSlot(Connection c, PostgresSourceConfig config, List<Check> checks, Mode mode)
            throws SQLException {
        String slot = config.slotName();
        String name = "replication slot " + slot;
        try (PreparedStatement ps = c.prepareStatement(
                "select plugin, slot_type, database, active, active_pid, wal_status,"
                        + " case when confirmed_flush_lsn is null then null"
                        + " else pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint end,"
                        + " confirmed_flush_lsn::text"
                        + " from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (Statement st = c.createStatement(); ResultSet free = st.executeQuery(
                            "select current_setting('max_replication_slots')::int,"
                                    + " (select count(*) from pg_replication_slots)::int")) {
                        free.next();
                        int max = free.getInt(1);
                        int used = free.getInt(2);
                        if (max - used <= 0) {
                            checks.add(Check.failed("free replication slots", "no free replication slot"
                                    + " (max_replication_slots = " + max + ", all used)",
                                    "drop an unused slot or raise max_replication_slots and restart PostgreSQL"));
                        } else if (mode == Mode.DIAGNOSE) {
                            checks.add(Check.ok("free replication slots", (max - used) + " of max_replication_slots = "
                                    + max + " free"));
                        }
                    }
                    if (mode == Mode.DIAGNOSE) {
                        checks.add(Check.ok(name, "does not exist yet; the first start creates it (and bootstraps"
                                + " when asked)"));
                    }
                    return false;
                }
                boolean ok = true;
                if (!"pgoutput".equals(rs.getString(1)) || !"logical".equals(rs.getString(2))) {
                    ok = false;
                    checks.add(Check.failed(name, "replication slot " + slot + " exists but uses plugin "
                                    + rs.getString(1), "this source needs a logical pgoutput slot: choose another"
                                    + " slot_name or drop it with SELECT pg_drop_replication_slot('" + slot + "');"));
                } else if (!c.getCatalog().equals(rs.getString(3))) {
                    ok = false;
                    checks.add(Check.failed(name, "replication slot " + slot + " belongs to database "
                            + rs.getString(3) + ", not " + c.getCatalog(), "choose another slot_name"));
                } else if (rs.getBoolean(4)) {
                    ok = false;
                    checks.add(Check.failed(name, "replication slot " + slot + " is active in another session (pid "
                            + rs.getInt(5) + ")", "stop that consumer, or choose another slot_name;"
                            + " a slot streams to one consumer at a time"));
                }
                if ("lost".equals(rs.getString(6))) {
                    ok = false;
                    checks.add(Check.failed(name, "replication slot " + slot + " was invalidated by PostgreSQL (WAL"
                                    + " removed, max_slot_wal_keep_size exceeded): changes were lost",
                            "drop it with SELECT pg_drop_replication_slot('" + slot + "'); and start again with a"
                                    + " bootstrap"));
                }
                if (ok && mode == Mode.DIAGNOSE) {
                    long lag = rs.getLong(7);
                    boolean lagKnown = !rs.wasNull();
                    checks.add(Check.ok(name, "exists, inactive, resumes at " + rs.getString(8)
                            + (lagKnown ? "; lag " + lag + " bytes of WAL" : "")
                            + ("unreserved".equals(rs.getString(6)) ? "; WARNING wal_status unreserved: it will be"
                            + " invalidated soon unless a consumer catches up" : "")));
                }
                return true;
            }
        }
    }

    /** The publication's state for a report; never changes anything. */
    private static Check publication(Connection c, PostgresSourceConfig config, List<ResolvedTable> tables)
            throws SQLException {
        String pub = config.publicationName();
        String name = "publication " + pub;
        Boolean allTables = publicationAllTables(c, pub);
        String tableList = tables.stream().map(t -> t.name().sql()).collect(Collectors.joining(", "));
        if (allTables == null) {
            String create = "CREATE PUBLICATION " + TableName.quote(pub) + " FOR TABLE " + tableList + ";";
            boolean canCreate;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select (select rolsuper from pg_roles where rolname = current_user)"
                            + " or has_database_privilege(current_database(), 'CREATE')")) {
                rs.next();
                canCreate = rs.getBoolean(1);
            }
            return canCreate
                    ? Check.ok(name, "does not exist yet; the first start creates it: " + create)
                    : Check.failed(name, "publication " + pub + " does not exist and this role cannot create it"
                            + " (no CREATE on the database)", "have an admin run " + create);
        }
        if (allTables) {
            return Check.ok(name, "exists FOR ALL TABLES");
        }
        List<String> missing = missingFromPublication(c, pub, tables);
        return missing.isEmpty()
                ? Check.ok(name, "exists and covers " + (tableList.isEmpty() ? "no resolved table" : tableList))
                : Check.failed(name, "publication " + pub + " does not include " + String.join(", ", missing),
                        "run ALTER PUBLICATION " + TableName.quote(pub) + " ADD TABLE " + String.join(", ", missing) + ";");
    }

    /** @return null when the publication does not exist, else its {@code puballtables} */
    private static Boolean publicationAllTables(Connection c, String pub) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select puballtables from pg_publication where pubname = ?")) {
            ps.setString(1, pub);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static List<String> missingFromPublication(Connection c, String pub, List<ResolvedTable> tables)
            throws SQLException {
        List<String> missing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select 1 from pg_publication_tables where pubname = ? and schemaname = ? and tablename = ?")) {
            for (ResolvedTable t : tables) {
                ps.setString(1, pub);
                ps.setString(2, t.name().schema());
                ps.setString(3, t.name().table());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        missing.add(t.name().sql());
                    }
                }
            }
        }
        return missing;
    }

    /** Creates the publication for exactly the configured tables when missing; checks coverage when present. */
    private static boolean ensurePublication(Connection c, PostgresSourceConfig config, List<ResolvedTable> tables,
                                             List<String> problems) throws SQLException {
        String pub = config.publicationName();
        Boolean allTables = publicationAllTables(c, pub);
        String tableList = tables.stream().map(t -> t.name().sql()).collect(Collectors.joining(", "));
        if (allTables == null) {
            String create = "CREATE PUBLICATION " + TableName.quote(pub) + " FOR TABLE " + tableList;
            try (Statement st = c.createStatement()) {
                st.execute(create);
                LOG.info("created publication {} for {}", pub, tableList);
                return true;
            } catch (SQLException e) {
                problems.add("publication " + pub + " does not exist and this role cannot create it ("
                        + e.getMessage().lines().findFirst().orElse("") + "): have an admin run " + create + ";");
                return false;
            }
        }
        if (allTables) {
            return false;
        }
        List<String> missing = missingFromPublication(c, pub, tables);
        if (!missing.isEmpty()) {
            problems.add("publication " + pub + " does not include " + String.join(", ", missing)
                    + ": run ALTER PUBLICATION " + TableName.quote(pub) + " ADD TABLE " + String.join(", ", missing) + ";");
        }
        return false;
    }
}
