package io.drasi.source.postgres.mapping.value;

import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.model.TableId;
import java.util.Objects;
import java.util.Optional;

/**
 * A column value the value table cannot convert. The message names {@code schema.table.column}, the
 * PostgreSQL type, the position (for streamed changes) and the fix.
 *
 * <p>Thread-safety: immutable once thrown. Nullability: {@link #lsn()} is empty for bootstrap rows.
 */
public final class UnmappableValueException extends MappingException {

    private static final long serialVersionUID = 1L;

    private final transient TableId table;
    private final String column;
    private final String pgType;
    private final Long lsn;

    /**
     * @param table  the table; never null
     * @param column the column name; never null
     * @param pgType the column's PostgreSQL type name as known to the path that failed; never null
     * @param lsn    the change's LSN, or null for a bootstrap row
     * @param cause  why the value could not be converted; never null
     */
    public UnmappableValueException(TableId table, String column, String pgType, Long lsn, Throwable cause) {
        super(message(table, column, pgType, lsn, cause), cause);
        this.table = Objects.requireNonNull(table, "table");
        this.column = Objects.requireNonNull(column, "column");
        this.pgType = Objects.requireNonNull(pgType, "pgType");
        this.lsn = lsn;
    }

    private static String message(TableId table, String column, String pgType, Long lsn, Throwable cause) {
        return "cannot convert the value of column " + table.toQuotedString() + "." + TableId.quoteIfNeeded(column)
                + " (PostgreSQL type " + pgType + ")"
                + (lsn == null
                        ? " in a bootstrap row"
                        : " in the change at LSN " + io.drasi.source.postgres.core.Lsn.of(lsn))
                + ": " + cause.getMessage()
                + ". The change was not delivered and the position was not advanced past it. Fix: upgrade"
                + " drasi-source-postgres if a newer version maps this type, or set unmappable_values: text"
                + " (drasi-server: unmappableValues) to deliver PostgreSQL's text form for such values;"
                + " please report the type and value.";
    }

    /** @return the table; never null */
    public TableId table() {
        return table;
    }

    /** @return the column name; never null */
    public String column() {
        return column;
    }

    /** @return the PostgreSQL type name; never null */
    public String pgType() {
        return pgType;
    }

    /** @return the LSN of the streamed change, or empty for a bootstrap row */
    public Optional<Long> lsn() {
        return Optional.ofNullable(lsn);
    }
}
