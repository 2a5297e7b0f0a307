package io.drasi.source.postgres;

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
 */
final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    /** A configured table as found in the catalog. */
    record ResolvedTable(TableName name, List<String> primaryKey, List<String> keyColumns, char replicaIdentity) {
    }

    /** What the preflight learned; the engine is configured from it. */
    record Result(List<ResolvedTable> tables, boolean slotExists, boolean publicationCreated, int serverVersionNum) {
    }

    private Preflight() {
    }

    static Result run(Connection c, PostgresSourceConfig config) throws SQLException {
        List<String> problems = new ArrayList<>();
        int versionNum;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select current_setting('wal_level'), current_setting('server_version_num')::int, current_user,"
                        + " (select rolreplication or rolsuper from pg_roles where rolname = current_user)")) {
            rs.next();
            String walLevel = rs.getString(1);
            versionNum = rs.getInt(2);
            String user = rs.getString(3);
            if (!"logical".equals(walLevel)) {
                problems.add("wal_level is '" + walLevel + "' but logical replication needs 'logical': run "
                        + "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");
            }
            if (versionNum < 100000) {
                problems.add("PostgreSQL " + versionNum + " is too old: pgoutput needs PostgreSQL 10 or newer (12+ supported)");
            }
            if (!rs.getBoolean(4)) {
                problems.add("role " + user + " lacks the REPLICATION attribute: run ALTER ROLE "
                        + TableName.quote(user) + " REPLICATION; (as a superuser)");
            }
        }

        List<ResolvedTable> tables = resolveTables(c, config, problems);
        boolean slotExists = checkSlot(c, config, problems);
        boolean created = false;
        if (problems.isEmpty()) {
            created = ensurePublication(c, config, tables, problems);
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(problems, null);
        }
        return new Result(List.copyOf(tables), slotExists, created, versionNum);
    }

    /**
     * Resolves the configured tables only (existence, privilege, key, replica identity), for a bootstrap
     * that does not stream.
     *
     * @throws PreflightException listing every problem
     */
    static List<ResolvedTable> resolveTables(Connection c, PostgresSourceConfig config) throws SQLException {
        List<String> problems = new ArrayList<>();
        List<ResolvedTable> tables = resolveTables(c, config, problems);
        if (!problems.isEmpty()) {
            throw new PreflightException(problems, null);
        }
        return tables;
    }

    private static List<ResolvedTable> resolveTables(Connection c, PostgresSourceConfig config, List<String> problems)
            throws SQLException {
        Map<String, List<String>> configuredKeys = new LinkedHashMap<>();
        for (TableKeyConfig k : config.tableKeys()) {
            TableName n = TableName.parse(k.table());
            configuredKeys.put(n.schema() + "." + n.table(), k.keyColumns());
        }
        List<ResolvedTable> tables = new ArrayList<>();
        for (String t : config.tables()) {
            TableName name = TableName.parse(t);
            ResolvedTable rt = resolveTable(c, name, configuredKeys.get(name.schema() + "." + name.table()), problems);
            if (rt != null) {
                tables.add(rt);
            }
        }
        return tables;
    }

    private static ResolvedTable resolveTable(Connection c, TableName name, List<String> configuredKey,
                                              List<String> problems) throws SQLException {
        String display = name.sql();
        Long oid = null;
        char identity = 'd';
        try (PreparedStatement ps = c.prepareStatement(
                "select c.oid, c.relreplident, c.relkind, has_table_privilege(c.oid, 'SELECT')"
                        + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " where n.nspname = ? and c.relname = ?")) {
            ps.setString(1, name.schema());
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    problems.add("table " + display + " does not exist: create it, or remove it from 'tables'"
                            + " (unqualified names mean schema public; write schema.table otherwise)");
                    return null;
                }
                oid = rs.getLong(1);
                identity = rs.getString(2).charAt(0);
                String kind = rs.getString(3);
                if (!"r".equals(kind) && !"p".equals(kind)) {
                    problems.add(display + " is not a table (relkind " + kind + "): only tables can be replicated");
                    return null;
                }
                if (!rs.getBoolean(4)) {
                    problems.add("no SELECT privilege on " + display + ": GRANT SELECT ON " + display + " TO "
                            + "<this role>;");
                }
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
                problems.add("table_keys for " + display + " name columns that do not exist: " + unknown
                        + " (columns are " + columns + ")");
                return null;
            }
            key = configuredKey;
        } else if (!pk.isEmpty()) {
            key = pk;
        } else {
            problems.add("table " + display + " has no primary key and no configured key, so its rows cannot be"
                    + " identified across updates and deletes: add table_keys: [{table: " + name.table()
                    + ", key_columns: [...]}] to the config, or ALTER TABLE " + display + " ADD PRIMARY KEY (...)");
            return null;
        }
        // On DELETE (and key-changing UPDATE) pgoutput sends only the replica identity's columns.
        Set<String> identityColumns = switch (identity) {
            case 'f' -> Set.copyOf(columns);
            case 'i' -> Set.copyOf(identityIndex);
            case 'd' -> Set.copyOf(pk);
            default -> Set.of();
        };
        if (!identityColumns.containsAll(key)) {
            problems.add("table " + display + " has REPLICA IDENTITY "
                    + switch (identity) {
                        case 'n' -> "NOTHING";
                        case 'i' -> "USING INDEX (" + String.join(", ", identityIndex) + ")";
                        default -> "DEFAULT (" + (pk.isEmpty() ? "no primary key" : "primary key " + pk) + ")";
                    }
                    + ", so DELETEs would not carry its key columns " + key + ": run ALTER TABLE " + display
                    + " REPLICA IDENTITY FULL; (or USING INDEX on a unique index over " + key + ")");
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

    private static boolean checkSlot(Connection c, PostgresSourceConfig config, List<String> problems) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select plugin, slot_type, database, active, active_pid, wal_status from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (Statement st = c.createStatement(); ResultSet free = st.executeQuery(
                            "select current_setting('max_replication_slots')::int - (select count(*) from pg_replication_slots)")) {
                        free.next();
                        if (free.getInt(1) <= 0) {
                            problems.add("no free replication slot (max_replication_slots = "
                                    + "all used): drop an unused slot or raise max_replication_slots and restart PostgreSQL");
                        }
                    }
                    return false;
                }
                String slot = config.slotName();
                if (!"pgoutput".equals(rs.getString(1)) || !"logical".equals(rs.getString(2))) {
                    problems.add("replication slot " + slot + " exists but uses plugin " + rs.getString(1)
                            + "; this source needs a logical pgoutput slot: choose another slot_name or drop it with"
                            + " SELECT pg_drop_replication_slot('" + slot + "');");
                } else if (!c.getCatalog().equals(rs.getString(3))) {
                    problems.add("replication slot " + slot + " belongs to database " + rs.getString(3)
                            + ", not " + c.getCatalog() + ": choose another slot_name");
                } else if (rs.getBoolean(4)) {
                    problems.add("replication slot " + slot + " is active in another session (pid "
                            + rs.getInt(5) + "): stop that consumer, or choose another slot_name;"
                            + " a slot streams to one consumer at a time");
                }
                if ("lost".equals(rs.getString(6))) {
                    problems.add("replication slot " + slot + " was invalidated by PostgreSQL (WAL removed,"
                            + " max_slot_wal_keep_size exceeded): changes were lost; drop it with SELECT "
                            + "pg_drop_replication_slot('" + slot + "'); and start again with a bootstrap");
                }
                return true;
            }
        }
    }

    /** Creates the publication for exactly the configured tables when missing; checks coverage when present. */
    private static boolean ensurePublication(Connection c, PostgresSourceConfig config, List<ResolvedTable> tables,
                                             List<String> problems) throws SQLException {
        String pub = config.publicationName();
        boolean exists;
        boolean allTables = false;
        try (PreparedStatement ps = c.prepareStatement("select puballtables from pg_publication where pubname = ?")) {
            ps.setString(1, pub);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
                if (exists) {
                    allTables = rs.getBoolean(1);
                }
            }
        }
        String tableList = tables.stream().map(t -> t.name().sql()).collect(Collectors.joining(", "));
        if (!exists) {
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
        if (!missing.isEmpty()) {
            problems.add("publication " + pub + " does not include " + String.join(", ", missing)
                    + ": run ALTER PUBLICATION " + TableName.quote(pub) + " ADD TABLE " + String.join(", ", missing) + ";");
        }
        return false;
    }
}
