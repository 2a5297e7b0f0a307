package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.model.TableId;
import java.util.Map;

/**
 * The column types the catalog declares for a table, for what Debezium's schemas do not say: the base type of a
 * domain column and the element type of an array of domains. {@link ChangeMapper} asks once per table and again
 * whenever Debezium's schema for the table changes.
 *
 * <p>Thread-safety: implementations must be safe for use from the delivery thread; they may do I/O.
 */
@FunctionalInterface
public interface ColumnTypes {

    /** No declared types: values are mapped from Debezium's schemas alone (the Kafka Connect SMT's case). */
    ColumnTypes NONE = table -> Map.of();

    /**
     * @param table the table; never null
     * @return column name → declared type; empty when unknown; never null
     */
    Map<String, PgColumnType> of(TableId table);
}
