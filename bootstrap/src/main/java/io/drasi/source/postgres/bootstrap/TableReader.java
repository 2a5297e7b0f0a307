package io.drasi.source.postgres.bootstrap;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.StringJoiner;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * Streams the rows of one table, every column in PostgreSQL's text output form (the same text a
 * {@code ::text} cast gives, under the session settings the converter requires), without holding
 * more than one fetch batch in memory. Runs on a connection whose transaction has already imported
 * the snapshot; does not commit.
 *
 * <p>Two strategies, picked by measurement (see {@code TableReaderBenchTest}): {@link Mode#COPY}
 * ({@code COPY (SELECT ...) TO STDOUT}, parsed row by row as it arrives — the default) and
 * {@link Mode#CURSOR} (pgjdbc portal with {@code fetchSize}, {@code getString}).
 *
 * <p>Thread-safety: not thread-safe; one reader per connection.
 */
final class TableReader {

    /** How rows are fetched. */
    enum Mode {
        COPY,
        CURSOR
    }

    /** Receives one row: {@code values[i]} is column i as text, null for SQL NULL. */
    @FunctionalInterface
    interface RowVisitor {
        void row(String[] values);
    }

    private final Connection connection;
    private final Mode mode;
    private final int fetchSize;
    private final CopyTextParser parser = new CopyTextParser();

    TableReader(Connection connection, Mode mode, int fetchSize) {
        this.connection = connection;
        this.mode = mode;
        this.fetchSize = fetchSize;
    }

    /** @return {@code SELECT "c1", "c2" FROM ONLY "schema"."table"} ({@code ONLY} unless partitioned) */
    static String selectSql(TableDescription table, List<String> columns) {
        StringJoiner cols = new StringJoiner(", ");
        for (String c : columns) {
            cols.add(Sql.ident(c));
        }
        return "SELECT " + (columns.isEmpty() ? "" : cols.toString()) + " FROM " + table.fromClause();
    }

    /**
     * Reads every row of {@code table}.
     *
     * @param table   the table
     * @param columns the columns to read, in order
     * @param visitor called once per row on this thread; a RuntimeException from it aborts the read
     *                (an open COPY is cancelled) and is rethrown
     * @return rows read
     * @throws SQLException when the server reports an error
     */
    long read(TableDescription table, List<String> columns, RowVisitor visitor) throws SQLException {
        String select = selectSql(table, columns);
        return mode == Mode.COPY
                ? readCopy(select, columns.size(), visitor)
                : readCursor(select, columns.size(), visitor);
    }

    private long readCopy(String select, int columnCount, RowVisitor visitor) throws SQLException {
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        CopyOut out = copy.copyOut("COPY (" + select + ") TO STDOUT");
        long rows = 0;
        boolean done = false;
        try {
            byte[] row;
            while ((row = out.readFromCopy()) != null) {
                String[] values = new String[columnCount];
                if (columnCount > 0) {
                    parser.parse(row, columnCount, values);
                }
                visitor.row(values);
                rows++;
            }
            done = true;
            return rows;
        } finally {
            if (!done && out.isActive()) {
                try {
                    out.cancelCopy();
                } catch (SQLException ignored) {
                    // the original failure is more useful
                }
            }
        }
    }

    private long readCursor(String select, int columnCount, RowVisitor visitor) throws SQLException {
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("cursor reads need a transaction (autocommit off)");
        }
        try (Statement st = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            st.setFetchSize(fetchSize);
            long rows = 0;
            try (ResultSet rs = st.executeQuery(select)) {
                while (rs.next()) {
                    String[] values = new String[columnCount];
                    for (int i = 0; i < columnCount; i++) {
                        values[i] = rs.getString(i + 1);
                    }
                    visitor.row(values);
                    rows++;
                }
            }
            return rows;
        }
    }
}
