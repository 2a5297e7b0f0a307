package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.model.TableId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Resolves the key columns of a table: the configured {@code table_keys} entry when there is one,
 * else the table's primary key (for a streamed record: the fields of Debezium's key schema).
 *
 * <p>Configured entries are named {@code table}, {@code schema.table} or with quoted identifiers
 * ({@code "My Schema"."Odd.Table"}); see {@link TableId#parse(String)}. A qualified entry matches only
 * that table; a bare {@code table} entry matches a table of that name in any schema. A qualified
 * entry wins over a bare one.
 *
 * <p>Thread-safety: immutable; safe for concurrent use. Nullability: arguments are never null unless
 * stated.
 */
public final class TableKeys {

    private static final TableKeys NONE = new TableKeys(Map.of(), Map.of());

    private final Map<TableId, List<String>> qualified;
    private final Map<String, List<String>> byTableName;

    private TableKeys(Map<TableId, List<String>> qualified, Map<String, List<String>> byTableName) {
        this.qualified = qualified;
        this.byTableName = byTableName;
    }

    /** @return no configured keys: every table uses its primary key */
    public static TableKeys none() {
        return NONE;
    }

    /**
     * @param configured table (a {@link TableId} or a {@link String} parsed with {@link TableId#parse})
     *                   → key column names in id order; never null, no empty lists
     * @return the key resolver
     * @throws IllegalArgumentException on an unparsable table name, an empty key list or a duplicate entry
     */
    public static TableKeys of(Map<?, ? extends List<String>> configured) {
        Objects.requireNonNull(configured, "configured");
        Map<TableId, List<String>> qualified = new HashMap<>();
        Map<String, List<String>> byName = new HashMap<>();
        for (Map.Entry<?, ? extends List<String>> e : configured.entrySet()) {
            TableId id = e.getKey() instanceof TableId t ? t : TableId.parse(String.valueOf(e.getKey()));
            List<String> cols = List.copyOf(e.getValue());
            if (cols.isEmpty()) {
                throw new IllegalArgumentException("table_keys entry for '" + id + "' has no key columns");
            }
            List<String> previous = id.isQualified() ? qualified.put(id, cols) : byName.put(id.table(), cols);
            if (previous != null) {
                throw new IllegalArgumentException("table_keys has more than one entry for '" + id + "'");
            }
        }
        return new TableKeys(Map.copyOf(qualified), Map.copyOf(byName));
    }

    /**
     * @param table the (qualified) table
     * @return the configured key columns, if any
     */
    public Optional<List<String>> configured(TableId table) {
        List<String> cols = qualified.get(table);
        if (cols == null) {
            cols = byTableName.get(table.table());
        }
        return Optional.ofNullable(cols);
    }

    /**
     * @param table             the (qualified) table
     * @param primaryKeyColumns the table's primary key columns in order; may be null or empty when
     *                          the table has none
     * @return the key columns to build element ids from; never empty
     * @throws MissingKeyException when nothing is configured and there is no primary key
     */
    public List<String> keyColumns(TableId table, List<String> primaryKeyColumns) {
        Optional<List<String>> cols = configured(table);
        if (cols.isPresent()) {
            return cols.get();
        }
        if (primaryKeyColumns == null || primaryKeyColumns.isEmpty()) {
            throw new MissingKeyException(table);
        }
        return List.copyOf(primaryKeyColumns);
    }
}
