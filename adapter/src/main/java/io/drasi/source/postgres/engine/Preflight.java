package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.SlotLossPolicy;
import io.drasi.source.postgres.SourceDiagnostics;
import io.drasi.source.postgres.SourceDiagnostics.Check;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.bootstrap.TableIndexes;
import io.drasi.source.postgres.mapping.ForeignKey;
import io.drasi.source.postgres.mapping.ForeignKeys;
import io.drasi.source.postgres.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
 * Table kinds: a partitioned table is published through its root ({@code publish_via_partition_root}, its
 * partitions' identities checked), a partition captured with its root is refused, UNLOGGED and TEMPORARY
 * tables are refused, an inheritance parent is captured ONLY (a WARN names its children).
 *
 * <p>The checks themselves live in {@link #inspect}, which records one {@link Check} per aspect; both
 * {@link #run} (start of a source: failed checks become {@link PreflightException} problems) and the public
 * {@link SourceDiagnostics} (the CLI's {@code check}: every check is reported) use it.
 */
public final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    /** How long a start waits for an active slot to be released before it reports the slot busy. */
    static final Duration SLOT_RELEASE_GRACE = Duration.ofSeconds(5);

    /** What kind of relation a configured table is; decides how it is published, read and streamed. */
    enum TableKind {
        /** An ordinary table without inheritance children. */
        PLAIN,
        /** A partitioned table (relkind {@code p}): published through its root, read with its partitions. */
        PARTITIONED_ROOT,
        /** A partition captured directly: published and labelled under its own name. */
        PARTITION,
        /** A table with inheritance children: only its own rows are captured (ONLY), never the children's. */
        INHERITANCE_PARENT
    }

    /**
     * A configured table as found in the catalog.
     *
     * @param generatedColumns its stored generated columns (empty when none), in column order
     */
    public record ResolvedTable(
            TableId name,
            List<String> primaryKey,
            List<String> keyColumns,
            char replicaIdentity,
            TableKind kind,
            List<String> generatedColumns) {

        /** A plain table without generated columns. */
        ResolvedTable(TableId name, List<String> primaryKey, List<String> keyColumns, char replicaIdentity) {
            this(name, primaryKey, keyColumns, replicaIdentity, TableKind.PLAIN, List.of());
        }

        /** @return the table as a publication lists it: {@code ONLY} for an inheritance parent */
        String publicationEntry() {
            return (kind == TableKind.INHERITANCE_PARENT ? "ONLY " : "") + name.sql();
        }
    }

    /** What the preflight learned; the engine is configured from it. */
    public record Result(
            List<ResolvedTable> tables,
            boolean slotExists,
            boolean publicationCreated,
            int serverVersionNum,
            boolean generatedColumnsPublished) {}

    /** Whether the checks serve a start (only what blocks it) or a full report (also informative checks). */
    public enum Mode {
        /** {@link #run}: blocking checks only; a missing publication is created afterwards. */
        START,
        /** {@link SourceDiagnostics}: every check, including wal senders, slot lag, publication creatability. */
        DIAGNOSE
    }

    /** Everything {@link #inspect} found. */
    public record Inspection(List<Check> checks, List<ResolvedTable> tables, boolean slotExists, int serverVersionNum) {

        List<String> problems() {
            return checks.stream().filter(c -> !c.ok()).map(Check::problem).toList();
        }
    }

    private Preflight() {}

    /**
     * {@link #run(Connection, PostgresSourceConfig)} on a connection of its own.
     *
     * @throws io.drasi.source.postgres.ConnectionFailedException when the server cannot be reached (described)
     */
    public static Result run(
            io.drasi.source.postgres.bootstrap.ConnectionSettings connections, PostgresSourceConfig config) {
        try (Connection c = Connections.open(connections)) {
            return run(c, config);
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
    }

    public static Result run(Connection c, PostgresSourceConfig config) throws SQLException {
        Inspection found = inspect(c, config, Mode.START);
        List<String> problems = new ArrayList<>(found.problems());
        boolean created = false;
        if (problems.isEmpty()) {
            created = ensurePublication(c, config, found.tables(), found.serverVersionNum(), problems);
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(problems, null);
        }
        boolean generatedPublished = found.serverVersionNum() >= 180000
                && publicationOptions(c, config.publicationName()).generatedColumns();
        return new Result(
                List.copyOf(found.tables()), found.slotExists(), created, found.serverVersionNum(), generatedPublished);
    }

    /**
     * Resolves the configured tables only (existence, privilege, key, replica identity), for a bootstrap
     * that does not stream.
     *
     * @throws PreflightException listing every problem
     */
    public static List<ResolvedTable> resolveTables(Connection c, PostgresSourceConfig config) throws SQLException {
        List<Check> checks = new ArrayList<>();
        List<ResolvedTable> tables = resolveTables(c, config, checks, serverVersionNum(c));
        List<String> problems =
                checks.stream().filter(k -> !k.ok()).map(Check::problem).toList();
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
    public static Inspection inspect(Connection c, PostgresSourceConfig config, Mode mode) throws SQLException {
        List<Check> checks = new ArrayList<>();
        int versionNum;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select current_setting('wal_level'), current_setting('server_version_num')::int, current_user,"
                                + " (select rolreplication or rolsuper from pg_roles where rolname = current_user),"
                                + " current_setting('server_version')")) {
            rs.next();
            String walLevel = rs.getString(1);
            versionNum = rs.getInt(2);
            String user = rs.getString(3);
            checks.add(
                    "logical".equals(walLevel)
                            ? Check.ok("wal_level", "wal_level is 'logical'")
                            : Check.failed(
                                    "wal_level",
                                    "wal_level is '" + walLevel + "' but logical replication needs 'logical'",
                                    "run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL"));
            checks.add(
                    versionNum >= 100000
                            ? Check.ok(
                                    "server version",
                                    "PostgreSQL " + rs.getString(5)
                                            + (versionNum < 120000 ? " (12+ is the supported range)" : ""))
                            : Check.failed(
                                    "server version",
                                    "PostgreSQL " + versionNum + " is too old",
                                    "pgoutput needs PostgreSQL 10 or newer (12+ supported)"));
            checks.add(
                    rs.getBoolean(4)
                            ? Check.ok("REPLICATION privilege", "role " + user + " may replicate")
                            : Check.failed(
                                    "REPLICATION privilege",
                                    "role " + user + " lacks the REPLICATION attribute",
                                    "run ALTER ROLE " + TableId.quote(user) + " REPLICATION; (as a superuser)"));
        }
        if (mode == Mode.DIAGNOSE) {
            checks.add(walSenders(c));
        }
        List<ResolvedTable> tables = resolveTables(c, config, checks, versionNum);
        boolean slotExists = checkSlot(c, config, checks, mode);
        if (mode == Mode.DIAGNOSE) {
            checks.add(publication(c, config, tables, versionNum));
        }
        return new Inspection(List.copyOf(checks), List.copyOf(tables), slotExists, versionNum);
    }

    private static Check walSenders(Connection c) throws SQLException {
        Capacity senders = Capacity.read(
                c, "max_wal_senders", "select count(*) from pg_stat_activity where backend_type = 'walsender'");
        return senders.free() > 0
                ? Check.ok("free wal senders", senders.free() + " of max_wal_senders = " + senders.max() + " free")
                : Check.failed(
                        "free wal senders",
                        "all " + senders.max() + " wal senders are in use",
                        "stop an unused replication client, or raise max_wal_senders and restart PostgreSQL");
    }

    /** A server limit (a setting) and how much of it is in use. */
    private record Capacity(int max, int used) {
        int free() {
            return max - used;
        }

        /** Reads the integer setting {@code setting} and the count {@code usedQuery} returns. */
        static Capacity read(Connection c, String setting, String usedQuery) throws SQLException {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "select current_setting('" + setting + "')::int, (" + usedQuery + ")::int")) {
                rs.next();
                return new Capacity(rs.getInt(1), rs.getInt(2));
            }
        }
    }

    /**
     * The foreign keys to emit as relations ({@code foreign_key_relations}): those whose child and parent are both
     * captured and whose referenced columns are the parent's key (primary key or {@code table_keys}), labelled per
     * {@code relation_labels}. Every other foreign key touching a captured table is named in one WARN.
     *
     * @return {@link ForeignKeys#none()} when the option is off
     * @throws PreflightException when a {@code relation_labels} entry names no emitted foreign key
     */
    public static ForeignKeys foreignKeys(Connection c, PostgresSourceConfig config, List<ResolvedTable> tables)
            throws SQLException {
        if (!config.foreignKeyRelations()) {
            return ForeignKeys.none();
        }
        Map<TableId, ResolvedTable> captured = new LinkedHashMap<>();
        for (ResolvedTable t : tables) {
            captured.put(t.name(), t);
        }
        String inherited = serverVersionNum(c) >= 110000 ? " and con.conparentid = 0" : "";
        List<ForeignKey> emitted = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select con.conname, cn.nspname, cc.relname, pn.nspname, pc.relname,"
                        + " array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o)"
                        + "  join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o),"
                        + " array(select a.attname::text from unnest(con.confkey) with ordinality k(n, o)"
                        + "  join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o)"
                        + " from pg_constraint con"
                        + " join pg_class cc on cc.oid = con.conrelid join pg_namespace cn on cn.oid = cc.relnamespace"
                        + " join pg_class pc on pc.oid = con.confrelid join pg_namespace pn on pn.oid = pc.relnamespace"
                        + " where con.contype = 'f'" + inherited + " order by cn.nspname, cc.relname, con.conname")) {
            while (rs.next()) {
                String name = rs.getString(1);
                TableId child = TableId.of(rs.getString(2), rs.getString(3));
                TableId parent = TableId.of(rs.getString(4), rs.getString(5));
                if (!captured.containsKey(child) && !captured.containsKey(parent)) {
                    continue;
                }
                List<String> childColumns = List.of((String[]) rs.getArray(6).getArray());
                List<String> parentColumns = List.of((String[]) rs.getArray(7).getArray());
                String what = name + " " + child.sql() + childColumns + " -> " + parent.sql() + parentColumns;
                if (!captured.containsKey(child) || !captured.containsKey(parent)) {
                    skipped.add(
                            what + " (" + (captured.containsKey(child) ? parent : child).sql() + " is not captured)");
                    continue;
                }
                List<String> parentKey = captured.get(parent).keyColumns();
                if (parentColumns.size() != parentKey.size() || !parentKey.containsAll(parentColumns)) {
                    skipped.add(what + " (references " + parentColumns + ", not the key " + parentKey + " of "
                            + parent.sql() + ")");
                    continue;
                }
                List<String> ordered = new ArrayList<>(parentKey.size());
                for (String k : parentKey) {
                    ordered.add(childColumns.get(parentColumns.indexOf(k)));
                }
                emitted.add(new ForeignKey(
                        name,
                        child,
                        ordered,
                        parent,
                        parentKey,
                        config.relationLabels().getOrDefault(name, name)));
            }
        }
        if (!skipped.isEmpty()) {
            LOG.warn(
                    "foreign_key_relations: {} foreign key(s) not emitted as relations: {}. A relation needs both"
                            + " tables captured and the referenced columns to be the parent's key (primary key or"
                            + " table_keys)",
                    skipped.size(),
                    String.join("; ", skipped));
        }
        List<String> unknownLabels = config.relationLabels().keySet().stream()
                .filter(k -> emitted.stream().noneMatch(fk -> fk.name().equals(k)))
                .toList();
        if (!unknownLabels.isEmpty()) {
            throw new PreflightException(
                    List.of("relation_labels names " + unknownLabels + ", which is no foreign key"
                            + " emitted as relations (emitted: "
                            + emitted.stream().map(ForeignKey::name).toList()
                            + "); correct or remove the entries"),
                    null);
        }
        LOG.info(
                "foreign_key_relations: {} foreign key(s) emitted as relations{}",
                emitted.size(),
                emitted.isEmpty()
                        ? ""
                        : ": " + emitted.stream().map(ForeignKey::describe).toList());
        return ForeignKeys.of(emitted);
    }

    private static int serverVersionNum(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<ResolvedTable> resolveTables(
            Connection c, PostgresSourceConfig config, List<Check> checks, int versionNum) throws SQLException {
        Map<String, List<String>> configuredKeys = new LinkedHashMap<>();
        for (TableKeyConfig k : config.tableKeys()) {
            TableId n = TableId.parseQualified(k.table());
            configuredKeys.put(n.schema() + "." + n.table(), k.keyColumns());
        }
        List<ResolvedTable> tables = new ArrayList<>();
        for (String t : config.tables()) {
            TableId name = TableId.parseQualified(t);
            ResolvedTable rt =
                    resolveTable(c, name, configuredKeys.get(name.schema() + "." + name.table()), checks, versionNum);
            if (rt != null) {
                tables.add(rt);
            }
        }
        checkPartitionAncestors(c, tables, checks);
        return tables;
    }

    private static ResolvedTable resolveTable(
            Connection c, TableId name, List<String> configuredKey, List<Check> checks, int versionNum)
            throws SQLException {
        String display = name.sql();
        String tableCheck = "table " + display;
        long oid;
        char identity;
        TableKind kind;
        try (PreparedStatement ps = c.prepareStatement(
                "select c.oid, c.relreplident, c.relkind, has_table_privilege(c.oid, 'SELECT'), c.relpersistence,"
                        + " c.relispartition,"
                        + " (select string_agg(i.inhrelid::regclass::text, ', ' order by i.inhrelid::regclass::text)"
                        + " from pg_inherits i where i.inhparent = c.oid)"
                        + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " where n.nspname = ? and c.relname = ?")) {
            ps.setString(1, name.schema());
            ps.setString(2, name.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    checks.add(Check.failed(
                            tableCheck,
                            "table " + display + " does not exist",
                            "create it, or remove it from 'tables'"
                                    + " (unqualified names mean schema public; write schema.table otherwise)"));
                    return null;
                }
                oid = rs.getLong(1);
                identity = rs.getString(2).charAt(0);
                String relkind = rs.getString(3);
                if (!"r".equals(relkind) && !"p".equals(relkind)) {
                    checks.add(Check.failed(
                            tableCheck,
                            display + " is not a table (relkind " + relkind + ")",
                            "only tables can be replicated"));
                    return null;
                }
                Check persistence = persistence(display, rs.getString(5));
                if (persistence != null) {
                    checks.add(persistence);
                    return null;
                }
                String children = rs.getString(7);
                if ("p".equals(relkind)) {
                    if (versionNum < 130000) {
                        checks.add(Check.failed(
                                tableCheck,
                                display + " is a partitioned table, which PostgreSQL " + versionNum / 10000
                                        + " cannot publish through its root",
                                "use PostgreSQL 13 or newer, or list its partitions in 'tables' instead"));
                        return null;
                    }
                    kind = TableKind.PARTITIONED_ROOT;
                } else if (rs.getBoolean(6)) {
                    kind = TableKind.PARTITION;
                } else if (children != null) {
                    kind = TableKind.INHERITANCE_PARENT;
                    LOG.warn(
                            "table {} has inheritance children ({}): only the rows of {} itself are captured"
                                    + " (bootstrap and stream read ONLY {}); list the children in 'tables' to capture"
                                    + " them too",
                            display,
                            children,
                            display,
                            display);
                    checks.add(Check.ok(
                            "inheritance of " + display,
                            "has inheritance children (" + children
                                    + "); only its own rows are captured — list the children in 'tables' to "
                                    + "capture them"));
                } else {
                    kind = TableKind.PLAIN;
                }
                checks.add(
                        rs.getBoolean(4)
                                ? Check.ok("SELECT on " + display, "this role may read " + display)
                                : Check.failed(
                                        "SELECT on " + display,
                                        "no SELECT privilege on " + display,
                                        "GRANT SELECT ON " + display + " TO <this role>;"));
            }
        }
        List<String> columns = new ArrayList<>();
        List<String> generated = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select attname, attgenerated = 's' from pg_attribute"
                + " where attrelid = ? and attnum > 0 and not attisdropped order by attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    if (rs.getBoolean(2)) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        List<String> pk = TableIndexes.columns(c, oid, TableIndexes.Kind.PRIMARY_KEY);
        List<String> key;
        if (configuredKey != null) {
            List<String> unknown =
                    configuredKey.stream().filter(k -> !columns.contains(k)).toList();
            if (!unknown.isEmpty()) {
                checks.add(Check.failed(
                        tableCheck,
                        "table_keys for " + display + " name columns that do not exist: " + unknown,
                        "use existing columns (columns are " + columns + ")"));
                return null;
            }
            key = configuredKey;
            checks.add(Check.ok(tableCheck, "exists; key " + key + " from table_keys" + kindNote(kind)));
        } else if (!pk.isEmpty()) {
            key = pk;
            checks.add(Check.ok(tableCheck, "exists; key " + key + " from the primary key" + kindNote(kind)));
        } else {
            checks.add(Check.failed(
                    tableCheck,
                    "table " + display + " has no primary key and no configured key, so its"
                            + " rows cannot be identified across updates and deletes",
                    "add table_keys: [{table: " + name.table() + ", key_columns: [...]}] to the config, or ALTER TABLE "
                            + display + " ADD PRIMARY KEY (...)"));
            return null;
        }
        if (kind == TableKind.PARTITIONED_ROOT) {
            // Changes are decoded per partition: the partitions' replica identities are what counts.
            checks.add(Check.ok(
                    "REPLICA IDENTITY of " + display,
                    "partitioned: each partition's REPLICA IDENTITY"
                            + " must carry the key " + key
                            + " (every partition is checked now; a partition created later"
                            + " carries it through the root's primary key when that covers the key, otherwise set its"
                            + " REPLICA IDENTITY when creating it)"));
            checkLeaves(c, display, oid, key, checks);
        } else {
            checks.add(replicaIdentity(c, display, oid, identity, columns, pk, key));
        }
        return new ResolvedTable(name, pk, List.copyOf(key), identity, kind, List.copyOf(generated));
    }

    private static String kindNote(TableKind kind) {
        return switch (kind) {
            case PARTITIONED_ROOT ->
                "; partitioned: changes of every partition (also later ones) are published" + " through this root";
            case PARTITION -> "; a partition, captured under its own name";
            default -> "";
        };
    }

    /** @return a failed check for an unlogged or temporary table (never in WAL, so never streamed); else null */
    private static Check persistence(String display, String relpersistence) {
        if ("u".equals(relpersistence)) {
            return Check.failed(
                    "table " + display,
                    display + " is UNLOGGED: its changes are not written to WAL, so"
                            + " logical replication never sees them",
                    "run ALTER TABLE " + display + " SET LOGGED;");
        }
        if ("t".equals(relpersistence)) {
            return Check.failed(
                    "table " + display,
                    display + " is a TEMPORARY table: it is neither written to WAL"
                            + " nor visible to other sessions, so it cannot be replicated",
                    "capture a regular table (CREATE TABLE ...), or ALTER TABLE ... SET LOGGED on an unlogged copy");
        }
        return null;
    }

    /** On DELETE (and key-changing UPDATE) pgoutput sends only the replica identity's columns. */
    private static Check replicaIdentity(
            Connection c,
            String display,
            long oid,
            char identity,
            List<String> columns,
            List<String> pk,
            List<String> key)
            throws SQLException {
        List<String> identityIndex = TableIndexes.columns(c, oid, TableIndexes.Kind.REPLICA_IDENTITY);
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
            return Check.failed(
                    identityCheck,
                    "table " + display + " has REPLICA IDENTITY " + identityText
                            + ", so DELETEs would not carry its key columns " + key,
                    "run ALTER TABLE " + display + " REPLICA IDENTITY FULL; (or USING INDEX on a unique index over "
                            + key + ")");
        }
        return Check.ok(identityCheck, identityText + " carries the key " + key + " on DELETE");
    }

    /**
     * A partitioned table's changes are decoded per leaf partition: each leaf needs a replica identity that
     * carries the key and must be logged. Partitions created later are checked at the next start.
     */
    private static void checkLeaves(
            Connection c, String rootDisplay, long rootOid, List<String> key, List<Check> checks) throws SQLException {
        record Leaf(long oid, String display, char identity, String persistence) {}
        List<Leaf> leaves = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("select c.oid, c.oid::regclass::text, c.relreplident, c.relpersistence"
                        + " from pg_partition_tree(?::oid) t join pg_class c on c.oid = t.relid"
                        + " where t.isleaf order by 2")) {
            ps.setLong(1, rootOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leaves.add(new Leaf(
                            rs.getLong(1), rs.getString(2), rs.getString(3).charAt(0), rs.getString(4)));
                }
            }
        }
        for (Leaf leaf : leaves) {
            Check persistence = persistence(leaf.display(), leaf.persistence());
            if (persistence != null) {
                checks.add(persistence);
                continue;
            }
            List<String> columns = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select attname from pg_attribute"
                    + " where attrelid = ? and attnum > 0 and not attisdropped order by attnum")) {
                ps.setLong(1, leaf.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.add(rs.getString(1));
                    }
                }
            }
            Check identity = replicaIdentity(
                    c,
                    leaf.display() + " (partition of " + rootDisplay + ")",
                    leaf.oid(),
                    leaf.identity(),
                    columns,
                    TableIndexes.columns(c, leaf.oid(), TableIndexes.Kind.PRIMARY_KEY),
                    key);
            if (!identity.ok()) {
                checks.add(identity);
            }
        }
    }

    /** A partition captured together with one of its ancestors would be published under the ancestor only. */
    private static void checkPartitionAncestors(Connection c, List<ResolvedTable> tables, List<Check> checks)
            throws SQLException {
        Set<String> captured = tables.stream()
                .map(t -> t.name().schema() + "." + t.name().table())
                .collect(Collectors.toSet());
        for (ResolvedTable t : tables) {
            if (t.kind() != TableKind.PARTITION) {
                continue;
            }
            try (PreparedStatement ps =
                    c.prepareStatement("select n.nspname, a.relname from pg_partition_ancestors(?::regclass) p"
                            + " join pg_class a on a.oid = p.relid join pg_namespace n on n.oid = a.relnamespace"
                            + " where p.relid <> ?::regclass")) {
                ps.setString(1, t.name().sql());
                ps.setString(2, t.name().sql());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (captured.contains(rs.getString(1) + "." + rs.getString(2))) {
                            String ancestor =
                                    TableId.of(rs.getString(1), rs.getString(2)).sql();
                            checks.add(Check.failed(
                                    "table " + t.name().sql(),
                                    t.name().sql() + " is a partition of "
                                            + ancestor + ", which is captured too: its changes are published"
                                            + " through " + ancestor + " only",
                                    "remove one of them from 'tables' (the root captures every partition)"));
                        }
                    }
                }
            }
        }
    }

    private static boolean checkSlot(Connection c, PostgresSourceConfig config, List<Check> checks, Mode mode)
            throws SQLException {
        String slot = config.slotName();
        String name = "replication slot " + slot;
        if (mode == Mode.START) {
            awaitSlotInactive(c, slot);
        }
        try (PreparedStatement ps =
                c.prepareStatement("select plugin, slot_type, database, active, active_pid, wal_status,"
                        + " case when confirmed_flush_lsn is null then null"
                        + " else pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint end,"
                        + " confirmed_flush_lsn::text"
                        + " from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    Capacity slots =
                            Capacity.read(c, "max_replication_slots", "select count(*) from pg_replication_slots");
                    if (slots.free() <= 0) {
                        checks.add(Check.failed(
                                "free replication slots",
                                "no free replication slot" + " (max_replication_slots = " + slots.max() + ", all used)",
                                "drop an unused slot or raise max_replication_slots and restart PostgreSQL"));
                    } else if (mode == Mode.DIAGNOSE) {
                        checks.add(Check.ok(
                                "free replication slots",
                                slots.free() + " of max_replication_slots = " + slots.max() + " free"));
                    }
                    if (mode == Mode.DIAGNOSE) {
                        checks.add(Check.ok(
                                name,
                                "does not exist yet; the first start creates it (and bootstraps" + " when asked)"));
                    }
                    return false;
                }
                boolean ok = true;
                if (!"pgoutput".equals(rs.getString(1)) || !"logical".equals(rs.getString(2))) {
                    ok = false;
                    checks.add(Check.failed(
                            name,
                            "replication slot " + slot + " exists but uses plugin " + rs.getString(1),
                            "this source needs a logical pgoutput slot: choose another"
                                    + " slot_name or drop it with SELECT pg_drop_replication_slot('" + slot + "');"));
                } else if (!c.getCatalog().equals(rs.getString(3))) {
                    ok = false;
                    checks.add(Check.failed(
                            name,
                            "replication slot " + slot + " belongs to database " + rs.getString(3) + ", not "
                                    + c.getCatalog(),
                            "choose another slot_name"));
                } else if (rs.getBoolean(4)) {
                    ok = false;
                    checks.add(Check.failed(
                            name,
                            "replication slot " + slot + " is active in another session ("
                                    + ReplicationSlots.describeHolder(c, rs.getInt(5)) + ")"
                                    + (mode == Mode.START
                                            ? " and stayed active for " + SLOT_RELEASE_GRACE.toSeconds() + " s"
                                            : ""),
                            "stop that consumer, or choose another slot_name;"
                                    + " a slot streams to one consumer at a time"));
                }
                if ("lost".equals(rs.getString(6))
                        && mode == Mode.START
                        && config.onSlotLoss() == SlotLossPolicy.RESYNC) {
                    LOG.debug("replication slot {} is invalidated; on_slot_loss: resync re-creates it", slot);
                } else if ("lost".equals(rs.getString(6))) {
                    ok = false;
                    checks.add(Check.failed(
                            name,
                            "replication slot " + slot + " was invalidated by PostgreSQL (WAL"
                                    + " removed, max_slot_wal_keep_size exceeded): changes were lost",
                            "drop it with SELECT pg_drop_replication_slot('" + slot + "'); and start again with a"
                                    + " bootstrap"));
                }
                if (ok && mode == Mode.DIAGNOSE) {
                    long lag = rs.getLong(7);
                    boolean lagKnown = !rs.wasNull();
                    checks.add(Check.ok(
                            name,
                            "exists, inactive, resumes at " + rs.getString(8)
                                    + (lagKnown ? "; lag " + lag + " bytes of WAL" : "")
                                    + ("unreserved".equals(rs.getString(6))
                                            ? "; WARNING wal_status unreserved: it will be"
                                                    + " invalidated soon unless a consumer catches up"
                                            : "")));
                }
                return true;
            }
        }
    }

    /**
     * A consumer that has just stopped (this process's previous source, or a process restarted after a crash)
     * leaves the slot active until its walsender notices the closed connection and exits, which the server does
     * asynchronously. Waits up to {@link #SLOT_RELEASE_GRACE} for that before the slot check calls the slot busy;
     * a consumer that is really streaming keeps it active for the whole wait.
     */
    private static void awaitSlotInactive(Connection c, String slot) throws SQLException {
        ReplicationSlots.awaitInactive(
                c,
                slot,
                SLOT_RELEASE_GRACE,
                pid -> LOG.info(
                        "replication slot {} is active in pid {}; waiting up to {} s for a consumer that has just"
                                + " stopped to release it",
                        slot,
                        pid,
                        SLOT_RELEASE_GRACE.toSeconds()));
    }

    /** The publication's state for a report; never changes anything. */
    private static Check publication(
            Connection c, PostgresSourceConfig config, List<ResolvedTable> tables, int versionNum) throws SQLException {
        String pub = config.publicationName();
        String name = "publication " + pub;
        PublicationOptions options = publicationOptions(c, pub);
        String tableList = tables.stream().map(t -> t.name().sql()).collect(Collectors.joining(", "));
        if (options == null) {
            String create = createPublicationSql(config, tables, versionNum) + ";";
            boolean canCreate;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select (select rolsuper from pg_roles where rolname = current_user)"
                            + " or has_database_privilege(current_database(), 'CREATE')")) {
                rs.next();
                canCreate = rs.getBoolean(1);
            }
            return canCreate
                    ? Check.ok(name, "does not exist yet; the first start creates it: " + create)
                    : Check.failed(
                            name,
                            "publication " + pub + " does not exist and this role cannot create it"
                                    + " (no CREATE on the database)",
                            "have an admin run " + create);
        }
        List<Check> problems = existingPublicationProblems(c, pub, options, tables);
        if (!problems.isEmpty()) {
            return problems.size() == 1
                    ? problems.get(0)
                    : Check.failed(
                            name,
                            problems.stream().map(Check::detail).collect(Collectors.joining("; ")),
                            problems.stream().map(Check::fix).collect(Collectors.joining(" ")));
        }
        return options.allTables()
                ? Check.ok(name, "exists FOR ALL TABLES")
                : Check.ok(name, "exists and covers " + (tableList.isEmpty() ? "no resolved table" : tableList));
    }

    /** A publication's flags; {@code viaRoot}/{@code generatedColumns} are false where the server lacks them. */
    record PublicationOptions(boolean allTables, boolean viaRoot, boolean generatedColumns) {}

    /** @return null when the publication does not exist */
    static PublicationOptions publicationOptions(Connection c, String pub) throws SQLException {
        // to_jsonb reads columns that only some versions have (pubviaroot 13+, pubgencols 18+) without failing
        try (PreparedStatement ps = c.prepareStatement("select p.puballtables, to_jsonb(p) ->> 'pubviaroot',"
                + " to_jsonb(p) ->> 'pubgencols' from pg_publication p where p.pubname = ?")) {
            ps.setString(1, pub);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String gen = rs.getString(3);
                return new PublicationOptions(
                        rs.getBoolean(1), "true".equals(rs.getString(2)), "s".equals(gen) || "true".equals(gen));
            }
        }
    }

    /** Problems of an existing publication for these tables, as failed checks. */
    private static List<Check> existingPublicationProblems(
            Connection c, String pub, PublicationOptions options, List<ResolvedTable> tables) throws SQLException {
        String name = "publication " + pub;
        List<Check> problems = new ArrayList<>();
        List<String> partitioned = tables.stream()
                .filter(t -> t.kind() == TableKind.PARTITIONED_ROOT)
                .map(t -> t.name().sql())
                .toList();
        if (!partitioned.isEmpty() && !options.viaRoot()) {
            problems.add(Check.failed(
                    name,
                    "publication " + pub + " publishes the partitions of "
                            + String.join(", ", partitioned)
                            + " under their own names (publish_via_partition_root is off),"
                            + " so no change of " + String.join(", ", partitioned) + " would arrive",
                    "run ALTER PUBLICATION " + TableId.quote(pub) + " SET (publish_via_partition_root = true);"));
        }
        if (options.allTables()) {
            return problems;
        }
        // With publish_via_partition_root off a root is listed by its partitions; that is reported above.
        List<ResolvedTable> checked = listedTables(options, tables);
        List<String> missing = missingFromPublication(c, pub, checked);
        if (!missing.isEmpty()) {
            problems.add(Check.failed(
                    name,
                    "publication " + pub + " does not include " + String.join(", ", missing),
                    "run ALTER PUBLICATION " + TableId.quote(pub) + " ADD TABLE " + String.join(", ", missing) + ";"));
        }
        return problems;
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

    /**
     * @return the statement that creates the publication for exactly these tables: inheritance parents as
     *         {@code ONLY}, {@code publish_via_partition_root} when a table is partitioned, and on 18+
     *         {@code publish_generated_columns = stored} when a table has generated columns that are captured
     */
    static String createPublicationSql(PostgresSourceConfig config, List<ResolvedTable> tables, int versionNum) {
        List<String> options = new ArrayList<>();
        if (tables.stream().anyMatch(t -> t.kind() == TableKind.PARTITIONED_ROOT)) {
            options.add("publish_via_partition_root = true");
        }
        if (versionNum >= 180000
                && config.generatedColumns() == GeneratedColumns.INCLUDE
                && tables.stream().anyMatch(t -> !t.generatedColumns().isEmpty())) {
            options.add("publish_generated_columns = stored");
        }
        return "CREATE PUBLICATION " + TableId.quote(config.publicationName()) + " FOR TABLE "
                + tables.stream().map(ResolvedTable::publicationEntry).collect(Collectors.joining(", "))
                + (options.isEmpty() ? "" : " WITH (" + String.join(", ", options) + ")");
    }

    /** Creates the publication for exactly the configured tables when missing; checks it when present. */
    private static boolean ensurePublication(
            Connection c,
            PostgresSourceConfig config,
            List<ResolvedTable> tables,
            int versionNum,
            List<String> problems)
            throws SQLException {
        String pub = config.publicationName();
        PublicationOptions options = publicationOptions(c, pub);
        if (options == null) {
            String create = createPublicationSql(config, tables, versionNum);
            try (Statement st = c.createStatement()) {
                st.execute(create);
                LOG.info("created publication: {}", create);
                return true;
            } catch (SQLException e) {
                problems.add("publication " + pub + " does not exist and this role cannot create it ("
                        + e.getMessage().lines().findFirst().orElse("") + "): have an admin run " + create + ";");
                return false;
            }
        }
        addMissingTables(c, pub, options, tables);
        existingPublicationProblems(c, pub, options, tables).forEach(p -> problems.add(p.problem()));
        return false;
    }

    /**
     * @return the tables the publication lists by their own name: all of them, or with publish_via_partition_root
     *     off all but the partitioned roots (whose partitions it lists instead)
     */
    private static List<ResolvedTable> listedTables(PublicationOptions options, List<ResolvedTable> tables) {
        return options.viaRoot()
                ? tables
                : tables.stream()
                        .filter(t -> t.kind() != TableKind.PARTITIONED_ROOT)
                        .toList();
    }

    /**
     * A configured table the existing publication lacks (one added to {@code tables}) is added when the role may
     * (it owns the publication and the table); otherwise the publication check names the ALTER PUBLICATION.
     */
    private static void addMissingTables(
            Connection c, String pub, PublicationOptions options, List<ResolvedTable> tables) throws SQLException {
        if (options.allTables()) {
            return;
        }
        List<ResolvedTable> checked = listedTables(options, tables);
        List<String> missing = missingFromPublication(c, pub, checked);
        if (missing.isEmpty()) {
            return;
        }
        String alter = "ALTER PUBLICATION " + TableId.quote(pub) + " ADD TABLE "
                + checked.stream()
                        .filter(t -> missing.contains(t.name().sql()))
                        .map(ResolvedTable::publicationEntry)
                        .collect(Collectors.joining(", "));
        try (Statement st = c.createStatement()) {
            st.execute(alter);
            LOG.info("added to publication {}: {}", pub, alter);
        } catch (SQLException e) {
            LOG.debug("cannot add {} to publication {}: {}", missing, pub, e.getMessage());
        }
    }

    /**
     * Removes tables that are no longer configured from the publication when the role may; a role that may not
     * leaves them (the engine's table filter drops their changes anyway).
     *
     * @param removed tables no longer in {@code tables}
     */
    public static void dropFromPublication(Connection c, PostgresSourceConfig config, List<TableId> removed) {
        for (TableId t : removed) {
            String alter = "ALTER PUBLICATION " + TableId.quote(config.publicationName()) + " DROP TABLE " + t.sql();
            try (Statement st = c.createStatement()) {
                st.execute(alter);
                LOG.info("removed from publication {}: {}", config.publicationName(), alter);
            } catch (SQLException e) {
                LOG.info(
                        "table {} is no longer configured; its changes are dropped, but it stays in publication {}"
                                + " ({}); an admin may run {}",
                        t.sql(),
                        config.publicationName(),
                        e.getMessage().lines().findFirst().orElse(""),
                        alter);
            }
        }
    }
}
