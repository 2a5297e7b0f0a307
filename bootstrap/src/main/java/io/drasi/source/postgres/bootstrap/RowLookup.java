package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the current values of some columns of one row, by key, converted through the same value table
 * as bootstrap and streaming. The streaming adapter uses it to fill unchanged TOAST columns that
 * pgoutput does not resend under REPLICA IDENTITY DEFAULT, and ({@link #readMany}) stored generated
 * columns that pgoutput does not publish before PostgreSQL 18. Tables are read {@code ONLY} (without
 * inheritance children) unless partitioned, as the bootstrap reads them.
 *
 * <p>Consistency trade-off: the value read is the row's value <i>now</i>, not at the change's commit. A
 * TOAST column that an UPDATE left unchanged can only differ now if a later transaction changed it, and
 * that transaction is streamed afterwards with the value in full, so the element converges to the right
 * state; in between it may show a value from slightly in the future. Under REPLICA IDENTITY FULL the old
 * tuple carries the value and no lookup happens.
 *
 * <p>Thread-safety: not thread-safe (one connection, reused); use one instance per thread. Close it.
 */
public final class RowLookup implements AutoCloseable {

    private final ConnectionFactory connections;
    private final PgValueConverter converter;
    private final Map<TableId, TableDescription> tables = new HashMap<>();
    private Connection connection;

    /**
     * @param connections opens the connection; never null
     * @param converter   the value table; never null
     */
    public RowLookup(ConnectionFactory connections, PgValueConverter converter) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    /**
     * @param table   the table; never null
     * @param key     key column → value of the row (as the mapping produced it); never null or empty
     * @param columns columns to read; never null
     * @return the columns' current values, or empty when the row no longer exists
     * @throws DrasiPostgresException when the read fails (message names the table and cause)
     */
    public Optional<Map<String, ElementValue>> read(TableId table, Map<String, ElementValue> key, Set<String> columns) {
        Map<List<String>, Map<String, ElementValue>> found = readMany(
                table,
                List.copyOf(key.keySet()),
                List.of(List.copyOf(key.values())),
                columns,
                "re-reading unchanged TOAST column(s)",
                "or set REPLICA IDENTITY FULL on the table so PostgreSQL sends the old values");
        return found.values().stream().findFirst();
    }

    /** Most rows one {@link #readMany} statement asks for; more are read in several statements. */
    static final int MAX_KEYS_PER_QUERY = 500;

    /**
     * Reads some columns of many rows of one table by key, in one statement per {@value #MAX_KEYS_PER_QUERY}
     * keys: {@code SELECT keys, columns FROM t WHERE (k1, k2) IN ((..), (..))}.
     *
     * @param table      the table; never null
     * @param keyColumns the key columns, in key order; never null or empty
     * @param keys       per row, its key values in {@code keyColumns} order (as the mapping produced them)
     * @param columns    columns to read; never null
     * @return per row found, its key (as {@link PgValueConverter#canonicalKey} texts in key order) → the
     *         columns' current values; rows that no longer exist are absent
     * @throws DrasiPostgresException when the read fails (message names the table, the columns and cause)
     */
    public Map<List<String>, Map<String, ElementValue>> readMany(
            TableId table, List<String> keyColumns, List<List<ElementValue>> keys, Set<String> columns) {
        return readMany(
                table,
                keyColumns,
                keys,
                columns,
                "reading generated column(s)",
                "or set generated_columns: omit to leave them out");
    }

    private Map<List<String>, Map<String, ElementValue>> readMany(
            TableId table,
            List<String> keyColumns,
            List<List<ElementValue>> keys,
            Set<String> columns,
            String what,
            String alternative) {
        Map<List<String>, Map<String, ElementValue>> out = new HashMap<>();
        for (int from = 0; from < keys.size(); from += MAX_KEYS_PER_QUERY) {
            List<List<ElementValue>> chunk = keys.subList(from, Math.min(keys.size(), from + MAX_KEYS_PER_QUERY));
            try {
                out.putAll(readManyOnce(table, keyColumns, chunk, columns));
            } catch (SQLException first) {
                closeQuietly(); // reconnect once: the connection may have died with a server restart
                try {
                    out.putAll(readManyOnce(table, keyColumns, chunk, columns));
                } catch (SQLException e) {
                    throw new DrasiPostgresException(
                            what + " " + columns + " of " + Sql.display(table) + " by key failed: " + e.getMessage()
                                    + " (" + alternative + ")",
                            e);
                }
            }
        }
        return out;
    }

    private Map<List<String>, Map<String, ElementValue>> readManyOnce(
            TableId table, List<String> keyColumns, List<List<ElementValue>> keys, Set<String> columns)
            throws SQLException {
        TableDescription d = description(table);
        Map<String, TableDescription.Column> byName = new LinkedHashMap<>();
        for (TableDescription.Column col : d.columns()) {
            byName.put(col.name(), col);
        }
        List<TableDescription.Column> keyCols = new ArrayList<>();
        for (String k : keyColumns) {
            TableDescription.Column col = byName.get(k);
            if (col == null) {
                throw new SQLException("key column " + k + " no longer exists");
            }
            keyCols.add(col);
        }
        List<TableDescription.Column> wanted = new ArrayList<>();
        for (String name : columns) {
            TableDescription.Column col = byName.get(name);
            if (col == null) {
                throw new SQLException("column " + name + " no longer exists");
            }
            wanted.add(col);
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        List<TableDescription.Column> selected = new ArrayList<>(keyCols);
        selected.addAll(wanted);
        for (int i = 0; i < selected.size(); i++) {
            // no ::text: a cast to text is not always the output function COPY uses (bpchar loses its padding,
            // inet gains a netmask); text-format results below give exactly the output function's text
            sql.append(i == 0 ? "" : ", ").append(Sql.ident(selected.get(i).name()));
        }
        sql.append(" FROM ").append(d.fromClause()).append(" WHERE (");
        for (int i = 0; i < keyCols.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Sql.ident(keyCols.get(i).name()));
        }
        sql.append(") IN (");
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < keyCols.size(); i++) {
            tuple.append(i == 0 ? "" : ", ")
                    .append("CAST(? AS ")
                    .append(Sql.ident(keyCols.get(i).type().resolved().typeName()))
                    .append(')');
        }
        tuple.append(')');
        for (int r = 0; r < keys.size(); r++) {
            sql.append(r == 0 ? "" : ", ").append(tuple);
        }
        sql.append(')');
        Map<List<String>, Map<String, ElementValue>> out = new HashMap<>();
        try (PreparedStatement ps = connection().prepareStatement(sql.toString())) {
            // never server-prepared, so results always come in text format (pgjdbc switches some types to binary
            // for prepared statements, and its rendering of those differs from the server's)
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
            int p = 1;
            for (List<ElementValue> key : keys) {
                for (ElementValue v : key) {
                    ps.setString(p++, PgValueConverter.canonicalKey(v));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> key = new ArrayList<>(keyCols.size());
                    for (int k = 0; k < keyCols.size(); k++) {
                        key.add(PgValueConverter.canonicalKey(
                                converter.fromText(keyCols.get(k).type(), rs.getString(k + 1))));
                    }
                    Map<String, ElementValue> values = new LinkedHashMap<>();
                    for (int w = 0; w < wanted.size(); w++) {
                        values.put(
                                wanted.get(w).name(),
                                converter.columnFromText(
                                        table,
                                        wanted.get(w).name(),
                                        wanted.get(w).type(),
                                        rs.getString(keyCols.size() + w + 1)));
                    }
                    out.put(key, values);
                }
            }
        }
        return out;
    }

    private TableDescription description(TableId table) throws SQLException {
        TableDescription d = tables.get(table);
        if (d == null) {
            d = new Catalog(connection()).describe(table);
            tables.put(table, d);
        }
        return d;
    }

    /**
     * The table's column types as the catalog declares them now (domains with their base type, arrays with their
     * element type); refreshes the description {@link #read} uses.
     *
     * @param table the table; never null
     * @return column name → type; never null
     * @throws DrasiPostgresException when the catalog cannot be read (the message names the table and cause)
     */
    public Map<String, PgColumnType> columnTypes(TableId table) {
        try {
            TableDescription d;
            try {
                d = new Catalog(connection()).describe(table);
            } catch (SQLException first) {
                closeQuietly(); // reconnect once, as read() does
                d = new Catalog(connection()).describe(table);
            }
            tables.put(table, d);
            Map<String, PgColumnType> out = new LinkedHashMap<>();
            for (TableDescription.Column c : d.columns()) {
                out.put(c.name(), c.type());
            }
            return out;
        } catch (SQLException e) {
            throw new DrasiPostgresException(
                    "reading the column types of " + Sql.display(table) + " failed: " + e.getMessage(), e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Connection c = connections.openConnection();
            try {
                Sql.applySettings(c, PgValueConverter.REQUIRED_SESSION_SETTINGS);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // already broken
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
