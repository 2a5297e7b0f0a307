package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.model.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads table descriptions from the system catalog over a connection (inside the snapshot
 * transaction, so columns are those the snapshot sees). Every name travels as a bind parameter; no
 * identifier is concatenated into SQL here.
 *
 * <p>Stored generated columns are described with {@code generated = true}; the bootstrap reads them
 * unless told to omit them, and the streaming side re-reads them where {@code pgoutput} does not publish
 * them (before PostgreSQL 18). Virtual generated columns (PostgreSQL 18, {@code attgenerated = 'v'}) are left
 * out: {@code pgoutput} never publishes them and the streaming side does not re-read them, so a bootstrapped
 * row would have a property no streamed row of the table has.
 *
 * <p>With the stream's publication ({@link #Catalog(Connection, String)}) on PostgreSQL 15+, a non-generated
 * column the publication does not publish (a column list; {@code pg_publication_tables.attnames}) is left
 * out, as the stream leaves it out. When the publication does not list the table (e.g. it publishes the
 * partitions of a partitioned table) nothing is left out.
 *
 * <p>Thread-safety: not thread-safe (caches types); one per connection.
 */
final class Catalog {

    private static final String FIND_QUALIFIED = """
            SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::float8
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";

    private static final String FIND_VISIBLE = """
            SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::float8
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = ? AND c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)""";

    private static final String PARTITION_ESTIMATE = """
            SELECT coalesce(sum(greatest(c.reltuples, 0)), -1)::float8, bool_or(c.reltuples >= 0)
            FROM pg_catalog.pg_partition_tree(?::oid) t JOIN pg_catalog.pg_class c ON c.oid = t.relid
            WHERE t.isleaf""";

    private static final String COLUMNS = """
            SELECT a.attname, a.atttypid, a.attnotnull, a.attgenerated = 's' AS generated
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> 'v'
            ORDER BY a.attnum""";

    private static final String TYPE = """
            SELECT t.oid, n.nspname, t.typname, t.typcategory, t.typtype, t.typelem, t.typbasetype, t.typlen
            FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.oid = ?::oid""";

    private static final String PUBLISHED_COLUMNS = """
            SELECT attnames FROM pg_catalog.pg_publication_tables
            WHERE pubname = ? AND schemaname = ? AND tablename = ?""";

    private final Connection connection;
    private final String publication;
    private final Map<Long, PgColumnType> types = new HashMap<>();

    Catalog(Connection connection) {
        this(connection, null);
    }

    /**
     * @param connection  the connection to read the catalog on
     * @param publication the publication the stream reads, whose column list a row then follows; null for
     *                    every column
     */
    Catalog(Connection connection, String publication) {
        this.connection = connection;
        this.publication = publication;
    }

    /**
     * @param table a table; unqualified names resolve like an unqualified name in SQL (search_path)
     * @return its description
     * @throws TableMissingException when no such table (or partitioned table) exists
     * @throws SQLException          on server errors
     */
    TableDescription describe(TableId table) throws SQLException {
        long oid;
        TableId qualified;
        char relkind;
        double reltuples;
        try (PreparedStatement ps = connection.prepareStatement(table.isQualified() ? FIND_QUALIFIED : FIND_VISIBLE)) {
            if (table.isQualified()) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
            } else {
                ps.setString(1, table.table());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw missing(table, null);
                }
                oid = rs.getLong(1);
                qualified = TableId.of(rs.getString(2), rs.getString(3));
                relkind = rs.getString(4).charAt(0);
                reltuples = rs.getDouble(5);
            }
        }
        long estimate = reltuples < 0 ? -1 : (long) reltuples;
        if (relkind == 'p') {
            try (PreparedStatement ps = connection.prepareStatement(PARTITION_ESTIMATE)) {
                ps.setLong(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    estimate = rs.getBoolean(2) ? (long) rs.getDouble(1) : -1;
                }
            }
        }
        List<TableDescription.Column> columns = new ArrayList<>();
        List<Long> typeOids = new ArrayList<>();
        int serverMajor = connection.getMetaData().getDatabaseMajorVersion();
        Set<String> published = publishedColumns(qualified, serverMajor);
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean generated = rs.getBoolean(4);
                    if (!generated && published != null && !published.contains(rs.getString(1))) {
                        continue; // not in the publication's column list: the stream never carries it
                    }
                    columns.add(new TableDescription.Column(rs.getString(1), null, rs.getBoolean(3), generated));
                    typeOids.add(rs.getLong(2));
                }
            }
        }
        for (int i = 0; i < columns.size(); i++) {
            TableDescription.Column c = columns.get(i);
            columns.set(i, new TableDescription.Column(c.name(), type(typeOids.get(i)), c.notNull(), c.generated()));
        }
        List<String> pk = TableIndexes.columns(connection, oid, TableIndexes.Kind.PRIMARY_KEY);
        return new TableDescription(qualified, oid, List.copyOf(columns), List.copyOf(pk), estimate, relkind == 'p');
    }

    /**
     * @return the columns the publication sends for the table (PostgreSQL 15+), or null when there is no
     *     publication, the server is older, or the publication does not list this table
     */
    private Set<String> publishedColumns(TableId table, int serverMajor) throws SQLException {
        if (publication == null || serverMajor < 15) {
            return null;
        }
        try (PreparedStatement ps = connection.prepareStatement(PUBLISHED_COLUMNS)) {
            ps.setString(1, publication);
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Array names = rs.getArray(1);
                Set<String> out = new HashSet<>();
                for (Object n : (Object[]) names.getArray()) {
                    out.add((String) n);
                }
                return out;
            }
        }
    }

    /** @return the type with that oid, element and base types resolved (cached) */
    PgColumnType type(long oid) throws SQLException {
        PgColumnType cached = types.get(oid);
        if (cached != null) {
            return cached;
        }
        long elem;
        long base;
        String name;
        char category;
        char kind;
        int typlen;
        try (PreparedStatement ps = connection.prepareStatement(TYPE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("type oid " + oid + " not found in pg_type");
                }
                name = rs.getString(3);
                category = rs.getString(4).charAt(0);
                kind = rs.getString(5).charAt(0);
                elem = rs.getLong(6);
                base = rs.getLong(7);
                typlen = rs.getInt(8);
            }
        }
        // typelem is also set on fixed-length subscriptable base types (point, name...): only a
        // variable-length type of category 'A' is a true array.
        PgColumnType element = elem != 0 && category == 'A' && typlen == -1 ? type(elem) : null;
        PgColumnType baseType = kind == 'd' && base != 0 ? type(base) : null;
        PgColumnType t = new PgColumnType(name, category, element, baseType, kind == 'e');
        types.put(oid, t);
        return t;
    }

    static TableMissingException missing(TableId table, Throwable cause) {
        return new TableMissingException(
                table,
                "table " + table + " does not exist in the source database"
                        + (cause == null ? "" : " (it was dropped while the bootstrap ran)")
                        + ". Fix: create it, or remove it from the configured tables"
                        + (table.isQualified() ? "" : ", or qualify it with its schema (schema.table)"),
                cause);
    }
}
