package io.drasi.source.postgres.bootstrap;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one catalog query for a table's key columns: the primary key (the default element key) and the replica
 * identity index (what a DELETE or key-changing UPDATE carries). Used by the bootstrap's catalog reader and the
 * adapter's preflight alike.
 *
 * <p>Thread-safety: stateless; each call uses the caller's connection.
 */
public final class TableIndexes {

    /** Which of a table's indexes to read. */
    public enum Kind {
        /** The primary key. */
        PRIMARY_KEY("indisprimary"),
        /** The index chosen by {@code REPLICA IDENTITY USING INDEX}. */
        REPLICA_IDENTITY("indisreplident");

        private final String flag;

        Kind(String flag) {
            this.flag = flag;
        }
    }

    private TableIndexes() {}

    /**
     * @param c   a connection; never null
     * @param oid the table's {@code pg_class} oid
     * @param kind which index
     * @return the index's column names in index order; empty when the table has no such index
     * @throws SQLException as the driver reports it
     */
    public static List<String> columns(Connection c, long oid, Kind kind) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname
                FROM pg_catalog.pg_index i
                CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = ?::oid AND i.""" + kind.flag + " ORDER BY k.ord")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return List.copyOf(cols);
    }
}
