package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.model.TableId;
import io.drasi.source.postgres.mapping.value.PgColumnType;
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
 * <p>Columns are those the stream carries, so a bootstrapped row and a streamed row of the same table have
 * the same properties. Without a publication, or when the publication does not list the table (e.g. it
 * publishes the partitions of a partitioned table), that is every column except generated ones
 * ({@code attgenerated <> ''}). With the stream's publication on PostgreSQL 15+ it is the publication's
 * columns ({@code pg_publication_tables.attnames}: a column list leaves columns out) — minus generated
 * columns before PostgreSQL 18, whose {@code attnames} lists them though {@code pgoutput} never sends them;
 * from 18 on {@code attnames} is exactly what is sent (stored generated columns with
 * {@code publish_generated_columns = stored} or in a column list; virtual ones never).
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
            SELECT a.attname, a.atttypid, a.attnotnull, a.attgenerated <> '' AS generated
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    private static final String PRIMARY_KEY = """
            SELECT a.attname
            FROM pg_catalog.pg_index i
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = ?::oid AND i.indisprimary
            ORDER BY k.ord""";

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
     * @param publication the publication the stream reads, whose columns a row then has; null for every
     *                    non-generated column
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
                    boolean streamed = published == null ? !generated
                            : published.contains(rs.getString(1)) && (!generated || serverMajor >= 18);
                    if (!streamed) {
                        continue;
                    }
                    columns.add(new TableDescription.Column(rs.getString(1), null, rs.getBoolean(3)));
                    typeOids.add(rs.getLong(2));
                }
            }
        }
        for (int i = 0; i < columns.size(); i++) {
            TableDescription.Column c = columns.get(i);
            columns.set(i, new TableDescription.Column(c.name(), type(typeOids.get(i)), c.notNull()));
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PRIMARY_KEY)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        return new TableDescription(qualified, oid, List.copyOf(columns), List.copyOf(pk), estimate);
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
        return new TableMissingException(table, "table " + table + " does not exist in the source database"
                + (cause == null ? "" : " (it was dropped while the bootstrap ran)")
                + ". Fix: create it, or remove it from the configured tables"
                + (table.isQualified() ? "" : ", or qualify it with its schema (schema.table)"), cause);
    }
}
