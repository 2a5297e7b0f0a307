package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.model.TableId;

/**
 * A captured table has neither a configured key ({@code table_keys}) nor a primary key, so its rows
 * cannot get stable element ids. Raised at start (when the adapter validates its tables) or at the
 * first change of such a table; never silently replaced by a random id.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class MissingKeyException extends MappingException {

    private static final long serialVersionUID = 1L;

    private final transient TableId table;

    /** @param table the table without a usable key; never null */
    public MissingKeyException(TableId table) {
        super("Table " + table + " has no primary key and no configured key columns, so its rows cannot get stable"
                + " element ids. Fix: configure table_keys (tableKeys) for '" + table
                + "' with the columns that identify"
                + " a row, or add a primary key (ALTER TABLE " + table.toQuotedString() + " ADD PRIMARY KEY (...)).");
        this.table = table;
    }

    /** @return the table without a usable key; never null (unless deserialized) */
    public TableId table() {
        return table;
    }
}
