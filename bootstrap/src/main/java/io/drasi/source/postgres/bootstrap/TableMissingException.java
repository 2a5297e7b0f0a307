package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.model.TableId;

/**
 * A configured table does not exist in the source database (never existed, or was dropped before or
 * during the bootstrap). The message names the table and the fix.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class TableMissingException extends BootstrapException {

    private static final long serialVersionUID = 1L;

    private final transient TableId table;

    /**
     * @param table   the missing table; never null
     * @param message operator-facing description including the fix; never null
     * @param cause   the underlying failure; may be null
     */
    public TableMissingException(TableId table, String message, Throwable cause) {
        super(message, cause);
        this.table = table;
    }

    /** @return the missing table; never null */
    public TableId table() {
        return table;
    }
}
