package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.model.TableId;
import java.util.List;

/**
 * A table as the snapshot sees it.
 *
 * @param table         schema-qualified table
 * @param partitioned   a partitioned table (relkind {@code p}): read with its partitions; any other table is
 *                      read {@code ONLY}, without inheritance children (the stream never carries those)
 * @param oid           {@code pg_class.oid}
 * @param columns       the columns that are read, in {@code attnum} order
 * @param primaryKey    primary key column names in key order; empty when there is none
 * @param estimatedRows {@code pg_class.reltuples} (summed over partitions), or -1 when unknown
 */
record TableDescription(
        TableId table,
        long oid,
        List<Column> columns,
        List<String> primaryKey,
        long estimatedRows,
        boolean partitioned) {

    /**
     * @param name    column name
     * @param type    its type
     * @param notNull   {@code attnotnull}
     * @param generated a stored generated column
     */
    record Column(String name, PgColumnType type, boolean notNull, boolean generated) {}

    /** @return the table in a FROM clause: {@code ONLY "s"."t"} unless partitioned */
    String fromClause() {
        return (partitioned ? "" : "ONLY ") + Sql.qualified(table);
    }

    List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
