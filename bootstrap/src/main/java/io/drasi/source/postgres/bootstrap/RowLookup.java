package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.DrasiPostgresException;
import io.drasi.source.postgres.mapping.model.ElementValue;
import io.drasi.source.postgres.mapping.model.TableId;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
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
 * pgoutput does not resend under REPLICA IDENTITY DEFAULT.
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
        try {
            return readOnce(table, key, columns);
        } catch (SQLException first) {
            closeQuietly(); // reconnect once: the connection may have died with a server restart
            try {
                return readOnce(table, key, columns);
            } catch (SQLException e) {
                throw new DrasiPostgresException("re-reading unchanged TOAST column(s) " + columns + " of "
                        + Sql.display(table) + " failed: " + e.getMessage()
                        + " (or set REPLICA IDENTITY FULL on the table so PostgreSQL sends the old values)", e);
            }
        }
    }

    private Optional<Map<String, ElementValue>> readOnce(TableId table, Map<String, ElementValue> key, Set<String> columns)
            throws SQLException {
        Connection c = connection();
        TableDescription d = tables.get(table);
        if (d == null) {
            d = new Catalog(c).describe(table);
            tables.put(table, d);
        }
        Map<String, TableDescription.Column> byName = new LinkedHashMap<>();
        for (TableDescription.Column col : d.columns()) {
            byName.put(col.name(), col);
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
        for (int i = 0; i < wanted.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Sql.ident(wanted.get(i).name())).append("::text");
        }
        sql.append(" FROM ").append(Sql.qualified(d.table())).append(" WHERE ");
        List<String> params = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, ElementValue> k : key.entrySet()) {
            TableDescription.Column col = byName.get(k.getKey());
            if (col == null) {
                throw new SQLException("key column " + k.getKey() + " no longer exists");
            }
            sql.append(i++ == 0 ? "" : " AND ").append(Sql.ident(col.name())).append(" = CAST(? AS ")
                    .append(Sql.ident(col.type().resolved().typeName())).append(')');
            params.add(PgValueConverter.canonicalKey(k.getValue()));
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int p = 0; p < params.size(); p++) {
                ps.setString(p + 1, params.get(p));
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, ElementValue> out = new LinkedHashMap<>();
                for (int w = 0; w < wanted.size(); w++) {
                    out.put(wanted.get(w).name(), converter.columnFromText(table, wanted.get(w).name(), wanted.get(w).type(),
                            rs.getString(w + 1)));
                }
                return Optional.of(out);
            }
        }
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
            throw new DrasiPostgresException("reading the column types of " + Sql.display(table) + " failed: "
                    + e.getMessage(), e);
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
