package io.drasi.source.postgres;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The key columns to use for one table instead of (or in the absence of) its primary key. Element
 * ids are built from these columns in the given order ({@code schema:table:k1:k2}).
 *
 * <p>{@code table} uses the same syntax as the {@code tables} entries ({@code users},
 * {@code sales.orders}, {@code "Odd Schema"."T"}) and must name one of them. {@code keyColumns} are
 * exact column names as stored in the catalog (case-sensitive, no quoting). Emptiness, duplicate
 * columns and unknown tables are reported by {@link PostgresSourceBuilder#validate()}, not here.
 *
 * <p>Thread-safety: immutable value. Nullability: neither component nor any column is null.
 *
 * @param table      the table, as in {@code tables}; never null
 * @param keyColumns the key column names in id order; never null, no null elements (copied)
 */
public record TableKeyConfig(String table, List<String> keyColumns) {

    /**
     * @param table      the table; never null
     * @param keyColumns the key columns in id order; never null, no null elements
     * @throws NullPointerException if {@code table}, {@code keyColumns} or a column is null
     */
    public TableKeyConfig {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(keyColumns, "keyColumns");
        keyColumns.forEach(c -> Objects.requireNonNull(c, "keyColumns element"));
        keyColumns = Collections.unmodifiableList(Arrays.asList(keyColumns.toArray(new String[0])));
    }

    /**
     * @param table      the table; never null
     * @param keyColumns the key columns in id order; never null
     * @return the entry
     */
    public static TableKeyConfig of(String table, String... keyColumns) {
        return new TableKeyConfig(table, Arrays.asList(keyColumns));
    }
}
